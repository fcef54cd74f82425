"""Idempotency-Key: one order per key and body, however often and however concurrently sent."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from services.checkout.db.tables import orders

from .conftest import Stack, as_seller, checkout_settings, running_checkout


async def count_orders(database_url: str) -> int:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(orders)) or 0)
    finally:
        await engine.dispose()


async def test_a_repeat_answers_200_with_the_same_order_as_it_is_now(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    first = await stack.checkout.place(shop, key="order-1")
    assert first.status_code == 201
    placed = first.json()
    # JSON-equal: the same body with its keys in another order and other spacing.
    reordered = dict(reversed(list(shop.cart().items())))
    again = await stack.checkout.place(shop, reordered, key="order-1")
    assert again.status_code == 200
    assert again.json() == placed

    accepted = await stack.checkout.change(shop, placed["order"]["id"], "status", status="accepted")
    assert accepted.status_code == 200
    await stack.catalog.patch_seller(shop.seller_id, accepting_orders=False)
    later = await stack.checkout.place(shop, key="order-1")
    assert later.status_code == 200
    assert later.json()["order"]["id"] == placed["order"]["id"]
    assert later.json()["customer_key"] == placed["customer_key"]
    assert later.json()["tracking_url"] == placed["tracking_url"]
    assert (later.json()["order"]["status"], later.json()["order"]["version"]) == ("accepted", 2)
    assert await count_orders(stack.backing.checkout_database_url) == 1


async def test_a_different_body_with_a_used_key_is_422(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    assert (await stack.checkout.place(shop, key="k")).status_code == 201
    other = shop.cart(customer={"name": "Ravi", "phone": "+1 555 0100"})
    response = await stack.checkout.place(shop, other, key="k")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert await count_orders(stack.backing.checkout_database_url) == 1


async def test_a_refused_request_does_not_use_up_its_key(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    assert (await stack.checkout.place(shop, shop.cart(items=[]), key="retry-me")).status_code == 422
    bad_option = shop.cart(items=[{"product_id": shop.products["Masala Dosa"], "quantity": 1}])
    assert (await stack.checkout.place(shop, bad_option, key="retry-me")).status_code == 422
    await stack.catalog.patch_seller(shop.seller_id, accepting_orders=False)
    assert (await stack.checkout.place(shop, key="retry-me")).status_code == 409
    await stack.catalog.patch_seller(shop.seller_id, accepting_orders=True)
    assert (await stack.checkout.place(shop, key="retry-me")).status_code == 201


async def test_keys_are_scoped_to_the_storefront(stack: Stack) -> None:
    one, two = await stack.catalog.open_shop(), await stack.catalog.open_shop()
    a = await stack.checkout.place(one, key="same")
    b = await stack.checkout.place(two, key="same")
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["order"]["id"] != b.json()["order"]["id"]


async def test_malformed_keys_are_422(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    for key in ("x" * 256, "café", "tab\tkey"):
        response = await stack.checkout.client.post(
            f"/api/storefronts/{shop.slug}/orders",
            json=shop.cart(),
            headers=[(b"Idempotency-Key", key.encode())],
        )
        assert response.status_code == 422, key
        assert response.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert (await stack.checkout.place(shop, key="x" * 255)).status_code == 201
    assert (await stack.checkout.place(shop, key="a b/c?d=e&f~")).status_code == 201


async def test_twenty_concurrent_repeats_make_exactly_one_order(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    responses = await asyncio.gather(*(stack.checkout.place(shop, key="burst") for _ in range(20)))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] * 19 + [201]
    bodies = [response.json() for response in responses]
    assert len({body["order"]["id"] for body in bodies}) == 1
    assert len({body["customer_key"] for body in bodies}) == 1
    assert await count_orders(stack.backing.checkout_database_url) == 1
    listing = await stack.checkout.client.get("/api/seller/orders", headers=as_seller(shop.seller_id))
    assert listing.json()["head_seq"] == 1
    events = await stack.checkout.events(shop.seller_id, after=0)
    assert [event["seq"] for event in events["events"]] == [1]


async def test_a_repeat_is_answered_while_the_catalog_is_down(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    placed = (await stack.checkout.place(shop, key="offline")).json()
    dead_catalog = "http://127.0.0.1:9"  # the discard port: nothing listens
    settings = checkout_settings(stack.backing.checkout_database_url, stack.backing.amqp_url, dead_catalog)
    async with running_checkout(settings) as lonely:
        repeat = await lonely.place(shop, key="offline")
        assert repeat.status_code == 200
        assert repeat.json()["order"]["id"] == placed["order"]["id"]
        fresh = await lonely.place(shop, key="new-key")
        assert fresh.status_code == 503
        assert fresh.headers["Retry-After"]
        assert fresh.json() == {"detail": "the store's catalog is unavailable; try again shortly"}
