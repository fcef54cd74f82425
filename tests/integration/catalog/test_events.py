"""SellerSettingsChanged: written to the outbox with the change, published to RabbitMQ, and
delivered later by the relay when RabbitMQ was down."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.catalog.db.tables import outbox
from shared.db import make_engine
from shared.events import SellerSettingsChanged
from tests.conftest import Backing
from tests.infra import free_port

from .conftest import Catalog, catalog_settings, listening, running_catalog

SETTINGS_CHANGED = SellerSettingsChanged.EVENT_TYPE


@asynccontextmanager
async def database(url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(url, pool_size=1)
    try:
        yield engine
    finally:
        await engine.dispose()


async def outbox_rows(url: str) -> list[Any]:
    async with database(url) as engine, engine.connect() as conn:
        return list((await conn.execute(select(outbox).order_by(outbox.c.id))).mappings())


async def marked_rows(url: str, within_s: float = 5.0) -> list[Any]:
    """The outbox rows once every one is marked published (marking happens in the background)."""
    async with asyncio.timeout(within_s):
        while True:
            rows = await outbox_rows(url)
            if all(row["published_at"] is not None for row in rows):
                return rows
            await asyncio.sleep(0.05)


async def test_turning_realtime_on_and_off_publishes_settings_changed(
    catalog: Catalog, backing: Backing
) -> None:
    seller_id = await catalog.seller()
    headers = catalog.as_seller(seller_id)
    async with listening(backing.amqp_url, SETTINGS_CHANGED) as inbox:
        on = await catalog.client.patch("/api/seller", json={"realtime_enabled": True}, headers=headers)
        assert on.status_code == 200
        event = await inbox.next(seller_id)
        assert isinstance(event, SellerSettingsChanged)
        assert (event.seller_id, event.realtime_enabled, event.accepting_orders) == (seller_id, True, True)

        # Changes that are not about orders, or that change nothing, publish nothing: the next
        # event on the queue is the one about the next real change.
        for body in ({"business_name": "Renamed", "currency": "EUR"}, {"realtime_enabled": True}):
            assert (await catalog.client.patch("/api/seller", json=body, headers=headers)).status_code == 200
        off = await catalog.client.patch(
            "/api/seller", json={"realtime_enabled": False, "accepting_orders": False}, headers=headers
        )
        assert off.status_code == 200
        event = await inbox.next(seller_id)
        assert isinstance(event, SellerSettingsChanged)
        assert (event.realtime_enabled, event.accepting_orders) == (False, False)
        assert inbox.pending_for(seller_id) == []

    rows = await marked_rows(backing.catalog_database_url)
    assert [row["event_type"] for row in rows] == [SETTINGS_CHANGED, SETTINGS_CHANGED]
    assert all(row["seller_id"] == seller_id for row in rows)


async def test_a_refused_patch_writes_no_event(catalog: Catalog, backing: Backing) -> None:
    seller_id = await catalog.seller()
    response = await catalog.client.patch(
        "/api/seller",
        json={"realtime_enabled": True, "timezone": "Nowhere/Special"},
        headers=catalog.as_seller(seller_id),
    )
    assert response.status_code == 422
    assert await outbox_rows(backing.catalog_database_url) == []


async def test_without_rabbitmq_the_catalog_serves_and_the_relay_publishes_later(backing: Backing) -> None:
    dead_broker = f"amqp://guest:guest@127.0.0.1:{free_port()}/"
    settings = catalog_settings(backing.catalog_database_url, dead_broker, catalog_broker_start_wait_s=0.2)
    async with running_catalog(settings) as catalog:
        ready = await catalog.client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"] == {"database": "ok", "broker": "down"}
        assert ready.headers["retry-after"]
        assert (await catalog.client.get("/healthz")).status_code == 200

        seller_id = await catalog.seller()
        response = await catalog.client.patch(
            "/api/seller", json={"realtime_enabled": True}, headers=catalog.as_seller(seller_id)
        )
        assert response.status_code == 200
        assert response.json()["realtime_enabled"] is True
    [row] = await outbox_rows(backing.catalog_database_url)
    assert row["published_at"] is None

    # The same database with RabbitMQ reachable again: the relay publishes what was left.
    async with listening(backing.amqp_url, SETTINGS_CHANGED) as inbox:
        settings = catalog_settings(backing.catalog_database_url, backing.amqp_url)
        async with running_catalog(settings):
            event = await inbox.next(seller_id)
            assert isinstance(event, SellerSettingsChanged)
            assert (event.id, event.seller_id, event.realtime_enabled) == (row["event_id"], seller_id, True)
    [row] = await outbox_rows(backing.catalog_database_url)
    assert row["published_at"] is not None
