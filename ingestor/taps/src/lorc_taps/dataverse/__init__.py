"""``tap-lorc-dataverse``: Dataverse contacts and the practice's session table, app-only,
incremental on ``modifiedon``."""
