"""The gateway: the only public entry. Seller auth, rate limits, the /api proxy, the /ws pipe."""
