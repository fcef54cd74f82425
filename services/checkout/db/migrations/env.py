"""Alembic environment of the checkout database."""

from services.checkout.db.tables import metadata
from shared.db import run_alembic_env

run_alembic_env(metadata)
