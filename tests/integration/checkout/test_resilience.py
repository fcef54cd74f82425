"""Outages: a broker that is away does not fail checkout; a database that is away gives 503."""

from __future__ import annotations

import asyncio

import httpx

from services.checkout.main import create_app
from tests.conftest import Backing
from tests.infra import free_port
from tests.servers import serve

from .conftest import (
    EVENT_TIMEOUT_S,
    Checkout,
    EventInbox,
    Shop,
    Stack,
    as_seller,
    checkout_settings,
    internal_client,
    listening,
    running_catalog,
    running_checkout,
)
from .tcp_proxy import TcpProxy


async def wait_until_ready(client: httpx.AsyncClient, timeout: float = EVENT_TIMEOUT_S) -> None:
    async with asyncio.timeout(timeout):
        while True:
            if (await client.get("/readyz")).status_code == 200:
                return
            await asyncio.sleep(0.1)


async def test_orders_placed_while_the_broker_is_away_are_published_in_order_when_it_is_back(
    backing: Backing,
) -> None:
    # A checkout of its own on its own database: another checkout's relay on the same outbox
    # would publish these events through its own connection.
    proxy = TcpProxy.for_url(backing.amqp_url)  # not listening yet: the broker is unreachable
    async with running_catalog(backing) as catalog:
        settings = checkout_settings(
            backing.checkout_database_url,
            proxy.url_through(backing.amqp_url),
            catalog.url,
            checkout_broker_start_wait_s=0.1,
        )
        async with listening(backing.amqp_url) as inbox, running_checkout(settings) as checkout:
            shop = await catalog.open_shop()
            await _place_while_the_broker_is_away(checkout, shop, inbox)
            await _publish_when_the_broker_is_back(checkout, shop, inbox, proxy)


async def _place_while_the_broker_is_away(checkout: Checkout, shop: Shop, inbox: EventInbox) -> None:
    readiness = await checkout.client.get("/readyz")
    assert readiness.status_code == 503
    assert readiness.json()["checks"] == {"database": "ok", "broker": "down"}
    placed = [await checkout.placed(shop) for _ in range(3)]
    changed = await checkout.change(shop, placed[0]["order"]["id"], "status", status="accepted")
    assert changed.status_code == 200
    log = await checkout.events(shop.seller_id, after=0)
    assert [e["seq"] for e in log["events"]] == [1, 2, 3, 4]  # the event log does not need the broker
    assert [e["order_id"] for e in log["events"][:3]] == [p["order"]["id"] for p in placed]
    assert inbox.empty()


async def _publish_when_the_broker_is_back(
    checkout: Checkout, shop: Shop, inbox: EventInbox, proxy: TcpProxy
) -> None:
    await proxy.start()
    try:
        events = await inbox.take(4, timeout=30)
        assert [(e.seq, e.type) for e in events] == [
            (1, "order.placed"),
            (2, "order.placed"),
            (3, "order.placed"),
            (4, "order.status_changed"),
        ]
        await wait_until_ready(checkout.client)
        await checkout.placed(shop)
        assert [e.seq for e in await inbox.take(1)] == [5]
    finally:
        await proxy.stop()


async def test_a_database_outage_answers_503_with_retry_after(stack: Stack) -> None:
    closed = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nowhere"
    settings = checkout_settings(closed, stack.backing.amqp_url, stack.catalog.url)
    shop = await stack.catalog.open_shop()
    async with serve(create_app(settings)) as url, internal_client(url) as client:
        for method, path, body in (
            ("GET", "/api/seller/orders", None),
            ("GET", "/api/seller/orders/x", None),
            ("POST", "/api/seller/orders/x/status", {"status": "accepted"}),
            ("GET", "/api/orders/x?key=k", None),
            ("GET", f"/internal/sellers/{shop.seller_id}/events?after=0", None),
            ("POST", f"/api/storefronts/{shop.slug}/orders", shop.cart()),
        ):
            response = await client.request(method, path, json=body, headers=as_seller(shop.seller_id))
            assert response.status_code == 503, (path, response.text)
            assert response.headers["Retry-After"]
            assert "detail" in response.json()
        readiness = await client.get("/readyz")
        assert readiness.status_code == 503
        assert readiness.json()["checks"]["database"] == "down"


async def test_operator_endpoints_and_the_internal_token(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    await stack.checkout.placed(shop)
    async with httpx.AsyncClient(base_url=stack.checkout.url) as outsider:
        assert (await outsider.get("/healthz")).json() == {"status": "ok"}
        ready = await outsider.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {
            "status": "ok",
            "service": "checkout",
            "checks": {"database": "ok", "broker": "ok"},
        }
        metrics = (await outsider.get("/metrics")).text
        assert "santhai_orders_placed_total" in metrics
        for path in (
            f"/api/storefronts/{shop.slug}/orders",
            "/api/seller/orders",
            f"/internal/sellers/{shop.seller_id}/events?after=0",
            "/api/orders/x?key=y",
        ):
            for headers in ({}, {"X-Internal-Token": "wrong"}):
                response = await outsider.get(path, headers={**headers, **as_seller(shop.seller_id)})
                assert response.status_code == 403, path
                assert response.json() == {"detail": "internal endpoint"}
