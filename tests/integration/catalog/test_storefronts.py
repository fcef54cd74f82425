"""Public storefronts and their QR codes."""

from __future__ import annotations

from typing import Any

from services.catalog.domain.qr import qr_png, qr_svg

from .conftest import PUBLIC_URL, Catalog


async def setup_shop(catalog: Catalog) -> tuple[str, list[dict[str, Any]]]:
    seller_id = await catalog.seller(business_name="Dosa Corner", phone="+1 555 0102")
    headers = catalog.as_seller(seller_id)
    await catalog.client.patch(
        "/api/seller",
        json={
            "payment_methods": ["cod", "zelle"],
            "zelle_handle": "pay@dosa.example",
            "timezone": "Asia/Kolkata",
        },
        headers=headers,
    )
    products = []
    for body in (
        {"name": "Masala Dosa", "price_cents": 900},
        {"name": "Filter Coffee", "price_cents": 300, "available": False},
    ):
        response = await catalog.client.post("/api/seller/products", json=body, headers=headers)
        products.append(response.json())
    return seller_id, products


async def test_a_storefront_lists_the_seller_and_every_product(catalog: Catalog) -> None:
    _, products = await setup_shop(catalog)
    response = await catalog.client.get("/api/storefronts/dosa-corner")
    assert response.status_code == 200
    assert response.json() == {
        "seller": {
            "business_name": "Dosa Corner",
            "slug": "dosa-corner",
            "phone": "+1 555 0102",
            "accepting_orders": True,
            "payment_methods": ["cod", "zelle"],
            "zelle_handle": "pay@dosa.example",
            "currency": "USD",
        },
        "products": products,
    }
    assert response.json()["products"][1]["available"] is False


async def test_an_unknown_storefront_is_404(catalog: Catalog) -> None:
    for path in (
        "/api/storefronts/nobody-here",
        "/api/storefronts/nobody-here/qr.svg",
        "/api/storefronts/nobody-here/qr.png",
    ):
        response = await catalog.client.get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "storefront not found"}


async def test_the_qr_codes_encode_the_storefront_url(catalog: Catalog) -> None:
    await setup_shop(catalog)
    url = f"{PUBLIC_URL}/s/dosa-corner"
    svg = await catalog.client.get("/api/storefronts/dosa-corner/qr.svg")
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.content == qr_svg(url)
    png = await catalog.client.get("/api/storefronts/dosa-corner/qr.png")
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    assert png.content == qr_png(url)
    for response in (svg, png):
        assert "max-age=" in response.headers["cache-control"]
        assert response.headers["etag"].startswith('"')
        assert response.headers["x-content-type-options"] == "nosniff"
    assert 'filename="dosa-corner-qr.png"' in png.headers["content-disposition"]


async def test_a_qr_code_the_client_has_is_304(catalog: Catalog) -> None:
    await setup_shop(catalog)
    first = await catalog.client.get("/api/storefronts/dosa-corner/qr.png")
    again = await catalog.client.get(
        "/api/storefronts/dosa-corner/qr.png", headers={"If-None-Match": f'"other", {first.headers["etag"]}'}
    )
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    changed = await catalog.client.get(
        "/api/storefronts/dosa-corner/qr.png", headers={"If-None-Match": '"other"'}
    )
    assert changed.status_code == 200
