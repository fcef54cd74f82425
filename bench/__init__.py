"""`make bench`: the order path and the sockets under load, against a floor (docs/performance.md)."""
