"""Checkout's rules, without I/O: pricing, custom fields, token numbers, status transitions."""
