"""A checkout of a storefront checkout has a context for locks the seller's counter while the
catalog's answer is on its way (PostgreSQL). Whatever that answer, the outcome is the one asking
the catalog first gives: nothing written for a refusal, no seq used up, no lock left held."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import asyncpg
import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from services.checkout.catalog_client import CatalogUnavailable, StorefrontNotFound
from services.checkout.db import counters, transactions
from services.checkout.db.counters import Counter
from services.checkout.domain.context import CheckoutContext
from services.checkout.runtime import Runtime

from .conftest import Checkout, Shop, Stack, another_checkout, as_seller

LOCK_WAIT_S = 5.0  # how long the held-back catalog answer waits for the counter lock


class Gate:
    """Holds each of the catalog's answers to checkout back until a transaction has locked a
    seller's counter, then gives it (or `fail_with`) after `delay_s` more."""

    def __init__(self, runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
        self.locked = asyncio.Event()
        self.fail_with: Exception | None = None
        self.delay_s = 0.0
        self.lock_fails = False
        ask = runtime.catalog.checkout_context

        async def checkout_context(slug: str) -> CheckoutContext:
            try:
                answer = await ask(slug)
            finally:
                await asyncio.wait_for(self.locked.wait(), LOCK_WAIT_S)
                await asyncio.sleep(self.delay_s)
            if self.fail_with is not None:
                raise self.fail_with
            return answer

        async def lock_counter(session: AsyncSession, seller_id: str) -> Counter:
            if self.lock_fails:
                self.locked.set()
                raise OperationalError("lock_counter", {}, ConnectionError("the database went away"))
            counter = await counters.lock_counter(session, seller_id)
            self.locked.set()
            return counter

        monkeypatch.setattr(runtime.catalog, "checkout_context", checkout_context)
        monkeypatch.setattr(transactions, "lock_counter", lock_counter)

    async def fail(self, failure: Exception) -> None:
        self.fail_with = failure


async def head_and_orders(checkout: Checkout, shop: Shop) -> tuple[int, int]:
    listing = await checkout.client.get("/api/seller/orders", headers=as_seller(shop.seller_id))
    return listing.json()["head_seq"], len(listing.json()["orders"])


async def connect(stack: Stack) -> asyncpg.Connection:
    return await asyncpg.connect(
        stack.backing.checkout_database_url.replace("postgresql+asyncpg", "postgresql")
    )


async def counter_lock_is_free(stack: Stack, seller_id: str) -> bool:
    connection = await connect(stack)
    try:
        async with connection.transaction():
            await connection.execute(
                "SELECT 1 FROM seller_counters WHERE seller_id = $1 FOR UPDATE NOWAIT", seller_id
            )
        return True
    except asyncpg.LockNotAvailableError:
        return False
    finally:
        await connection.close()


async def test_a_refusal_after_the_lock_leaves_no_order_no_gap_and_no_lock(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = await stack.catalog.open_shop()
    async with another_checkout(stack) as (checkout, runtime):
        assert (await checkout.placed(shop))["order"]["token_number"] == "A-001"  # the context is held
        gate = Gate(runtime, monkeypatch)
        refusals: list[tuple[int, Callable[[], Awaitable[None]]]] = [
            (503, lambda: gate.fail(CatalogUnavailable("catalog answered 503"))),
            (404, lambda: gate.fail(StorefrontNotFound(shop.slug))),
            (409, lambda: stack.catalog.patch_seller(shop.seller_id, accepting_orders=False)),
            (422, lambda: _dosa_unavailable(stack, shop)),
        ]
        for status, refuse in refusals:
            await refuse()
            gate.locked.clear()
            response = await checkout.place(shop, key="refused")
            assert response.status_code == status, response.text
            assert gate.locked.is_set(), "the counter was locked while the catalog answered"
            assert await head_and_orders(checkout, shop) == (1, 1)
            assert await counter_lock_is_free(stack, shop.seller_id)
            gate.fail_with = None
        await stack.catalog.patch_seller(shop.seller_id, accepting_orders=True)
        await stack.catalog.client.patch(
            f"/api/seller/products/{shop.products['Masala Dosa']}",
            json={"available": True},
            headers=as_seller(shop.seller_id),
        )
        placed = await checkout.place(shop, key="refused")  # a refusal did not use the key up
        assert placed.status_code == 201, placed.text
        assert placed.json()["order"]["token_number"] == "A-002"
        log = await checkout.events(shop.seller_id, after=0)
        assert [event["seq"] for event in log["events"]] == [1, 2]


async def _dosa_unavailable(stack: Stack, shop: Shop) -> None:
    await stack.catalog.patch_seller(shop.seller_id, accepting_orders=True)
    response = await stack.catalog.client.patch(
        f"/api/seller/products/{shop.products['Masala Dosa']}",
        json={"available": False},
        headers=as_seller(shop.seller_id),
    )
    assert response.status_code == 200, response.text


async def test_a_storefront_now_of_another_seller_is_placed_for_that_seller(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = await stack.catalog.open_shop()
    async with another_checkout(stack) as (checkout, runtime):
        await checkout.placed(shop)
        etag, context = runtime.catalog._held[shop.slug]
        former = context.model_copy(update={"seller": context.seller.model_copy(update={"id": "s-former"})})
        runtime.catalog._held[shop.slug] = ('"stale"', former)  # the catalog answers 200
        gate = Gate(runtime, monkeypatch)
        placed = await checkout.placed(shop)
        assert gate.locked.is_set()
        assert placed["order"]["token_number"] == "A-002"
        assert await head_and_orders(checkout, shop) == (2, 2)
        connection = await connect(stack)
        try:
            rows = await connection.fetchval(
                "SELECT count(*) FROM seller_counters WHERE seller_id = 's-former'"
            )
        finally:
            await connection.close()
        assert rows == 0, "the former seller's counter was made in a transaction that was rolled back"
        assert runtime.catalog._held[shop.slug] == (etag, context)


async def test_a_slow_catalog_does_not_hold_the_sellers_lock(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = await stack.catalog.open_shop()
    async with another_checkout(stack) as (checkout, runtime):
        first = await checkout.placed(shop)
        gate = Gate(runtime, monkeypatch)
        gate.delay_s = 1.0
        slow = asyncio.create_task(checkout.place(shop))
        await asyncio.wait_for(gate.locked.wait(), LOCK_WAIT_S)
        started = time.monotonic()
        accepted = await checkout.change(shop, first["order"]["id"], "status", status="accepted")
        assert accepted.status_code == 200
        assert time.monotonic() - started < 0.8, "the status change waited for the catalog"
        assert (await slow).status_code == 201
        log = await checkout.events(shop.seller_id, after=0)
        assert [(e["seq"], e["type"]) for e in log["events"]] == [
            (1, "order.placed"),
            (2, "order.status_changed"),
            (3, "order.placed"),
        ]


async def test_the_catalogs_refusal_comes_before_a_database_failure(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = await stack.catalog.open_shop()
    async with another_checkout(stack) as (checkout, runtime):
        await checkout.placed(shop)
        gate = Gate(runtime, monkeypatch)
        gate.lock_fails = True
        assert (await checkout.place(shop)).status_code == 503  # the catalog was fine
        gate.fail_with = StorefrontNotFound(shop.slug)
        assert (await checkout.place(shop)).status_code == 404  # as when the catalog is asked first


async def test_concurrent_checkouts_of_a_seller_in_two_processes_get_consecutive_seqs(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    async with another_checkout(stack) as (other, _runtime):
        await stack.checkout.placed(shop)
        await other.placed(shop)
        burst = [checkout.place(shop) for _ in range(15) for checkout in (stack.checkout, other)]
        responses = await asyncio.gather(*burst)
        assert [response.status_code for response in responses] == [201] * 30
        tokens = {response.json()["order"]["token_number"] for response in responses}
        assert tokens == {f"A-{n:03d}" for n in range(3, 33)}
        log = await stack.checkout.events(shop.seller_id, after=0)
        assert [event["seq"] for event in log["events"]] == list(range(1, 33))


async def test_a_price_change_counts_for_the_next_checkout(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    assert (await stack.checkout.placed(shop))["order"]["total_cents"] == 2 * 450 + 199
    for price in (500, 525):
        changed = await stack.catalog.client.patch(
            f"/api/seller/products/{shop.products['Masala Dosa']}",
            json={"price_cents": price},
            headers=as_seller(shop.seller_id),
        )
        assert changed.status_code == 200
        assert (await stack.checkout.placed(shop))["order"]["total_cents"] == 2 * price + 199
