"""The real catalog and checkout, served on this test's own PostgreSQL databases and RabbitMQ
vhost, and notifiers in front of them; a websockets client connects straight to a notifier
with the internal token, as the gateway does."""

from __future__ import annotations

import asyncio
import importlib
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from services.catalog.config import Settings as CatalogSettings
from services.catalog.main import create_app as create_catalog
from services.checkout.config import Settings as CheckoutSettings
from services.checkout.main import create_app as create_checkout
from services.notifier.config import Settings as NotifierSettings
from services.notifier.main import create_app as create_notifier
from shared.security import INTERNAL_TOKEN_HEADER, SELLER_ID_HEADER
from tests.conftest import Backing
from tests.servers import serve

SECRET = "notifier-integration-tests-secret-0123456789"
FRAME_TIMEOUT_S = 5.0
INTERNAL_TOKEN = NotifierSettings(_env_file=None, secret_key=SECRET).internal_token

ORDER_BODY: dict[str, Any] = {
    "customer": {"name": "Asha", "phone": "+1 555 0100"},
    "delivery_address": {"line1": "12 Main St", "city": "Springfield"},
    "payment_method": "cod",
}


def _migrate(service: str, url: str) -> None:
    importlib.import_module(f"services.{service}.db").migrate(url)


@dataclass
class SellerAccount:
    id: str
    token: str
    slug: str
    product_id: str


@dataclass
class Stack:
    """Catalog and checkout running; clients that talk to them as the gateway does."""

    backing: Backing
    catalog_url: str
    checkout_url: str
    catalog: httpx.AsyncClient
    checkout: httpx.AsyncClient
    _numbers: Iterator[int] = field(default_factory=lambda: iter(range(1_000_000)))

    def notifier_settings(self, **overrides: Any) -> NotifierSettings:
        values: dict[str, Any] = {
            "amqp_url": self.backing.amqp_url,
            "catalog_url": self.catalog_url,
            "checkout_url": self.checkout_url,
            "secret_key": SECRET,
            "log_json": False,
            **overrides,
        }
        return NotifierSettings(_env_file=None, **values)

    async def seller(self, *, realtime: bool = True) -> SellerAccount:
        n = next(self._numbers)
        signup = {"email": f"seller{n}@example.com", "password": "password-123", "business_name": f"Shop {n}"}
        response = await self.catalog.post("/api/auth/signup", json=signup)
        assert response.status_code == 201, response.text
        body = response.json()
        account = SellerAccount(body["seller"]["id"], body["access_token"], body["seller"]["slug"], "")
        product = {"name": "Masala dosa", "price_cents": 450}
        response = await self.catalog.post(
            "/api/seller/products", json=product, headers=self.as_seller(account)
        )
        assert response.status_code == 201, response.text
        account.product_id = response.json()["id"]
        if realtime:
            await self.set_realtime(account, True)
        return account

    def as_seller(self, account: SellerAccount) -> dict[str, str]:
        return {SELLER_ID_HEADER: account.id}

    async def set_realtime(self, account: SellerAccount, enabled: bool) -> None:
        response = await self.catalog.patch(
            "/api/seller", json={"realtime_enabled": enabled}, headers=self.as_seller(account)
        )
        assert response.status_code == 200, response.text

    async def place_order(self, account: SellerAccount, quantity: int = 1) -> dict[str, Any]:
        """Returns checkout's answer: {order, customer_key, tracking_url}."""
        body = {**ORDER_BODY, "items": [{"product_id": account.product_id, "quantity": quantity}]}
        response = await self.checkout.post(f"/api/storefronts/{account.slug}/orders", json=body)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    async def change_status(self, account: SellerAccount, order_id: str, status: str) -> dict[str, Any]:
        response = await self.checkout.post(
            f"/api/seller/orders/{order_id}/status", json={"status": status}, headers=self.as_seller(account)
        )
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def seller_order(self, account: SellerAccount, order_id: str) -> dict[str, Any]:
        response = await self.checkout.get(f"/api/seller/orders/{order_id}", headers=self.as_seller(account))
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def events(self, account: SellerAccount, after: int) -> list[dict[str, Any]]:
        response = await self.checkout.get(f"/internal/sellers/{account.id}/events", params={"after": after})
        assert response.status_code == 200, response.text
        events: list[dict[str, Any]] = response.json()["events"]
        return events


