"""The gateway's public routes: proxy, auth cookie, sockets, readiness, API docs."""
