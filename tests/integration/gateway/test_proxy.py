"""Forwarding /api to catalog and checkout: paths, bodies, headers, limits and outages."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.integration.gateway.conftest import System, bearer, order_body

OVERSIZED = 70 * 1024


@pytest.fixture(scope="module")
def system(shared_system: System) -> System:
    """These tests share one system: they stop nothing and rate limits are off."""
    return shared_system


async def test_unknown_api_paths_are_404_json(system: System) -> None:
    for path in ("/api/nothing", "/api/sellers", "/api/seller/products/../../internal/sellers/x"):
        response = await system.client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/json")
        assert "detail" in response.json()


async def test_internal_paths_are_not_reachable(system: System) -> None:
    for path in (
        "/internal/sellers/x",
        "/api/%2E%2E/internal/sellers/x",
        "/api/storefronts/%2e%2e/%2e%2e/internal",
    ):
        response = await system.client.get(path)
        assert response.status_code == 404, path


async def test_storefront_and_customer_order_round_trip(system: System) -> None:
    seller, token, product = await system.realtime_seller_with_product()
    storefront = await system.client.get(f"/api/storefronts/{seller['slug']}")
    assert storefront.status_code == 200
    assert storefront.json()["products"][0]["id"] == product["id"]
    qr = await system.client.get(f"/api/storefronts/{seller['slug']}/qr.svg")
    assert qr.status_code == 200
    assert qr.headers["content-type"].startswith("image/svg+xml")
    placed = await system.place_order(seller["slug"], product["id"])
    assert placed.status_code == 201, placed.text
    order_id, key = placed.json()["order"]["id"], placed.json()["customer_key"]
    tracked = await system.client.get(f"/api/orders/{order_id}", params={"key": key})
    assert tracked.status_code == 200
    assert tracked.json()["total_cents"] == 900
    assert (await system.client.get(f"/api/orders/{order_id}", params={"key": "wrong"})).status_code == 404
    listed = await system.client.get("/api/seller/orders", params={"limit": 1}, headers=bearer(token))
    assert listed.status_code == 200
    assert [o["id"] for o in listed.json()["orders"]] == [order_id]


async def test_idempotency_key_reaches_checkout(system: System) -> None:
    seller, _, product = await system.realtime_seller_with_product()
    first = await system.place_order(seller["slug"], product["id"], **{"Idempotency-Key": "order-1"})
    repeat = await system.place_order(seller["slug"], product["id"], **{"Idempotency-Key": "order-1"})
    assert (first.status_code, repeat.status_code) == (201, 200)
    assert first.json()["order"]["id"] == repeat.json()["order"]["id"]


async def test_validation_errors_pass_through(system: System) -> None:
    seller, _, _ = await system.realtime_seller_with_product()
    response = await system.client.post(f"/api/storefronts/{seller['slug']}/orders", json={"items": []})
    assert response.status_code == 422
    malformed = await system.client.post(
        f"/api/storefronts/{seller['slug']}/orders",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert malformed.status_code in (400, 422)


async def test_a_70_kib_body_is_413_with_or_without_content_length(system: System) -> None:
    seller, token, _ = await system.realtime_seller_with_product()
    path = f"/api/storefronts/{seller['slug']}/orders"
    declared = await system.client.post(
        path, content=b" " * OVERSIZED, headers={"Content-Type": "application/json"}
    )
    assert declared.status_code == 413
    assert "detail" in declared.json()

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(OVERSIZED // 1024):
            yield b" " * 1024

    chunked = await system.client.post(path, content=chunks(), headers={"Content-Type": "application/json"})
    assert chunked.request.headers.get("transfer-encoding") == "chunked"
    assert chunked.status_code == 413
    product = await system.client.post(
        "/api/seller/products",
        content=b" " * OVERSIZED,
        headers={**bearer(token), "Content-Type": "application/json"},
    )
    assert product.status_code == 413


async def test_readyz_is_200_when_every_service_is_ready(system: System) -> None:
    ready = await system.client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["status"] == "ok"
    assert set(ready.json()["services"]) == {"catalog", "checkout", "notifier"}
    assert (await system.client.get("/healthz")).json() == {"status": "ok"}


async def test_metrics_are_served(system: System) -> None:
    await system.client.get("/api/storefronts/nobody-here")
    metrics = await system.client.get("/metrics")
    assert metrics.status_code == 200
    assert 'route="/api/storefronts/{slug}"' in metrics.text


async def test_openapi_lists_every_contract_path_and_docs_render(system: System) -> None:
    schema = (await system.client.get("/openapi.json")).json()
    assert schema["openapi"].startswith("3.")
    expected = {
        "/api/auth/signup",
        "/api/auth/login",
        "/api/auth/logout",
        "/api/seller",
        "/api/seller/products",
        "/api/seller/products/{id}",
        "/api/storefronts/{slug}",
        "/api/storefronts/{slug}/qr.svg",
        "/api/storefronts/{slug}/qr.png",
        "/api/storefronts/{slug}/orders",
        "/api/orders/{order_id}",
        "/api/seller/orders",
        "/api/seller/orders/{id}",
        "/api/seller/orders/{id}/status",
        "/api/seller/orders/{id}/payment",
        "/healthz",
        "/readyz",
    }
    assert expected <= set(schema["paths"])
    assert not [path for path in schema["paths"] if path.startswith("/internal")]
    docs = await system.client.get("/docs")
    assert docs.status_code == 200
    assert "/openapi.json" in docs.text
    order = order_body("p")
    assert set(order) <= set(schema["components"]["schemas"]["CheckoutIn"]["properties"])
