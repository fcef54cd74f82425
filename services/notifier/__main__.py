"""`python -m services.notifier` serves the sockets; `… migrate` has nothing to do (no database)."""

from __future__ import annotations

import logging
import sys

from services.notifier.config import get_settings
from services.notifier.main import create_app
from shared.logs import setup_logging
from shared.serve import serve

USAGE = "usage: python -m services.notifier [migrate]"


def main(argv: list[str]) -> int:
    settings = get_settings()
    setup_logging("notifier", settings.log_level, settings.log_json)
    if argv == ["migrate"]:
        logging.getLogger(__name__).info("the notifier has no database; nothing to migrate")
        return 0
    if argv:
        print(USAGE, file=sys.stderr)
        return 2
    serve(
        create_app(settings),
        host=settings.bind_host,
        port=settings.notifier_port,
        ws_max_size=settings.notifier_ws_max_message_bytes,
        # No protocol pings: the only client is the gateway, which closes its side when its own
        # client goes (and pings that one); the contract's heartbeats flow every 15 s anyway.
        ws_ping_interval=None,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
