"""``tap-lorc-gmail``: Gmail messages, a full listing once, then ``users.history.list``."""
