"""A catalog served on a real port, on this test's own PostgreSQL database and RabbitMQ vhost."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from services.catalog.config import Settings
from services.catalog.db import migrate
from services.catalog.main import create_app
from shared.events import IntegrationEvent
from shared.messaging import Broker
from shared.security import INTERNAL_TOKEN_HEADER, SELLER_ID_HEADER
from tests.conftest import Backing
from tests.servers import serve

PUBLIC_URL = "https://orders.example.com"
SECRET = "catalog-integration-tests-secret-0123456789"
EVENT_TIMEOUT_S = 10.0


def catalog_settings(database_url: str, amqp_url: str, **overrides: Any) -> Settings:
    return Settings(
        _env_file=None,
        catalog_database_url=database_url,
        amqp_url=amqp_url,
        public_base_url=PUBLIC_URL,
        secret_key=SECRET,
        log_json=False,
        **overrides,
    )


@dataclass
class Catalog:
    """A running catalog and a client that passes the internal token, as the gateway does."""

    url: str
    settings: Settings
    client: httpx.AsyncClient
    _emails: Iterator[int] = field(default_factory=lambda: iter(range(1_000_000)))

    async def signup(self, **body: Any) -> dict[str, Any]:
        """Sign a seller up (fresh email unless given) and return the response body."""
        n = next(self._emails)
        payload = {
            "email": f"seller{n}@example.com",
            "password": "password-123",
            "business_name": f"Shop {n}",
        }
        response = await self.client.post("/api/auth/signup", json={**payload, **body})
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    async def seller(self, **body: Any) -> str:
        """A new seller's id."""
        return str((await self.signup(**body))["seller"]["id"])

    def as_seller(self, seller_id: str) -> dict[str, str]:
        return {SELLER_ID_HEADER: seller_id}


@asynccontextmanager
async def running_catalog(settings: Settings) -> AsyncIterator[Catalog]:
    await asyncio.to_thread(migrate, settings.catalog_database_url)
    async with (
        serve(create_app(settings)) as url,
        httpx.AsyncClient(
            base_url=url, headers={INTERNAL_TOKEN_HEADER: settings.internal_token}, timeout=30
        ) as client,
    ):
        yield Catalog(url=url, settings=settings, client=client)


@pytest.fixture
async def catalog(backing: Backing) -> AsyncIterator[Catalog]:
    settings = catalog_settings(backing.catalog_database_url, backing.amqp_url)
    async with running_catalog(settings) as running:
        yield running


class EventInbox:
    """Events received on a queue of the test's own, bound before anything is published."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[IntegrationEvent] = asyncio.Queue()

    async def handle(self, event: IntegrationEvent) -> None:
        await self.queue.put(event)

    async def next(self, seller_id: str, timeout: float = EVENT_TIMEOUT_S) -> IntegrationEvent:
        """The next event about `seller_id` (the run's vhost may carry other tests' events)."""
        async with asyncio.timeout(timeout):
            while True:
                event = await self.queue.get()
                if getattr(event, "seller_id", None) == seller_id:
                    return event

    def pending_for(self, seller_id: str) -> list[IntegrationEvent]:
        """Events about `seller_id` received but not yet taken with `next`."""
        events = []
        while not self.queue.empty():
            events.append(self.queue.get_nowait())
        return [event for event in events if getattr(event, "seller_id", None) == seller_id]


@asynccontextmanager
async def listening(amqp_url: str, *bindings: str) -> AsyncIterator[EventInbox]:
    broker = Broker(amqp_url, "catalog-test")
    inbox = EventInbox()
    broker.consume(inbox.handle, bindings=bindings)
    await broker.start()
    try:
        assert await broker.wait_connected(EVENT_TIMEOUT_S), "the test could not reach RabbitMQ"
        yield inbox
    finally:
        await broker.close()
