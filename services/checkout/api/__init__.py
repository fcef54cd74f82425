"""Checkout's HTTP routes: the public `/api/...` paths the gateway forwards, and `/internal/...`."""
