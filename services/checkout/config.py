"""Checkout's settings: the shared ones plus its own database and its wait limits."""

from __future__ import annotations

from functools import lru_cache

from shared.settings import BaseServiceSettings


class Settings(BaseServiceSettings):
    checkout_database_url: str = "sqlite+aiosqlite:///./var/checkout.db"
    checkout_db_pool_size: int = 20
    # How long start-up waits for RabbitMQ before serving anyway (readyz says "broker: down").
    checkout_broker_start_wait_s: float = 3.0
    # How long a checkout waits for the catalog's checkout context before answering 503.
    checkout_catalog_timeout_s: float = 3.0


@lru_cache
def get_settings() -> Settings:
    return Settings()
