"""``tap-lorc-sheets``: the rows of one tab of a Google Sheet (a form's linked responses)."""
