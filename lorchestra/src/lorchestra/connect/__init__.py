"""``lorc connect``: sign a mail connection in and return the secrets to store."""
