"""Alembic environment of the catalog database."""

from services.catalog.db.tables import metadata
from shared.db import run_alembic_env

run_alembic_env(metadata)
