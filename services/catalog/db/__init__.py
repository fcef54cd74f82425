"""The catalog's database: tables, queries and Alembic migrations."""

from pathlib import Path

from shared.db import run_migrations

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def migrate(url: str) -> None:
    """Apply the catalog's migrations to the database at `url` (blocking; not inside an event loop)."""
    run_migrations(MIGRATIONS_DIR, url)
