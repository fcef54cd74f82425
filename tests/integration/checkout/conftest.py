"""Checkout served on a real port with the real catalog beside it, on this test's own PostgreSQL
databases and RabbitMQ vhost. Sellers and products are made through the catalog's own API."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from services.catalog.config import Settings as CatalogSettings
from services.catalog.db import migrate as migrate_catalog
from services.catalog.main import create_app as create_catalog
from services.checkout.config import Settings
from services.checkout.db import migrate as migrate_checkout
from services.checkout.main import create_app as create_checkout
from services.checkout.runtime import Runtime
from shared.events import IntegrationEvent, OrderEvent
from shared.messaging import Broker
from shared.security import INTERNAL_TOKEN_HEADER, SELLER_ID_HEADER
from tests.conftest import Backing
from tests.servers import serve

SECRET = "checkout-integration-tests-secret-0123456789"
EVENT_TIMEOUT_S = 15.0
_numbers = itertools.count()

PRODUCTS: list[dict[str, Any]] = [
    {
        "name": "Masala Dosa",
        "price_cents": 450,
        "custom_fields": [
            {"key": "spice", "label": "Spice level", "type": "select", "required": True,
             "options": ["Mild", "Medium", "Hot"]},
            {"key": "note", "label": "Note", "type": "text", "max_length": 20},
            {"key": "count", "label": "Extra chutney cups", "type": "number", "min": 0, "max": 3},
            {"key": "cutlery", "label": "Cutlery", "type": "checkbox"},
        ],
    },
    {"name": "Vada", "price_cents": 199},
    {"name": "Idli", "price_cents": 300, "available": False},
]  # fmt: skip


def catalog_settings(backing: Backing) -> CatalogSettings:
    return CatalogSettings(
        _env_file=None,
        catalog_database_url=backing.catalog_database_url,
        amqp_url=backing.amqp_url,
        secret_key=SECRET,
        log_json=False,
    )


def checkout_settings(database_url: str, amqp_url: str, catalog_url: str, **overrides: Any) -> Settings:
    return Settings(
        _env_file=None,
        checkout_database_url=database_url,
        amqp_url=amqp_url,
        catalog_url=catalog_url,
        secret_key=SECRET,
        log_json=False,
        **overrides,
    )


def internal_client(url: str) -> httpx.AsyncClient:
    token = Settings(_env_file=None, secret_key=SECRET).internal_token
    return httpx.AsyncClient(base_url=url, headers={INTERNAL_TOKEN_HEADER: token}, timeout=30)


def as_seller(seller_id: str) -> dict[str, str]:
    return {SELLER_ID_HEADER: seller_id}


@dataclass
class Shop:
    seller_id: str
    slug: str
    products: dict[str, str]  # name → id

    def cart(self, **overrides: Any) -> dict[str, Any]:
        """A valid checkout body: two dosas and a vada, cash on delivery."""
        body: dict[str, Any] = {
            "customer": {"name": "Asha", "phone": "+1 555 0100"},
            "delivery_address": {"line1": "12 Main St", "line2": "Apt 4", "city": "Springfield",
                                 "postal_code": "12345", "instructions": "Ring twice"},
            "payment_method": "cod",
            "items": [
                {"product_id": self.products["Masala Dosa"], "quantity": 2,
                 "custom_fields": {"spice": "Hot"}},
                {"product_id": self.products["Vada"], "quantity": 1},
            ],
        }  # fmt: skip
        body.update(overrides)
        return body


@dataclass
class Catalog:
    url: str
    client: httpx.AsyncClient

    async def open_shop(self, products: Sequence[dict[str, Any]] = PRODUCTS, **seller: Any) -> Shop:
        """A new seller (through signup) with its products, its settings PATCHed to `seller`."""
        n = next(_numbers)
        signup = {"email": f"cook{n}@example.com", "password": "password-123",
                  "business_name": f"Dosa Corner {n}", "phone": "+1 555 0102"}  # fmt: skip
        response = await self.client.post("/api/auth/signup", json=signup)
        assert response.status_code == 201, response.text
        created = response.json()["seller"]
        if seller:
            await self.patch_seller(created["id"], **seller)
        ids = {}
        for product in products:
            made = await self.client.post(
                "/api/seller/products", json=product, headers=as_seller(created["id"])
            )
            assert made.status_code == 201, made.text
            ids[product["name"]] = made.json()["id"]
        return Shop(created["id"], created["slug"], ids)

    async def patch_seller(self, seller_id: str, **fields: Any) -> None:
        response = await self.client.patch("/api/seller", json=fields, headers=as_seller(seller_id))
        assert response.status_code == 200, response.text


@dataclass
class Checkout:
    url: str
    client: httpx.AsyncClient
    settings: Settings

    async def place(
        self, shop: Shop, body: dict[str, Any] | None = None, key: str | None = None
    ) -> httpx.Response:
        headers = {"Idempotency-Key": key} if key is not None else {}
        return await self.client.post(
            f"/api/storefronts/{shop.slug}/orders", json=body or shop.cart(), headers=headers
        )

    async def placed(self, shop: Shop, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.place(shop, body)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    async def change(self, shop: Shop, order_id: str, what: str, **body: Any) -> httpx.Response:
        return await self.client.post(
            f"/api/seller/orders/{order_id}/{what}", json=body, headers=as_seller(shop.seller_id)
        )

    async def events(self, seller_id: str, **params: Any) -> dict[str, Any]:
        response = await self.client.get(f"/internal/sellers/{seller_id}/events", params=params)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


@asynccontextmanager
async def running_catalog(backing: Backing) -> AsyncIterator[Catalog]:
    settings = catalog_settings(backing)
    await asyncio.to_thread(migrate_catalog, settings.catalog_database_url)
    async with serve(create_catalog(settings)) as url, internal_client(url) as client:
        yield Catalog(url, client)


@asynccontextmanager
async def running_checkout(settings: Settings) -> AsyncIterator[Checkout]:
    await asyncio.to_thread(migrate_checkout, settings.checkout_database_url)
    async with serve(create_checkout(settings)) as url, internal_client(url) as client:
        yield Checkout(url, client, settings)


@dataclass
class Stack:
    backing: Backing
    catalog: Catalog
    checkout: Checkout


@asynccontextmanager
async def another_checkout(stack: Stack) -> AsyncIterator[tuple[Checkout, Runtime]]:
    """Another checkout process on the stack's database, whose runtime the test can reach."""
    app = create_checkout(stack.checkout.settings)
    async with serve(app) as url, internal_client(url) as client:
        yield Checkout(url, client, stack.checkout.settings), app.state.runtime


