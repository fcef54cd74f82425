"""Every HTTP endpoint of the public contract, with its status codes, through the gateway."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from scripts.system import System
from tests.e2e.client import PRODUCTS, Seller, new_seller, order_body

PASSWORD = "correct horse battery"


async def test_operator_endpoints(system: System, api: httpx.AsyncClient) -> None:
    assert (await api.get("/healthz")).json() == {"status": "ok"}
    ready = await api.get("/readyz")
    assert ready.status_code == 200, ready.text
    schema = (await api.get("/openapi.json")).json()
    for path in (
        "/api/auth/signup",
        "/api/auth/login",
        "/api/auth/logout",
        "/api/seller",
        "/api/seller/products",
        "/api/seller/products/{product_id}",
        "/api/storefronts/{slug}",
        "/api/storefronts/{slug}/qr.svg",
        "/api/storefronts/{slug}/qr.png",
        "/api/storefronts/{slug}/orders",
        "/api/orders/{order_id}",
        "/api/seller/orders",
        "/api/seller/orders/{order_id}",
        "/api/seller/orders/{order_id}/status",
        "/api/seller/orders/{order_id}/payment",
    ):
        assert any(
            p.replace("{id}", "{x}").split("{")[0] == path.split("{")[0] and p.count("{") == path.count("{")
            for p in schema["paths"]
        ), path
    assert not any(p.startswith("/internal") for p in schema["paths"])
    assert (await api.get("/docs")).status_code == 200
    assert "santhai_http_requests_total" in (await api.get("/metrics")).text


async def test_signup_login_logout(system: System, api: httpx.AsyncClient) -> None:
    signup = {"email": "Bakery@Example.com", "password": PASSWORD, "business_name": "Rosa's Bakery & Café"}
    first = await api.post("/api/auth/signup", json=signup)
    assert first.status_code == 201, first.text
    seller = first.json()["seller"]
    assert seller["slug"] == "rosa-s-bakery-cafe" or seller["slug"].startswith("rosa")
    assert (seller["realtime_enabled"], seller["accepting_orders"], seller["payment_methods"]) == (
        False,
        True,
        ["cod"],
    )
    assert seller["phone"] is None and seller["zelle_handle"] is None and seller["currency"] == "USD"
    assert seller["storefront_url"] == f"{system.gateway_url}/s/{seller['slug']}"
    assert (await api.post("/api/auth/signup", json=signup)).status_code == 409
    second = await api.post("/api/auth/signup", json={**signup, "email": "other@example.com"})
    assert second.status_code == 201 and second.json()["seller"]["slug"] == seller["slug"] + "-2"
    taken = await api.post(
        "/api/auth/signup", json={**signup, "email": "x@example.com", "slug": seller["slug"]}
    )
    assert taken.status_code == 409
    for bad in ({**signup, "password": "short"}, {**signup, "slug": "NO"}, {"email": "x"}):
        assert (await api.post("/api/auth/signup", json=bad)).status_code == 422
    assert (
        await api.post("/api/auth/signup", content=b"{not json", headers={"content-type": "application/json"})
    ).status_code in (400, 422)

    wrong = await api.post(
        "/api/auth/login", json={"email": "bakery@example.com", "password": "wrong-password"}
    )
    unknown = await api.post(
        "/api/auth/login", json={"email": "nobody@example.com", "password": "wrong-password"}
    )
    assert wrong.status_code == unknown.status_code == 401 and wrong.json() == unknown.json()
    login = await api.post("/api/auth/login", json={"email": "bakery@example.com", "password": PASSWORD})
    assert login.status_code == 200 and login.json()["token_type"] == "bearer"
    cookie = login.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie

    me = await api.get("/api/seller")  # the cookie the client now holds
    assert me.status_code == 200 and me.json()["id"] == seller["id"]
    assert (await api.patch("/api/seller", json={"phone": "1"})).status_code == 403, "cookie without Origin"
    same_origin = await api.patch(
        "/api/seller", json={"phone": "+1 555 0199"}, headers={"Origin": system.gateway_url}
    )
    assert same_origin.status_code == 200 and same_origin.json()["phone"] == "+1 555 0199"
    assert (
        await api.patch("/api/seller", json={"phone": "1"}, headers={"Origin": "https://evil.example"})
    ).status_code == 403
    logout = await api.post("/api/auth/logout", headers={"Origin": system.gateway_url})
    assert logout.status_code == 204
    api.cookies.clear()
    assert (await api.get("/api/seller")).status_code == 401
    assert (await api.get("/api/seller", headers={"Authorization": "Bearer nope"})).status_code == 401


async def test_seller_settings_validation(system: System, api: httpx.AsyncClient) -> None:
    seller = await new_seller(api, realtime=False)
    for bad in (
        {"payment_methods": []},
        {"payment_methods": ["bitcoin"]},
        {"timezone": "Mars/Base"},
        {"currency": "usd"},
        {"realtime_enabled": "yes"},
        {"business_name": ""},
        {"business_name": "x" * 101},
        {"business_name": "bad\u0000name"},
    ):
        response = await api.patch("/api/seller", json=bad, headers=seller.auth)
        assert response.status_code == 422, (bad, response.text)
    unchanged = await api.get("/api/seller", headers=seller.auth)
    assert unchanged.json()["payment_methods"] == ["cod"]
    zelle_needs_handle = await api.patch(
        "/api/seller", json={"payment_methods": ["zelle"]}, headers=seller.auth
    )
    assert zelle_needs_handle.status_code == 422
    ok = await seller.patch(timezone="America/New_York", business_name="  <b>Dosa</b> & Co  ")
    assert ok["timezone"] == "America/New_York" and ok["business_name"] == "<b>Dosa</b> & Co"


async def test_products(system: System, api: httpx.AsyncClient) -> None:
    seller, other = await new_seller(api), await new_seller(api)
    listed = await api.get("/api/seller/products", headers=seller.auth)
    assert [p["name"] for p in listed.json()["products"]] == ["Masala Dosa", "Birthday Cake"]
    product = seller.products[0]
    path = f"/api/seller/products/{product['id']}"
    assert (await api.get(path, headers=seller.auth)).json() == product
    assert (await api.get(path, headers=other.auth)).status_code == 404
    assert (await api.patch(path, json={"price_cents": 1}, headers=other.auth)).status_code == 404
    assert (await api.delete(path, headers=other.auth)).status_code == 404
    patched = await api.patch(path, json={"available": False}, headers=seller.auth)
    assert patched.status_code == 200 and patched.json()["available"] is False
    for bad in (
        {"name": "x", "price_cents": 0},
        {"name": "x", "price_cents": 1.5},
        {"name": "", "price_cents": 5},
        {"name": "x", "price_cents": 5, "custom_fields": [{"key": "a", "label": "A", "type": "select"}]},
        {"name": "x", "price_cents": 5, "custom_fields": [{"key": "A!", "label": "A", "type": "text"}]},
        {
            "name": "x",
            "price_cents": 5,
            "custom_fields": [
                {"key": "a", "label": "A", "type": "text"},
                {"key": "a", "label": "B", "type": "text"},
            ],
        },
    ):
        assert (await api.post("/api/seller/products", json=bad, headers=seller.auth)).status_code == 422, bad
    storefront = (await api.get(f"/api/storefronts/{seller.slug}")).json()
    assert storefront["seller"]["business_name"] == seller.seller["business_name"]
    assert [p["available"] for p in storefront["products"]] == [False, True]
    assert (await api.delete(path, headers=seller.auth)).status_code == 204
    assert (await api.get(path, headers=seller.auth)).status_code == 404
    assert (await api.get("/api/storefronts/no-such-shop")).status_code == 404
    svg = await api.get(f"/api/storefronts/{seller.slug}/qr.svg")
    png = await api.get(f"/api/storefronts/{seller.slug}/qr.png")
    assert svg.headers["content-type"].startswith("image/svg+xml") and b"<svg" in svg.content
    assert png.headers["content-type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert (await api.get("/api/storefronts/no-such-shop/qr.png")).status_code == 404


def mutate(body: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    target = changed
    for step in path[:-1]:
        target = target[step]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return changed


@pytest.fixture
async def shop(system: System, api: httpx.AsyncClient) -> Seller:
    return await new_seller(api)


async def test_checkout_refusals(system: System, api: httpx.AsyncClient, shop: Seller) -> None:
    good = order_body(shop.products)
    url = f"/api/storefronts/{shop.slug}/orders"
    refusals = [
        (["items"], []),
        (["items", 0, "quantity"], 0),
        (["items", 0, "quantity"], 100),
        (["items", 0, "product_id"], "no-such-product"),
        (["items", 0, "custom_fields", "spice"], ...),
        (["items", 0, "custom_fields", "spice"], "Volcanic"),
        (["items", 0, "custom_fields", "color"], "red"),
        (["items", 1, "custom_fields", "candles"], "seven"),
        (["items", 1, "custom_fields", "candles"], 100),
        (["items", 1, "custom_fields", "message"], "x" * 41),
        (["payment_method"], "bitcoin"),
        (["customer", "name"], "  "),
        (["customer", "phone"], "12345"),
        (["delivery_address", "line1"], ...),
        (["delivery_address", "city"], ""),
        (["customer", "name"], "a\u0007b"),
    ]
    for path, value in refusals:
        response = await api.post(url, json=mutate(good, path, value))
        assert response.status_code == 422, (path, value, response.text)
    big = await api.post(
        url, content=b'{"pad": "' + b"x" * 70_000 + b'"}', headers={"content-type": "application/json"}
    )
    assert big.status_code == 413
    assert (await api.post(url, json=good, headers={"Idempotency-Key": "k" * 256})).status_code == 422
    assert (await api.post("/api/storefronts/no-such-shop/orders", json=good)).status_code == 404

    await shop.patch(accepting_orders=False)
    assert (await api.post(url, json=good)).status_code == 409
    await shop.patch(accepting_orders=True)
    priced = await api.post(url, json={**good, "total_cents": 1})
    assert priced.status_code == 201 and priced.json()["order"]["total_cents"] == 4900
    assert (await shop.head_seq()) == 1, "refused checkouts made no events"


async def test_a_catalog_change_counts_for_the_very_next_checkout(
    system: System, api: httpx.AsyncClient, shop: Seller
) -> None:
    """Checkout keeps storefront contexts (revalidated on every checkout): no change may be missed."""
    url = f"/api/storefronts/{shop.slug}/orders"
    dosa_path = f"/api/seller/products/{shop.products[0]['id']}"
    assert (await shop.place_order()).json()["order"]["total_cents"] == 2 * 850 + 3200
    for price in (900, 950, 1000):
        changed = await api.patch(dosa_path, json={"price_cents": price}, headers=shop.auth)
        assert changed.status_code == 200
        placed = await api.post(url, json=order_body(shop.products))
        assert placed.json()["order"]["total_cents"] == 2 * price + 3200, price
    assert (await api.patch(dosa_path, json={"available": False}, headers=shop.auth)).status_code == 200
    assert (await api.post(url, json=order_body(shop.products))).status_code == 422
    await shop.patch(accepting_orders=False)
    assert (await api.post(url, json=order_body(shop.products))).status_code == 409
    await shop.patch(accepting_orders=True)
    assert (await api.patch(dosa_path, json={"available": True}, headers=shop.auth)).status_code == 200
    assert (await api.post(url, json=order_body(shop.products))).status_code == 201
    assert (await api.delete(dosa_path, headers=shop.auth)).status_code == 204
    assert (await api.post(url, json=order_body(shop.products))).status_code == 422
    new_dosa = await api.post(
        "/api/seller/products", json={**PRODUCTS[0], "price_cents": 700}, headers=shop.auth
    )
    assert new_dosa.status_code == 201
    fresh = order_body([new_dosa.json(), shop.products[1]])
    assert (await api.post(url, json=fresh)).json()["order"]["total_cents"] == 2 * 700 + 3200


async def test_seller_orders_list_and_transitions(
    system: System, api: httpx.AsyncClient, shop: Seller
) -> None:
    other = await new_seller(api)
    ids = [(await shop.place_order(name=f"C{i}")).json()["order"]["id"] for i in range(5)]
    page = await api.get("/api/seller/orders", params={"limit": 2}, headers=shop.auth)
    assert page.status_code == 200
    first = page.json()
    assert [o["id"] for o in first["orders"]] == ids[::-1][:2] and first["head_seq"] == 5
    rest = await api.get(
        "/api/seller/orders", params={"limit": 200, "cursor": first["next_cursor"]}, headers=shop.auth
    )
    assert [o["id"] for o in rest.json()["orders"]] == ids[::-1][2:] and rest.json()["next_cursor"] is None
    for params in ({"cursor": "garbage"}, {"limit": 0}, {"limit": 201}, {"status": "lost"}):
        assert (await api.get("/api/seller/orders", params=params, headers=shop.auth)).status_code == 422, (
            params
        )
    other_list = await api.get("/api/seller/orders", headers=other.auth)
    assert other_list.json() == {"orders": [], "next_cursor": None, "head_seq": 0}

    order_id = ids[0]
    assert (await api.get(f"/api/seller/orders/{order_id}", headers=other.auth)).status_code == 404
    assert (await other.set_status(order_id, "accepted")).status_code == 404
    conflict = await shop.set_status(order_id, "delivered")
    assert conflict.status_code == 409 and conflict.json()["order"]["status"] == "pending"
    stale = await shop.set_status(order_id, "accepted", expected_version=7)
    assert stale.status_code == 409 and stale.json()["order"]["version"] == 1
    rejected = await shop.set_status(ids[1], "rejected", reason="Out of dosa batter")
    assert rejected.json()["history"][-1]["reason"] == "Out of dosa batter"
    assert (
        await api.post(f"/api/seller/orders/{ids[1]}/payment", json={"status": "received"}, headers=shop.auth)
    ).status_code == 409
    for step in ("accepted", "preparing", "out_for_delivery", "delivered"):
        moved = await shop.set_status(order_id, step)
        assert moved.status_code == 200 and moved.json()["status"] == step
    paid = await api.post(
        f"/api/seller/orders/{order_id}/payment", json={"status": "received"}, headers=shop.auth
    )
    assert paid.status_code == 200 and paid.json()["payment_received_at"] and paid.json()["version"] == 6
    again = await api.post(
        f"/api/seller/orders/{order_id}/payment", json={"status": "received"}, headers=shop.auth
    )
    assert again.status_code == 409
    delivered = await api.get("/api/seller/orders", params={"status": "delivered"}, headers=shop.auth)
    assert [o["id"] for o in delivered.json()["orders"]] == [order_id]
    assert (
        await api.post(f"/api/seller/orders/{order_id}/status", json={"status": "nope"}, headers=shop.auth)
    ).status_code == 422
