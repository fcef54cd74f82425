"""`python -m services.gateway`: serve the gateway (it has no database, so nothing to migrate)."""

from __future__ import annotations

import sys

from services.gateway.config import get_settings
from services.gateway.main import create_app
from shared.logs import setup_logging
from shared.serve import serve

WS_MAX_QUEUE = 8  # client frames buffered per socket before reading from it pauses
GRACEFUL_SHUTDOWN_S = 5  # then open sockets are closed with 1012 and the clients reconnect elsewhere


def main(argv: list[str]) -> int:
    if argv[:1] == ["migrate"]:
        return 0  # `migrate` is accepted for symmetry with the other services
    if argv:
        print(f"usage: python -m services.gateway [migrate]; unknown argument {argv[0]!r}", file=sys.stderr)
        return 2
    settings = get_settings()
    setup_logging("gateway", settings.log_level, settings.log_json)
    serve(
        create_app(settings),
        host=settings.gateway_host,
        port=settings.gateway_port,
        graceful_shutdown_s=GRACEFUL_SHUTDOWN_S,
        ws_max_size=settings.ws_max_size,
        ws_max_queue=WS_MAX_QUEUE,
        proxy_headers=settings.proxy_headers,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