@pytest.fixture
async def stack(backing: Backing) -> AsyncIterator[Stack]:
    async with running_catalog(backing) as catalog:
        settings = checkout_settings(backing.checkout_database_url, backing.amqp_url, catalog.url)
        async with running_checkout(settings) as checkout:
            yield Stack(backing, catalog, checkout)


class EventInbox:
    """Order events as they arrive on a queue of the test's own, bound before anything is published."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[OrderEvent] = asyncio.Queue()

    async def handle(self, event: IntegrationEvent) -> None:
        assert isinstance(event, OrderEvent)
        await self.queue.put(event)

    async def take(self, count: int, timeout: float = EVENT_TIMEOUT_S) -> list[OrderEvent]:
        async with asyncio.timeout(timeout):
            return [await self.queue.get() for _ in range(count)]

    def empty(self) -> bool:
        return self.queue.empty()


@asynccontextmanager
async def listening(amqp_url: str) -> AsyncIterator[EventInbox]:
    broker = Broker(amqp_url, "checkout-test")
    inbox = EventInbox()
    broker.consume(inbox.handle, bindings=["order.#"])
    await broker.start()
    try:
        assert await broker.wait_connected(EVENT_TIMEOUT_S), "the test could not reach RabbitMQ"
        yield inbox
    finally:
        await broker.close()
