"""POST /api/storefronts/{slug}/orders and GET /api/orders/{id}: pricing, snapshots, refusals."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import event

from shared.contract import CheckoutOut, CustomerOrder
from shared.driver import DriverConnection, DriverStatement

from .conftest import Stack, another_checkout, as_seller


async def test_an_order_is_priced_and_snapshotted_from_the_catalog(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    client = stack.checkout.client
    cart = shop.cart()
    cart["items"][0]["unit_price_cents"] = 1  # ignored: prices come from the catalog
    cart["total_cents"] = 1
    response = await client.post(f"/api/storefronts/{shop.slug}/orders", json=cart)
    assert response.status_code == 201, response.text
    placed = CheckoutOut.model_validate(response.json())
    order = response.json()["order"]
    assert "seller_id" not in order
    assert order["token_number"] == "A-001"
    assert (order["status"], order["payment_status"], order["version"]) == ("pending", "pending", 1)
    spice = {"key": "spice", "label": "Spice level", "value": "Hot"}
    assert order["items"] == [
        {"product_id": shop.products["Masala Dosa"], "name": "Masala Dosa", "quantity": 2,
         "unit_price_cents": 450, "line_total_cents": 900, "custom_fields": [spice]},
        {"product_id": shop.products["Vada"], "name": "Vada", "quantity": 1,
         "unit_price_cents": 199, "line_total_cents": 199, "custom_fields": []},
    ]  # fmt: skip
    assert (order["total_cents"], order["currency"]) == (1099, "USD")
    assert order["customer"] == {"name": "Asha", "phone": "+1 555 0100"}
    assert order["delivery_address"]["instructions"] == "Ring twice"
    assert order["seller"]["phone"] == "+1 555 0102"
    assert order["seller"]["business_name"].startswith("Dosa Corner")
    assert order["payment_instructions"] == {"method": "cod", "amount_cents": 1099}
    assert [h["status"] for h in order["history"]] == ["pending"]
    created = datetime.fromisoformat(order["created_at"])
    assert created.utcoffset() is not None
    assert len(placed.customer_key) >= 32  # 24 random bytes, at least 128 bits
    assert placed.tracking_url == f"/o/{order['id']}?key={placed.customer_key}"
    assert re.fullmatch(r"[A-Za-z0-9_-]+", placed.customer_key)

    tracked = await client.get(f"/api/orders/{order['id']}", params={"key": placed.customer_key})
    assert tracked.status_code == 200
    assert tracked.json() == order
    CustomerOrder.model_validate(tracked.json())


async def test_zelle_orders_carry_the_handle_to_pay(stack: Stack) -> None:
    shop = await stack.catalog.open_shop(payment_methods=["cod", "zelle"], zelle_handle="pay@dosa.example")
    placed = await stack.checkout.placed(shop, shop.cart(payment_method="zelle"))
    assert placed["order"]["payment_instructions"] == {
        "method": "zelle",
        "amount_cents": 1099,
        "zelle_handle": "pay@dosa.example",
    }
    # The snapshot is the seller's contact at checkout: later edits don't rewrite the order.
    await stack.catalog.patch_seller(shop.seller_id, zelle_handle="new@dosa.example", phone="+1 555 0199")
    tracked = await stack.checkout.client.get(
        f"/api/orders/{placed['order']['id']}", params={"key": placed["customer_key"]}
    )
    assert tracked.json()["payment_instructions"]["zelle_handle"] == "pay@dosa.example"
    assert tracked.json()["seller"]["phone"] == "+1 555 0102"


async def test_tracking_needs_the_right_key(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    placed = await stack.checkout.placed(shop)
    order_id = placed["order"]["id"]
    client = stack.checkout.client
    for params in ({}, {"key": ""}, {"key": "wrong"}, {"key": placed["customer_key"][:-1]}, {"key": "é" * 5}):
        response = await client.get(f"/api/orders/{order_id}", params=params)
        assert response.status_code == 404, params
        assert response.json() == {"detail": "unknown order"}
    assert (await client.get("/api/orders/nope", params={"key": placed["customer_key"]})).status_code == 404


def _locs(response_json: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [tuple(problem["loc"]) for problem in response_json["detail"]]


async def test_every_refusal_is_a_422_that_points_at_the_field(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    dosa_id, vada, idli = shop.products["Masala Dosa"], shop.products["Vada"], shop.products["Idli"]
    item = {"product_id": vada, "quantity": 1}

    def dosa(**fields: Any) -> dict[str, Any]:
        return shop.cart(items=[{"product_id": dosa_id, "quantity": 1, "custom_fields": fields}])

    def at_field(key: str) -> tuple[Any, ...]:
        return ("body", "items", 0, "custom_fields", key)

    cases: list[tuple[dict[str, Any], tuple[Any, ...]]] = [
        (shop.cart(items=[]), ("body", "items")),
        (shop.cart(items=[{**item, "quantity": 0}]), ("body", "items", 0, "quantity")),
        (shop.cart(items=[{**item, "quantity": 100}]), ("body", "items", 0, "quantity")),
        (shop.cart(items=[{**item, "quantity": "2"}]), ("body", "items", 0, "quantity")),
        (shop.cart(items=[item, {"product_id": "nope", "quantity": 1}]), ("body", "items", 1, "product_id")),
        (shop.cart(items=[{"product_id": idli, "quantity": 1}]), ("body", "items", 0, "product_id")),
        (dosa(), at_field("spice")),
        (dosa(spice="Volcanic"), at_field("spice")),
        (dosa(spice="Hot", count="2"), at_field("count")),
        (dosa(spice="Hot", count=True), at_field("count")),
        (dosa(spice="Hot", count=9), at_field("count")),
        (dosa(spice="Hot", note="x" * 21), at_field("note")),
        (dosa(spice="Hot", cutlery="yes"), at_field("cutlery")),
        (dosa(spice="Hot", extra=1), at_field("extra")),
        (shop.cart(payment_method="zelle"), ("body", "payment_method")),
        (shop.cart(payment_method="card"), ("body", "payment_method")),
        (shop.cart(customer={"phone": "+1 555 0100"}), ("body", "customer", "name")),
        (shop.cart(customer={"name": "  ", "phone": "+1 555 0100"}), ("body", "customer", "name")),
        (shop.cart(customer={"name": "Asha"}), ("body", "customer", "phone")),
        (shop.cart(customer={"name": "Asha", "phone": "12345"}), ("body", "customer", "phone")),
        (shop.cart(customer={"name": "Asha", "phone": "1234567890123456"}), ("body", "customer", "phone")),
        (shop.cart(delivery_address={"city": "Springfield"}), ("body", "delivery_address", "line1")),
        (
            shop.cart(delivery_address={"line1": "12 Main St", "city": ""}),
            ("body", "delivery_address", "city"),
        ),
    ]
    for body, loc in cases:
        response = await stack.checkout.place(shop, body)
        assert response.status_code == 422, (body, response.text)
        assert loc in _locs(response.json()), (loc, response.json())
        assert all(isinstance(problem["msg"], str) for problem in response.json()["detail"])
    head = (await stack.checkout.client.get("/api/seller/orders", headers=as_seller(shop.seller_id))).json()
    assert (head["orders"], head["head_seq"]) == ([], 0)


async def test_all_problems_are_reported_together(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    body = shop.cart(
        payment_method="zelle",
        items=[
            {"product_id": shop.products["Masala Dosa"], "quantity": 1, "custom_fields": {"extra": 1}},
            {"product_id": "gone", "quantity": 1},
        ],
    )
    response = await stack.checkout.place(shop, body)
    assert response.status_code == 422
    assert sorted(_locs(response.json()), key=str) == sorted(
        [
            ("body", "payment_method"),
            ("body", "items", 0, "custom_fields", "extra"),
            ("body", "items", 0, "custom_fields", "spice"),
            ("body", "items", 1, "product_id"),
        ],
        key=str,
    )


async def test_malformed_json_is_refused(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    response = await stack.checkout.client.post(
        f"/api/storefronts/{shop.slug}/orders",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


async def test_text_is_trimmed_and_kept_as_given(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    body = shop.cart(customer={"name": '  <Asha & "Co">  ', "phone": " (555) 010-0100 "})
    body["items"][0]["custom_fields"]["note"] = "  <no onion>  "
    order = (await stack.checkout.placed(shop, body))["order"]
    assert order["customer"] == {"name": '<Asha & "Co">', "phone": "(555) 010-0100"}
    assert order["items"][0]["custom_fields"][1] == {"key": "note", "label": "Note", "value": "<no onion>"}


async def test_a_closed_store_answers_409(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    await stack.catalog.patch_seller(shop.seller_id, accepting_orders=False)
    response = await stack.checkout.place(shop)
    assert response.status_code == 409
    assert response.json() == {"detail": "this store is not accepting orders right now"}
    await stack.catalog.patch_seller(shop.seller_id, accepting_orders=True)
    assert (await stack.checkout.place(shop)).status_code == 201


async def test_an_unknown_storefront_answers_404(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    for slug in ("no-such-shop", "NOT_A_SLUG", "x"):
        response = await stack.checkout.client.post(f"/api/storefronts/{slug}/orders", json=shop.cart())
        assert response.status_code == 404, slug
        assert response.json() == {"detail": "unknown storefront"}


async def test_tokens_count_up_within_the_business_day(stack: Stack) -> None:
    shop = await stack.catalog.open_shop(timezone="Asia/Kolkata")
    other = await stack.catalog.open_shop()
    tokens = [(await stack.checkout.placed(shop))["order"]["token_number"] for _ in range(3)]
    assert tokens == ["A-001", "A-002", "A-003"]
    assert (await stack.checkout.placed(other))["order"]["token_number"] == "A-001"


async def test_an_order_is_written_in_one_statement_after_the_lock_on_postgresql(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On asyncpg's own connection (`shared.driver`), not SQLAlchemy's engine: two statements
    between BEGIN and COMMIT, the lock and the one write."""
    shop = await stack.catalog.open_shop()
    async with another_checkout(stack) as (checkout, runtime):
        await checkout.placed(shop)
        assert runtime.driver.available
        statements: list[str] = []
        through_the_engine: list[str] = []

        def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            if not statement.startswith(("SELECT", "UPDATE outbox")):  # the outbox relay's
                through_the_engine.append(statement)

        def recorded(method: Any) -> Any:
            async def run(self: DriverConnection, statement: DriverStatement, params: Any) -> Any:
                statements.append(" ".join(statement.sql.split()))
                return await method(self, statement, params)

            return run

        monkeypatch.setattr(DriverConnection, "execute", recorded(DriverConnection.execute))
        monkeypatch.setattr(DriverConnection, "fetchrow", recorded(DriverConnection.fetchrow))
        event.listen(runtime.engine.sync_engine, "before_cursor_execute", seen)
        try:
            placed = await checkout.place(shop, key="one-statement")
        finally:
            event.remove(runtime.engine.sync_engine, "before_cursor_execute", seen)
        assert placed.status_code == 201
        assert through_the_engine == []
        assert len(statements) == 2, statements
        assert statements[0].startswith("INSERT INTO seller_counters")  # the lock
        for write in ("INSERT INTO orders", "INSERT INTO idempotency_keys", "INSERT INTO outbox"):
            assert write in statements[1]
        assert "UPDATE seller_counters" in statements[1]
        again = await checkout.place(shop, key="one-statement")
        assert (again.status_code, again.json()) == (200, placed.json())
        log = await checkout.events(shop.seller_id, after=0)
        assert [(e["seq"], e["order_id"]) for e in log["events"]][1:] == [(2, placed.json()["order"]["id"])]
