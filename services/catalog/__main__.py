"""`python -m services.catalog` serves; `… migrate` applies migrations; `… seed` adds the demo seller."""

from __future__ import annotations

import asyncio
import sys

from services.catalog.config import get_settings
from services.catalog.db import migrate
from services.catalog.main import create_app
from services.catalog.seed import DEMO_EMAIL, DEMO_PASSWORD, DEMO_SLUG, seed_demo
from shared.logs import setup_logging
from shared.serve import serve

USAGE = "usage: python -m services.catalog [migrate | seed]"


def main(argv: list[str]) -> int:
    settings = get_settings()
    setup_logging("catalog", settings.log_level, settings.log_json)
    if not argv:
        serve(create_app(settings), host=settings.bind_host, port=settings.catalog_port)
        return 0
    if argv == ["migrate"]:
        migrate(settings.catalog_database_url)
        return 0
    if argv == ["seed"]:
        if asyncio.run(seed_demo(settings)):
            print(f"Seeded the demo seller: {DEMO_EMAIL} / {DEMO_PASSWORD}, storefront /s/{DEMO_SLUG}")
        return 0
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
