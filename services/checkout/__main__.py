"""`python -m services.checkout` serves; `python -m services.checkout migrate` applies migrations."""

from __future__ import annotations

import sys

from services.checkout.config import get_settings
from services.checkout.db import migrate
from services.checkout.main import create_app
from shared.logs import setup_logging
from shared.serve import serve


def main(argv: list[str]) -> int:
    settings = get_settings()
    setup_logging("checkout", settings.log_level, settings.log_json)
    if argv == ["migrate"]:
        migrate(settings.checkout_database_url)
        return 0
    if argv:
        print("usage: python -m services.checkout [migrate]", file=sys.stderr)
        return 2
    serve(create_app(settings), host=settings.bind_host, port=settings.checkout_port, proxy_headers=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
