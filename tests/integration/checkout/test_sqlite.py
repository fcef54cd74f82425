"""A smoke test of checkout on SQLite: the same flows, one file database."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.conftest import Backing

from .conftest import as_seller, checkout_settings, listening, running_catalog, running_checkout


async def test_checkout_works_on_sqlite(backing: Backing, tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'var' / 'checkout.db'}"
    async with running_catalog(backing) as catalog:
        settings = checkout_settings(database_url, backing.amqp_url, catalog.url)
        async with listening(backing.amqp_url) as inbox, running_checkout(settings) as checkout:
            shop = await catalog.open_shop(timezone="America/New_York")
            first = await checkout.place(shop, key="once")
            assert first.status_code == 201
            assert (await checkout.place(shop, key="once")).json() == first.json()
            assert (await checkout.place(shop, shop.cart(items=[]), key="once")).status_code == 422

            burst = await asyncio.gather(*(checkout.place(shop) for _ in range(10)))
            assert [r.status_code for r in burst] == [201] * 10
            tokens = {
                first.json()["order"]["token_number"],
                *(r.json()["order"]["token_number"] for r in burst),
            }
            assert tokens == {f"A-{n:03d}" for n in range(1, 12)}

            order_id = first.json()["order"]["id"]
            assert (await checkout.change(shop, order_id, "status", status="accepted")).status_code == 200
            paid = await checkout.change(shop, order_id, "payment", status="received", expected_version=2)
            assert (paid.status_code, paid.json()["version"]) == (200, 3)
            stale = await checkout.change(shop, order_id, "status", status="preparing", expected_version=2)
            assert stale.status_code == 409

            seen: list[str] = []
            cursor: str | None = None
            while True:
                params: dict[str, str | int] = {"limit": 4, **({"cursor": cursor} if cursor else {})}
                page = await checkout.client.get(
                    "/api/seller/orders", params=params, headers=as_seller(shop.seller_id)
                )
                assert page.status_code == 200
                assert page.json()["head_seq"] == 13
                seen += [o["id"] for o in page.json()["orders"]]
                cursor = page.json()["next_cursor"]
                if cursor is None:
                    break
            assert len(seen) == len(set(seen)) == 11
            assert seen[-1] == order_id  # the oldest comes last

            log = await checkout.events(shop.seller_id, after=0)
            assert [e["seq"] for e in log["events"]] == list(range(1, 14))
            received = await inbox.take(13)
            assert [e.seq for e in received] == list(range(1, 14))
            tracked = await checkout.client.get(
                f"/api/orders/{order_id}", params={"key": first.json()["customer_key"]}
            )
            assert tracked.json()["payment_status"] == "received"
