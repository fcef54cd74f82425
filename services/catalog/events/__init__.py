"""The catalog's events: what it tells other services through its outbox."""
