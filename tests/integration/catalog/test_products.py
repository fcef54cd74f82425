"""Products under /api/seller/products: each seller sees and changes only their own."""

from __future__ import annotations

from typing import Any

from shared.security import SELLER_ID_HEADER

from .conftest import Catalog

CURRY = {
    "name": "Chicken Curry",
    "description": "Serves two",
    "price_cents": 1450,
    "custom_fields": [
        {
            "key": "spice",
            "label": "Spice level",
            "type": "select",
            "required": True,
            "options": ["Mild", "Medium", "Hot"],
        },
        {"key": "note", "label": "Note", "type": "text"},
        {"key": "portions", "label": "Portions", "type": "number", "min": 1, "max": 4},
        {"key": "cutlery", "label": "Cutlery", "type": "checkbox"},
    ],
}


async def create(catalog: Catalog, seller_id: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await catalog.client.post(
        "/api/seller/products", json=body, headers=catalog.as_seller(seller_id)
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_create_answers_the_product_with_its_defaults(catalog: Catalog) -> None:
    seller_id = await catalog.seller()
    product = await create(catalog, seller_id, CURRY)
    assert isinstance(product["id"], str) and product["id"]
    assert product["available"] is True
    assert product["name"] == "Chicken Curry"
    assert product["price_cents"] == 1450
    fields = {field["key"]: field for field in product["custom_fields"]}
    assert fields["spice"]["options"] == ["Mild", "Medium", "Hot"]
    assert fields["spice"]["required"] is True
    assert fields["note"]["max_length"] == 200  # the contract's default for text fields
    assert fields["note"]["required"] is False
    assert (fields["portions"]["min"], fields["portions"]["max"]) == (1, 4)
    minimal = await create(catalog, seller_id, {"name": "Chai", "price_cents": 350})
    assert (minimal["description"], minimal["available"], minimal["custom_fields"]) == ("", True, [])


async def test_get_list_patch_and_delete(catalog: Catalog) -> None:
    seller_id = await catalog.seller()
    headers = catalog.as_seller(seller_id)
    product = await create(catalog, seller_id, CURRY)
    url = f"/api/seller/products/{product['id']}"

    assert (await catalog.client.get(url, headers=headers)).json() == product
    assert (await catalog.client.get("/api/seller/products", headers=headers)).json() == {
        "products": [product]
    }

    patched = await catalog.client.patch(url, json={"price_cents": 1500, "available": False}, headers=headers)
    assert patched.status_code == 200
    assert patched.json() == {**product, "price_cents": 1500, "available": False}
    assert (await catalog.client.get(url, headers=headers)).json() == patched.json()

    deleted = await catalog.client.delete(url, headers=headers)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert (await catalog.client.get(url, headers=headers)).status_code == 404
    assert (await catalog.client.delete(url, headers=headers)).status_code == 404
    assert (await catalog.client.get("/api/seller/products", headers=headers)).json() == {"products": []}


async def test_patch_replaces_custom_fields_and_clears_the_description(catalog: Catalog) -> None:
    seller_id = await catalog.seller()
    product = await create(catalog, seller_id, CURRY)
    response = await catalog.client.patch(
        f"/api/seller/products/{product['id']}",
        json={
            "custom_fields": [{"key": "gift", "label": "Gift wrap", "type": "checkbox"}],
            "description": None,
        },
        headers=catalog.as_seller(seller_id),
    )
    assert response.status_code == 200
    assert response.json()["description"] == ""
    assert [field["key"] for field in response.json()["custom_fields"]] == ["gift"]


async def test_products_keep_the_order_they_were_created_in(catalog: Catalog) -> None:
    seller_id = await catalog.seller()
    headers = catalog.as_seller(seller_id)
    ids = [
        (await create(catalog, seller_id, {"name": f"Item {i}", "price_cents": 100 + i}))["id"]
        for i in range(6)
    ]
    await catalog.client.patch(f"/api/seller/products/{ids[0]}", json={"name": "Renamed"}, headers=headers)
    await catalog.client.patch(f"/api/seller/products/{ids[3]}", json={"available": False}, headers=headers)
    await catalog.client.delete(f"/api/seller/products/{ids[2]}", headers=headers)
    listed = (await catalog.client.get("/api/seller/products", headers=headers)).json()["products"]
    assert [product["id"] for product in listed] == [ids[0], ids[1], ids[3], ids[4], ids[5]]


async def test_another_sellers_product_is_404(catalog: Catalog) -> None:
    owner, other = await catalog.seller(), await catalog.seller()
    product = await create(catalog, owner, CURRY)
    url = f"/api/seller/products/{product['id']}"
    headers = catalog.as_seller(other)
    for response in (
        await catalog.client.get(url, headers=headers),
        await catalog.client.patch(url, json={"price_cents": 1}, headers=headers),
        await catalog.client.delete(url, headers=headers),
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": "product not found"}
    assert (await catalog.client.get("/api/seller/products", headers=headers)).json() == {"products": []}
    untouched = await catalog.client.get(url, headers=catalog.as_seller(owner))
    assert untouched.json() == product


async def test_an_unknown_product_is_404(catalog: Catalog) -> None:
    headers = catalog.as_seller(await catalog.seller())
    assert (await catalog.client.get("/api/seller/products/nope", headers=headers)).status_code == 404
    assert (
        await catalog.client.patch("/api/seller/products/nope", json={}, headers=headers)
    ).status_code == 404


async def test_without_a_known_seller_it_is_401(catalog: Catalog) -> None:
    for headers in ({}, {SELLER_ID_HEADER: "ghost"}):
        assert (await catalog.client.get("/api/seller/products", headers=headers)).status_code == 401
        response = await catalog.client.post("/api/seller/products", json=CURRY, headers=headers)
        assert response.status_code == 401
        assert (await catalog.client.get("/api/seller/products/x", headers=headers)).status_code == 401


def field(**overrides: Any) -> dict[str, Any]:
    return {"key": "f", "label": "F", "type": "text", **overrides}


INVALID_PRODUCTS: list[dict[str, Any]] = [
    {"name": "X", "price_cents": 0},
    {"name": "X", "price_cents": -5},
    {"name": "X", "price_cents": "500"},
    {"name": "X", "price_cents": 4.5},
    {"name": "", "price_cents": 100},
    {"name": "x" * 121, "price_cents": 100},
    {"name": "X", "price_cents": 100, "description": "d" * 2001},
    {"name": "X", "price_cents": 100, "available": "yes"},
    {"name": "X", "price_cents": 100, "id": "chosen"},
    {"name": "X", "price_cents": 100, "custom_fields": [field(), field()]},
    {"name": "X", "price_cents": 100, "custom_fields": [field(key="Bad Key")]},
    {"name": "X", "price_cents": 100, "custom_fields": [field(type="select")]},
    {"name": "X", "price_cents": 100, "custom_fields": [field(type="select", options=[])]},
    {"name": "X", "price_cents": 100, "custom_fields": [field(type="colour")]},
    {"name": "X", "price_cents": 100, "custom_fields": [field(type="number", min=5, max=1)]},
    {"name": "X", "price_cents": 100, "custom_fields": [field(options=["a"])]},
    {"price_cents": 100},
]
INVALID_PATCHES: list[dict[str, Any]] = [
    {"name": None},
    {"price_cents": None},
    {"available": None},
    {"custom_fields": None},
    {"price_cents": 0},
    {"custom_fields": [field(type="select")]},
    {"seller_id": "someone-else"},
]


async def test_invalid_products_are_422(catalog: Catalog) -> None:
    headers = catalog.as_seller(await catalog.seller())
    for body in INVALID_PRODUCTS:
        response = await catalog.client.post("/api/seller/products", json=body, headers=headers)
        assert response.status_code == 422, body
        assert isinstance(response.json()["detail"], list)
    assert (await catalog.client.get("/api/seller/products", headers=headers)).json() == {"products": []}


async def test_invalid_product_patches_are_422_and_change_nothing(catalog: Catalog) -> None:
    headers = catalog.as_seller(await catalog.seller())
    product = (await catalog.client.post("/api/seller/products", json=CURRY, headers=headers)).json()
    url = f"/api/seller/products/{product['id']}"
    for body in INVALID_PATCHES:
        response = await catalog.client.patch(url, json=body, headers=headers)
        assert response.status_code == 422, body
    assert (await catalog.client.get(url, headers=headers)).json() == product
