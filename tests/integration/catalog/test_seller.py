"""GET and PATCH /api/seller: the gateway's X-Seller-Id names the seller."""

from __future__ import annotations

from typing import Any

from shared.security import SELLER_ID_HEADER

from .conftest import PUBLIC_URL, Catalog


async def patch(catalog: Catalog, seller_id: str, body: dict[str, Any]) -> Any:
    return await catalog.client.patch("/api/seller", json=body, headers=catalog.as_seller(seller_id))


async def test_get_answers_the_seller(catalog: Catalog) -> None:
    signed_up = (await catalog.signup(business_name="Asha's Kitchen", phone="+1 555 0101"))["seller"]
    response = await catalog.client.get("/api/seller", headers=catalog.as_seller(signed_up["id"]))
    assert response.status_code == 200
    assert response.json() == signed_up


async def test_without_a_seller_id_it_is_401(catalog: Catalog) -> None:
    assert (await catalog.client.get("/api/seller")).status_code == 401
    assert (await catalog.client.patch("/api/seller", json={})).status_code == 401


async def test_an_unknown_seller_id_is_401(catalog: Catalog) -> None:
    headers = {SELLER_ID_HEADER: "no-such-seller"}
    for response in (
        await catalog.client.get("/api/seller", headers=headers),
        await catalog.client.patch("/api/seller", json={"business_name": "X"}, headers=headers),
    ):
        assert response.status_code == 401
        assert response.json() == {"detail": "not authenticated"}


async def test_patch_changes_every_setting_and_later_reads_see_it(catalog: Catalog) -> None:
    seller_id = await catalog.seller(slug="ashas-kitchen")
    changes = {
        "business_name": "Asha's Dosa House",
        "phone": "+1 555 0199",
        "realtime_enabled": True,
        "accepting_orders": False,
        "payment_methods": ["zelle", "cod"],
        "zelle_handle": "pay@asha.example",
        "currency": "EUR",
        "timezone": "America/New_York",
    }
    response = await patch(catalog, seller_id, changes)
    assert response.status_code == 200
    expected = {**changes, "payment_methods": ["cod", "zelle"]}
    assert {key: response.json()[key] for key in changes} == expected
    assert response.json()["slug"] == "ashas-kitchen"  # the name changes, the URL does not
    assert response.json()["storefront_url"] == f"{PUBLIC_URL}/s/ashas-kitchen"
    again = await catalog.client.get("/api/seller", headers=catalog.as_seller(seller_id))
    assert again.json() == response.json()


async def test_an_empty_patch_answers_the_seller_unchanged(catalog: Catalog) -> None:
    signed_up = (await catalog.signup())["seller"]
    response = await patch(catalog, signed_up["id"], {})
    assert response.status_code == 200
    assert response.json() == signed_up


async def test_zelle_needs_a_handle_sent_or_stored(catalog: Catalog) -> None:
    seller_id = await catalog.seller()
    refused = await patch(catalog, seller_id, {"payment_methods": ["cod", "zelle"]})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "payment_methods"]
    assert (await patch(catalog, seller_id, {"zelle_handle": "pay@x.example"})).status_code == 200
    accepted = await patch(catalog, seller_id, {"payment_methods": ["cod", "zelle"]})
    assert accepted.status_code == 200
    assert accepted.json()["payment_methods"] == ["cod", "zelle"]
    cleared = await patch(catalog, seller_id, {"zelle_handle": None})
    assert cleared.status_code == 422
    assert cleared.json()["detail"][0]["loc"] == ["body", "zelle_handle"]


async def test_a_refused_patch_changes_nothing(catalog: Catalog) -> None:
    signed_up = (await catalog.signup())["seller"]
    response = await patch(
        catalog, signed_up["id"], {"business_name": "Renamed", "timezone": "Nowhere/Special"}
    )
    assert response.status_code == 422
    after = await catalog.client.get("/api/seller", headers=catalog.as_seller(signed_up["id"]))
    assert after.json() == signed_up


async def test_phone_can_be_cleared(catalog: Catalog) -> None:
    seller_id = await catalog.seller(phone="+1 555 0101")
    response = await patch(catalog, seller_id, {"phone": None})
    assert response.status_code == 200
    assert response.json()["phone"] is None


INVALID_PATCHES: list[dict[str, Any]] = [
    {"payment_methods": []},
    {"payment_methods": ["card"]},
    {"payment_methods": "cod"},
    {"timezone": "Mars/Olympus_Mons"},
    {"timezone": "america/new_york"},
    {"timezone": ""},
    {"currency": "usd"},
    {"currency": "US"},
    {"currency": "USDT"},
    {"realtime_enabled": "yes"},
    {"accepting_orders": 1},
    {"business_name": ""},
    {"business_name": None},
    {"realtime_enabled": None},
    {"business_name": "x" * 101},
    {"phone": "1" * 31},
    {"zelle_handle": "z" * 101},
    {"slug": "new-slug"},
    {"email": "new@example.com"},
]


async def test_invalid_patches_are_422_and_change_nothing(catalog: Catalog) -> None:
    signed_up = (await catalog.signup())["seller"]
    for body in INVALID_PATCHES:
        response = await patch(catalog, signed_up["id"], body)
        assert response.status_code == 422, (body, response.text)
        assert isinstance(response.json()["detail"], list)
    after = await catalog.client.get("/api/seller", headers=catalog.as_seller(signed_up["id"]))
    assert after.json() == signed_up


async def test_a_patch_that_is_not_an_object_is_422(catalog: Catalog) -> None:
    seller_id = await catalog.seller()
    assert (await patch(catalog, seller_id, ["business_name"])).status_code == 422  # type: ignore[arg-type]
    response = await catalog.client.patch(
        "/api/seller",
        content=b"{not json",
        headers={**catalog.as_seller(seller_id), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"
