"""Checkout's events: building order events and publishing them after commit."""