@asynccontextmanager
async def running_stack(backing: Backing) -> AsyncIterator[Stack]:
    # One after the other: Alembic keeps global state and is not safe to run in two threads.
    await asyncio.to_thread(_migrate, "catalog", backing.catalog_database_url)
    await asyncio.to_thread(_migrate, "checkout", backing.checkout_database_url)
    catalog_settings = CatalogSettings(
        _env_file=None,
        catalog_database_url=backing.catalog_database_url,
        amqp_url=backing.amqp_url,
        secret_key=SECRET,
        log_json=False,
    )
    headers = {INTERNAL_TOKEN_HEADER: INTERNAL_TOKEN}
    async with serve(create_catalog(catalog_settings)) as catalog_url:
        checkout_settings = CheckoutSettings(
            _env_file=None,
            checkout_database_url=backing.checkout_database_url,
            amqp_url=backing.amqp_url,
            catalog_url=catalog_url,
            secret_key=SECRET,
            log_json=False,
        )
        async with (
            serve(create_checkout(checkout_settings)) as checkout_url,
            httpx.AsyncClient(base_url=catalog_url, headers=headers, timeout=30) as catalog,
            httpx.AsyncClient(base_url=checkout_url, headers=headers, timeout=30) as checkout,
        ):
            yield Stack(backing, catalog_url, checkout_url, catalog, checkout)


@pytest.fixture
async def stack(backing: Backing) -> AsyncIterator[Stack]:
    async with running_stack(backing) as running:
        yield running


@asynccontextmanager
async def running_notifier(stack: Stack, **overrides: Any) -> AsyncIterator[str]:
    """A notifier app served on a free port, consuming from the stack's vhost; yields its ws:// URL."""
    app = create_notifier(stack.notifier_settings(**overrides))
    async with serve(app) as url:
        runtime = app.state.runtime
        assert await runtime.broker.wait_connected(10), "the notifier could not reach RabbitMQ"
        yield url.replace("http://", "ws://")


@pytest.fixture
async def notifier(stack: Stack) -> AsyncIterator[str]:
    async with running_notifier(stack) as url:
        yield url


class Socket:
    """A client socket straight to a notifier; `next` skips heartbeats."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.head_seq: int | None = None  # from the `subscribed` answer of a dashboard

    async def send(self, frame: dict[str, Any] | str | bytes) -> None:
        await self.connection.send(json.dumps(frame) if isinstance(frame, dict) else frame)

    async def next(self, timeout: float = FRAME_TIMEOUT_S) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            while True:
                frame: dict[str, Any] = json.loads(await self.connection.recv())
                if frame["type"] != "heartbeat":
                    return frame

    async def next_events(self, count: int, timeout: float = FRAME_TIMEOUT_S) -> list[dict[str, Any]]:
        return [await self.next(timeout) for _ in range(count)]

    async def nothing_within(self, seconds: float) -> None:
        """Assert that no frame but heartbeats arrives within `seconds`."""
        try:
            frame = await self.next(seconds)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected frame {frame}")

    async def close_code(self, timeout: float = FRAME_TIMEOUT_S) -> int | None:
        """Read (and ignore) frames until the server closes; the close code it sent."""
        async with asyncio.timeout(timeout):
            try:
                while True:
                    await self.connection.recv()
            except ConnectionClosed as closed:
                return closed.rcvd.code if closed.rcvd else None

    async def close(self) -> None:
        await self.connection.close()


@asynccontextmanager
async def open_socket(url: str, path: str, headers: dict[str, str] | None = None) -> AsyncIterator[Socket]:
    async with connect(
        url + path, additional_headers={INTERNAL_TOKEN_HEADER: INTERNAL_TOKEN, **(headers or {})}
    ) as connection:
        yield Socket(connection)


@asynccontextmanager
async def seller_socket(
    url: str, account: SellerAccount, *, last_seq: int | None = None, by_cookie: bool = False
) -> AsyncIterator[Socket]:
    """A dashboard subscribed with the token (or, as the gateway does for a cookie session,
    with X-Seller-Id); the `subscribed` answer has been read and checked."""
    headers = {SELLER_ID_HEADER: account.id} if by_cookie else {}
    async with open_socket(url, "/ws/seller", headers) as socket:
        subscribe: dict[str, Any] = {"type": "subscribe"}
        if not by_cookie:
            subscribe["token"] = account.token
        if last_seq is not None:
            subscribe["last_seq"] = last_seq
        await socket.send(subscribe)
        answer = await socket.next()
        assert answer["type"] == "subscribed", answer
        assert answer["seller_id"] == account.id
        socket.head_seq = answer["head_seq"]
        yield socket


@asynccontextmanager
async def order_socket(url: str, order_id: str, key: str) -> AsyncIterator[tuple[Socket, dict[str, Any]]]:
    """A customer's tracking socket, subscribed; yields it and the order it was answered with."""
    async with open_socket(url, f"/ws/orders/{order_id}") as socket:
        await socket.send({"type": "subscribe", "key": key})
        answer = await socket.next()
        assert answer["type"] == "subscribed", answer
        yield socket, answer["order"]
