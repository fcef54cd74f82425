"""Checkout's database: tables, queries, the transactions that change orders, migrations."""

from pathlib import Path

from shared.db import run_migrations

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def migrate(url: str) -> None:
    """Apply checkout's migrations to the database at `url` (blocking; not inside an event loop)."""
    run_migrations(MIGRATIONS_DIR, url)
