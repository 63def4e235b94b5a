"""``lorc connect``: sign a mail connection in once and return the secrets to store."""
