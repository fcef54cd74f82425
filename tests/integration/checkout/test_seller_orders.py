"""The seller's order list, one order, status changes and payment."""

from __future__ import annotations

from typing import Any

from shared.contract import ConflictOut, Order, OrderList

from .conftest import Shop, Stack, as_seller


async def listing(stack: Stack, shop: Shop, **params: Any) -> dict[str, Any]:
    response = await stack.checkout.client.get(
        "/api/seller/orders", params=params, headers=as_seller(shop.seller_id)
    )
    assert response.status_code == 200, response.text
    OrderList.model_validate(response.json())
    result: dict[str, Any] = response.json()
    return result


async def test_the_list_is_newest_first_and_pages_with_a_cursor(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    other = await stack.catalog.open_shop()
    ids = [(await stack.checkout.placed(shop))["order"]["id"] for _ in range(5)]
    await stack.checkout.placed(other)
    newest_first = list(reversed(ids))

    first = await listing(stack, shop)
    assert [o["id"] for o in first["orders"]] == newest_first
    assert (first["next_cursor"], first["head_seq"]) == (None, 5)
    assert all(o["seller_id"] == shop.seller_id for o in first["orders"])

    seen: list[str] = []
    cursor = None
    while True:
        page = await listing(stack, shop, limit=2, **({"cursor": cursor} if cursor else {}))
        seen += [o["id"] for o in page["orders"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert len(page["orders"]) == 2
    assert seen == newest_first
    exact = await listing(stack, shop, limit=5)
    assert exact["next_cursor"] is None  # null exactly when nothing follows


async def test_the_list_filters_by_status(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    ids = [(await stack.checkout.placed(shop))["order"]["id"] for _ in range(3)]
    assert (await stack.checkout.change(shop, ids[1], "status", status="accepted")).status_code == 200
    accepted = await listing(stack, shop, status="accepted")
    assert [o["id"] for o in accepted["orders"]] == [ids[1]]
    assert accepted["head_seq"] == 4
    pending = await listing(stack, shop, status="pending", limit=1)
    assert [o["id"] for o in pending["orders"]] == [ids[2]]
    rest = await listing(stack, shop, status="pending", cursor=pending["next_cursor"])
    assert [o["id"] for o in rest["orders"]] == [ids[0]]
    wrong_filter = await stack.checkout.client.get(
        "/api/seller/orders", params={"cursor": pending["next_cursor"]}, headers=as_seller(shop.seller_id)
    )
    assert wrong_filter.status_code == 422


async def test_bad_list_parameters_are_422_and_no_seller_is_401(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    client = stack.checkout.client
    for params in ({"limit": 0}, {"limit": 201}, {"limit": "ten"}, {"status": "lost"}, {"cursor": "garbage!"},
                   {"cursor": ""}, {"cursor": "eyJ0IjoxfQ"}):  # fmt: skip
        response = await client.get("/api/seller/orders", params=params, headers=as_seller(shop.seller_id))
        assert response.status_code == 422, (params, response.text)
        assert isinstance(response.json()["detail"], list)
    assert (await listing(stack, shop, limit=200))["orders"] == []
    assert (await client.get("/api/seller/orders")).status_code == 401


async def test_one_order_and_another_sellers_is_404(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    other = await stack.catalog.open_shop()
    order_id = (await stack.checkout.placed(shop))["order"]["id"]
    client = stack.checkout.client
    mine = await client.get(f"/api/seller/orders/{order_id}", headers=as_seller(shop.seller_id))
    assert mine.status_code == 200
    assert Order.model_validate(mine.json()).seller_id == shop.seller_id
    for path in (f"/api/seller/orders/{order_id}", "/api/seller/orders/nope"):
        response = await client.get(path, headers=as_seller(other.seller_id))
        assert response.status_code == 404
    for what, body in (("status", {"status": "accepted"}), ("payment", {"status": "received"})):
        response = await stack.checkout.change(other, order_id, what, **body)
        assert response.status_code == 404, what
    unchanged = await client.get(f"/api/seller/orders/{order_id}", headers=as_seller(shop.seller_id))
    assert unchanged.json()["version"] == 1


async def test_the_status_moves_along_the_contracts_transitions(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    order_id = (await stack.checkout.placed(shop))["order"]["id"]
    for version, status in enumerate(("accepted", "preparing", "out_for_delivery", "delivered"), start=2):
        response = await stack.checkout.change(
            shop, order_id, "status", status=status, expected_version=version - 1
        )
        assert response.status_code == 200, response.text
        assert (response.json()["status"], response.json()["version"]) == (status, version)
    order = response.json()
    assert [h["status"] for h in order["history"]] == ["pending", "accepted", "preparing", "out_for_delivery",
                                                       "delivered"]  # fmt: skip
    assert order["updated_at"] == order["history"][-1]["at"]
    assert order["created_at"] == order["history"][0]["at"]


async def test_invalid_transitions_and_stale_versions_are_409_with_the_order(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    order_id = (await stack.checkout.placed(shop))["order"]["id"]
    invalid = await stack.checkout.change(shop, order_id, "status", status="delivered")
    assert invalid.status_code == 409
    conflict = ConflictOut.model_validate(invalid.json())
    assert (conflict.order.id, conflict.order.status, conflict.order.version) == (order_id, "pending", 1)

    stale = await stack.checkout.change(shop, order_id, "status", status="accepted", expected_version=7)
    assert stale.status_code == 409
    assert stale.json()["order"]["version"] == 1

    rejected = await stack.checkout.change(
        shop, order_id, "status", status="rejected", reason="  Out of rice "
    )
    assert rejected.status_code == 200
    assert rejected.json()["history"][-1]["reason"] == "Out of rice"
    final = await stack.checkout.change(shop, order_id, "status", status="accepted")
    assert final.status_code == 409
    assert final.json()["order"]["status"] == "rejected"
    no_payment = await stack.checkout.change(shop, order_id, "payment", status="received")
    assert no_payment.status_code == 409


async def test_bad_change_bodies_are_422(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    order_id = (await stack.checkout.placed(shop))["order"]["id"]
    for what, body in (
        ("status", {"status": "teleported"}),
        ("status", {}),
        ("status", {"status": "accepted", "expected_version": "1"}),
        ("status", {"status": "accepted", "reason": "x" * 501}),
        ("payment", {"status": "pending"}),
        ("payment", {}),
    ):
        response = await stack.checkout.change(shop, order_id, what, **body)
        assert response.status_code == 422, (what, body)


async def test_payment_is_received_once(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    order_id = (await stack.checkout.placed(shop))["order"]["id"]
    paid = await stack.checkout.change(shop, order_id, "payment", status="received", expected_version=1)
    assert paid.status_code == 200
    order = paid.json()
    assert (order["payment_status"], order["version"], order["status"]) == ("received", 2, "pending")
    assert order["payment_received_at"] == order["updated_at"]
    assert [h["status"] for h in order["history"]] == ["pending"]
    again = await stack.checkout.change(shop, order_id, "payment", status="received")
    assert again.status_code == 409
    assert again.json()["order"]["payment_status"] == "received"
    accepted = await stack.checkout.change(shop, order_id, "status", status="accepted", expected_version=2)
    assert accepted.status_code == 200
    assert accepted.json()["payment_status"] == "received"
