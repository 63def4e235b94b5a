"""``tap-lorc-forms``: Google Forms API form definitions and responses, incremental."""
