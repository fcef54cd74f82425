"""The internal token, the operator endpoints and the internal-only endpoints."""

from __future__ import annotations

from typing import Any

import httpx

from services.catalog.domain.sellers import SellerRecord
from services.catalog.main import create_app
from services.catalog.runtime import Runtime
from shared.security import INTERNAL_TOKEN_HEADER
from tests.conftest import Backing
from tests.infra import free_port
from tests.servers import serve

from .conftest import Catalog, catalog_settings


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


async def test_the_fast_lane_answers_as_the_route_does(backing: Backing) -> None:
    """The 304 asked on every checkout is answered ahead of FastAPI (`shared.fastlane`) on
    asyncpg's own pool; without that pool the route gives the very same answers."""
    app = create_app(catalog_settings(backing.catalog_database_url, backing.amqp_url))
    runtime: Runtime = app.state.runtime
    async with (
        serve(app) as url,
        httpx.AsyncClient(
            base_url=url, headers={INTERNAL_TOKEN_HEADER: runtime.settings.internal_token}, timeout=30
        ) as client,
    ):
        catalog = Catalog(url=url, settings=runtime.settings, client=client)
        await catalog.signup(business_name="Lane Lunch")
        path = "/internal/storefronts/lane-lunch/checkout-context"
        etag = (await client.get(path)).headers["ETag"]
        asked = [
            (path, etag),
            (path, '"someone-else-0"'),
            (path, None),
            ("/internal/storefronts/no-such-shop/checkout-context", etag),
        ]

        async def answers() -> list[tuple[int, str | None, Any]]:
            found = []
            for where, held in asked:
                response = await client.get(where, headers={"If-None-Match": held} if held else None)
                body = response.json() if response.content else None
                found.append((response.status_code, response.headers.get("ETag"), body))
            return found

        reads = 0
        fetchrow = runtime.fast_reads.fetchrow

        async def counted(query: str, *args: Any) -> Any:
            nonlocal reads
            reads += 1
            return await fetchrow(query, *args)

        runtime.fast_reads.fetchrow = counted  # type: ignore[method-assign]
        assert runtime.fast_reads.available
        through_the_lane = await answers()
        assert reads == 3  # every request with If-None-Match; the 304 is the lane's own
        await runtime.fast_reads.close()
        assert not runtime.fast_reads.available
        assert await answers() == through_the_lane
        assert reads == 3
    assert [status for status, _, _ in through_the_lane] == [304, 200, 200, 404]
    assert through_the_lane[0][1] == etag


async def test_the_fast_lane_passes_a_database_outage_to_the_route_503(backing: Backing) -> None:
    closed = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nowhere"
    settings = catalog_settings(closed, backing.amqp_url)
    async with (
        serve(create_app(settings)) as url,
        httpx.AsyncClient(
            base_url=url, headers={INTERNAL_TOKEN_HEADER: settings.internal_token}, timeout=30
        ) as client,
    ):
        response = await client.get(
            "/internal/storefronts/any-shop/checkout-context", headers={"If-None-Match": '"s-1"'}
        )
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"]
    assert response.json() == {"detail": "the database is unavailable; try again shortly"}
