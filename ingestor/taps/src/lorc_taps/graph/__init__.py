"""``tap-lorc-graph``: Exchange Online mail through Microsoft Graph, app-only, incremental
through per-folder delta queries."""
