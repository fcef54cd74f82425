"""The internal token, the operator endpoints and the internal-only endpoints."""

from __future__ import annotations

import httpx

from services.catalog.domain.sellers import SellerRecord
from shared.security import INTERNAL_TOKEN_HEADER

from .conftest import Catalog


async def test_every_path_but_the_operator_ones_needs_the_internal_token(catalog: Catalog) -> None:
    seller_id = await catalog.seller(slug="guarded")
    paths = [
        ("POST", "/api/auth/signup"),
        ("POST", "/api/auth/login"),
        ("GET", "/api/seller"),
        ("PATCH", "/api/seller"),
        ("GET", "/api/seller/products"),
        ("POST", "/api/seller/products"),
        ("GET", "/api/storefronts/guarded"),
        ("GET", "/api/storefronts/guarded/qr.svg"),
        ("GET", "/internal/storefronts/guarded/checkout-context"),
        ("GET", f"/internal/sellers/{seller_id}"),
        ("GET", "/openapi.json"),
        ("GET", "/no-such-path"),
    ]
    async with httpx.AsyncClient(base_url=catalog.url) as outsider:
        for method, path in paths:
            for headers in ({}, {INTERNAL_TOKEN_HEADER: "wrong"}, {INTERNAL_TOKEN_HEADER: ""}):
                response = await outsider.request(
                    method, path, headers={**headers, **catalog.as_seller(seller_id)}
                )
                assert response.status_code == 403, (method, path, headers)
                assert response.json() == {"detail": "internal endpoint"}
        assert (await outsider.get("/healthz")).json() == {"status": "ok"}
        assert (await outsider.get("/readyz")).status_code == 200
        assert (await outsider.get("/metrics")).status_code == 200


async def test_readyz_names_the_database_and_the_broker(catalog: Catalog) -> None:
    response = await catalog.client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "service": "catalog",
        "checks": {"database": "ok", "broker": "ok"},
    }


async def test_checkout_context_has_the_seller_and_all_products(catalog: Catalog) -> None:
    seller = (await catalog.signup(business_name="Dosa Corner", phone="+1 555 0102"))["seller"]
    headers = catalog.as_seller(seller["id"])
    await catalog.client.patch(
        "/api/seller", json={"timezone": "Asia/Kolkata", "accepting_orders": False}, headers=headers
    )
    products = [
        (await catalog.client.post("/api/seller/products", json=body, headers=headers)).json()
        for body in (
            {"name": "Dosa", "price_cents": 900},
            {"name": "Vada", "price_cents": 400, "available": False},
        )
    ]
    response = await catalog.client.get("/internal/storefronts/dosa-corner/checkout-context")
    assert response.status_code == 200
    assert response.json() == {
        "seller": {
            "id": seller["id"],
            "business_name": "Dosa Corner",
            "slug": "dosa-corner",
            "phone": "+1 555 0102",
            "accepting_orders": False,
            "payment_methods": ["cod"],
            "zelle_handle": None,
            "currency": "USD",
            "timezone": "Asia/Kolkata",
        },
        "products": products,
    }
    missing = await catalog.client.get("/internal/storefronts/nobody/checkout-context")
    assert missing.status_code == 404


async def test_seller_info_for_the_notifier_and_checkout(catalog: Catalog) -> None:
    seller = (await catalog.signup(business_name="Dosa Corner"))["seller"]
    headers = catalog.as_seller(seller["id"])
    await catalog.client.patch(
        "/api/seller", json={"realtime_enabled": True, "zelle_handle": "pay@dosa.example"}, headers=headers
    )
    response = await catalog.client.get(f"/internal/sellers/{seller['id']}")
    assert response.status_code == 200
    assert response.json() == {
        "id": seller["id"],
        "business_name": "Dosa Corner",
        "phone": None,
        "realtime_enabled": True,
        "accepting_orders": True,
        "zelle_handle": "pay@dosa.example",
        "currency": "USD",
        "timezone": "UTC",
    }
    assert "password_hash" not in response.text
    assert set(SellerRecord.__dataclass_fields__) > set(response.json())
    missing = await catalog.client.get("/internal/sellers/nobody")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "seller not found"}


async def test_the_openapi_schema_uses_the_contract_models(catalog: Catalog) -> None:
    schema = (await catalog.client.get("/openapi.json")).json()
    assert {"Seller", "SignupIn", "SignupOut", "SellerPatch", "Product", "ProductIn", "Storefront"} <= set(
        schema["components"]["schemas"]
    )
    assert "/api/storefronts/{slug}/qr.png" in schema["paths"]


async def test_checkout_context_answers_304_until_the_storefront_changes(catalog: Catalog) -> None:
    seller = (await catalog.signup(business_name="Etag Eats"))["seller"]
    headers = catalog.as_seller(seller["id"])
    path = "/internal/storefronts/etag-eats/checkout-context"

    async def etag_after(change: str) -> str:
        response = await catalog.client.get(path)
        assert response.status_code == 200, change
        return response.headers["ETag"]

    async def still_current(etag: str) -> bool:
        response = await catalog.client.get(path, headers={"If-None-Match": etag})
        assert response.status_code in (200, 304)
        if response.status_code == 304:
            assert response.content == b""
            assert response.headers["ETag"] == etag
        return response.status_code == 304

    etag = await etag_after("signup")
    assert await still_current(etag)
    assert not await still_current('"someone-else-0"')
    product = (
        await catalog.client.post(
            "/api/seller/products", json={"name": "Idli", "price_cents": 300}, headers=headers
        )
    ).json()
    changes = {
        "a product added": lambda: None,
        "a product changed": lambda: catalog.client.patch(
            f"/api/seller/products/{product['id']}", json={"price_cents": 350}, headers=headers
        ),
        "the store closed": lambda: catalog.client.patch(
            "/api/seller", json={"accepting_orders": False}, headers=headers
        ),
        "a product deleted": lambda: catalog.client.delete(
            f"/api/seller/products/{product['id']}", headers=headers
        ),
    }
    seen = {etag}
    for change, make in changes.items():
        if (pending := make()) is not None:
            assert (await pending).status_code in (200, 204), change
        assert not await still_current(etag), change
        etag = await etag_after(change)
        assert etag not in seen, change
        seen.add(etag)
        assert await still_current(etag), change
    unchanged = await catalog.client.patch("/api/seller", json={"accepting_orders": False}, headers=headers)
    assert unchanged.status_code == 200
    assert await still_current(etag)  # a PATCH that changes nothing keeps the context current
