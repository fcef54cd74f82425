"""The catalog's rules, free of I/O."""
