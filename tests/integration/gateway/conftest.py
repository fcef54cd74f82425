"""The whole system served in-process: catalog, checkout, notifier(s) and the gateway in front,
on this test's own PostgreSQL databases and RabbitMQ vhost. Tests talk to the gateway only."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from http.cookiejar import DefaultCookiePolicy
from itertools import count
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.catalog.config import Settings as CatalogSettings
from services.catalog.main import create_app as create_catalog
from services.checkout.config import Settings as CheckoutSettings
from services.checkout.main import create_app as create_checkout
from services.gateway.config import Settings as GatewaySettings
from services.gateway.main import create_app as create_gateway
from services.notifier.config import Settings as NotifierSettings
from services.notifier.main import create_app as create_notifier
from shared.db import run_migrations
from tests.conftest import Backing
from tests.infra import RUN_ID, Postgres, RabbitMQ, free_port
from tests.servers import serve

SECRET = "gateway-integration-tests-secret-0123456789"
ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "password-123"


@dataclass
class Service:
    """One service served on a fixed port; it can be stopped and started again on that port."""

    name: str
    port: int
    make_app: Callable[[], FastAPI]
    _stack: AsyncExitStack | None = None

    async def start(self) -> None:
        if self._stack is None:
            stack = AsyncExitStack()
            await stack.enter_async_context(serve(self.make_app(), self.port))
            self._stack = stack

    async def stop(self) -> None:
        stack, self._stack = self._stack, None
        if stack is not None:
            await stack.aclose()


@dataclass
class System:
    gateway_url: str
    settings: GatewaySettings
    services: dict[str, Service]
    client: httpx.AsyncClient  # keeps no cookies: tests pass credentials explicitly
    _emails: count[int] = field(default_factory=count)

    @property
    def ws_url(self) -> str:
        return self.gateway_url.replace("http://", "ws://", 1)

    @property
    def origin(self) -> str:
        return self.gateway_url

    def new_email(self) -> str:
        return f"seller{next(self._emails)}@example.com"

    async def signup(self, **body: Any) -> httpx.Response:
        payload = {"email": self.new_email(), "password": PASSWORD, "business_name": "Asha's Kitchen"}
        response = await self.client.post("/api/auth/signup", json={**payload, **body})
        assert response.status_code == 201, response.text
        return response

    async def seller(self, **body: Any) -> tuple[dict[str, Any], str]:
        """A new seller (as signup returned it) and its access token."""
        data = (await self.signup(**body)).json()
        return data["seller"], data["access_token"]

    async def realtime_seller_with_product(self) -> tuple[dict[str, Any], str, dict[str, Any]]:
        _, token = await self.seller()
        auth = bearer(token)
        patched = await self.client.patch("/api/seller", json={"realtime_enabled": True}, headers=auth)
        assert patched.status_code == 200, patched.text
        product = await self.client.post(
            "/api/seller/products", json={"name": "Masala Dosa", "price_cents": 450}, headers=auth
        )
        assert product.status_code == 201, product.text
        return patched.json(), token, product.json()

    async def place_order(self, slug: str, product_id: str, **headers: str) -> httpx.Response:
        return await self.client.post(
            f"/api/storefronts/{slug}/orders", json=order_body(product_id), headers=headers
        )


def keep_no_cookies(client: httpx.AsyncClient) -> None:
    """The client stores no cookie: each test says which credentials a request carries."""
    client.cookies.jar.set_policy(DefaultCookiePolicy(allowed_domains=[]))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def order_body(product_id: str) -> dict[str, Any]:
    return {
        "customer": {"name": "Ravi", "phone": "+1 555 0100"},
        "delivery_address": {"line1": "12 Main St", "city": "Springfield"},
        "payment_method": "cod",
        "items": [{"product_id": product_id, "quantity": 2}],
    }


def common_settings(backing: Backing, ports: dict[str, int], **overrides: Any) -> dict[str, Any]:
    return {
        "_env_file": None,
        "secret_key": SECRET,
        "amqp_url": backing.amqp_url,
        "catalog_database_url": backing.catalog_database_url,
        "checkout_database_url": backing.checkout_database_url,
        "gateway_port": ports["gateway"],
        "catalog_port": ports["catalog"],
        "checkout_port": ports["checkout"],
        "notifier_port": ports["notifier"],
        "public_base_url": f"http://127.0.0.1:{ports['gateway']}",
        "log_json": False,
        **overrides,
    }


def _migrate(backing: Backing) -> None:
    run_migrations(ROOT / "services/catalog/db/migrations", backing.catalog_database_url)
    run_migrations(ROOT / "services/checkout/db/migrations", backing.checkout_database_url)


def service_apps(settings: dict[str, Any], notifiers: int) -> list[tuple[str, int, Callable[[], FastAPI]]]:
    apps: list[tuple[str, int, Callable[[], FastAPI]]] = [
        ("catalog", settings["catalog_port"], lambda: create_catalog(CatalogSettings(**settings))),
        ("checkout", settings["checkout_port"], lambda: create_checkout(CheckoutSettings(**settings))),
    ]
    ports = [settings["notifier_port"], *(free_port() for _ in range(notifiers - 1))]
    for i, port in enumerate(ports):
        notifier_settings = NotifierSettings(**{**settings, "notifier_port": port})
        name = "notifier" if i == 0 else f"notifier-{i + 1}"
        apps.append((name, port, lambda s=notifier_settings: create_notifier(s)))  # type: ignore[misc]
    return apps


@asynccontextmanager
async def running_system(
    backing: Backing, *, notifiers: int = 1, **gateway_overrides: Any
) -> AsyncIterator[System]:
    ports = {name: free_port() for name in ("gateway", "catalog", "checkout", "notifier")}
    settings = common_settings(backing, ports)
    await asyncio.to_thread(_migrate, backing)
    services = {name: Service(name, port, make) for name, port, make in service_apps(settings, notifiers)}
    notifier_urls = ",".join(
        f"ws://127.0.0.1:{s.port}" for s in services.values() if s.name.startswith("notifier")
    )
    gateway_settings = GatewaySettings(**{**settings, "notifier_urls": notifier_urls, **gateway_overrides})
    services["gateway"] = Service("gateway", ports["gateway"], lambda: create_gateway(gateway_settings))
    try:
        for service in services.values():
            await service.start()
        url = f"http://127.0.0.1:{ports['gateway']}"
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            keep_no_cookies(client)
            yield System(url, gateway_settings, services, client)
    finally:
        for service in reversed(services.values()):
            with contextlib.suppress(Exception):
                await service.stop()


@pytest.fixture
async def system(backing: Backing) -> AsyncIterator[System]:
    """A system of this test's own, with the production defaults (rate limits on)."""
    async with running_system(backing) as running:
        yield running


_modules = count()


@pytest.fixture(scope="module")
def module_backing(postgres: Postgres, rabbitmq: RabbitMQ) -> Iterator[Backing]:
    """Like `backing`, for a whole module: creating and dropping them costs seconds per test."""
    name = f"santhai_{RUN_ID}_gateway_{next(_modules)}"
    backing = Backing(
        catalog_database_url=postgres.create_database(f"{name}_catalog"),
        checkout_database_url=postgres.create_database(f"{name}_checkout"),
        amqp_url=rabbitmq.create_vhost(name),
    )
    yield backing
    postgres.drop_database(f"{name}_catalog")
    postgres.drop_database(f"{name}_checkout")
    rabbitmq.delete_vhost(name)


@pytest.fixture(scope="module")
async def shared_system(module_backing: Backing) -> AsyncIterator[System]:
    """One system for the tests of a module that neither stop services nor count toward limits."""
    async with running_system(module_backing, rate_limits="off") as running:
        yield running
