"""The catalog's settings: the shared ones plus its own database."""

from __future__ import annotations

from functools import lru_cache

from shared.settings import BaseServiceSettings


class Settings(BaseServiceSettings):
    catalog_database_url: str = "sqlite+aiosqlite:///./var/catalog.db"
    catalog_db_pool_size: int = 20
    # How long start-up waits for RabbitMQ before serving anyway (readyz says "broker: down").
    catalog_broker_start_wait_s: float = 3.0


@lru_cache
def get_settings() -> Settings:
    return Settings()
