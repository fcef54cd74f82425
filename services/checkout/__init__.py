"""Checkout: places orders, keeps their status and payment, and logs every order event."""
