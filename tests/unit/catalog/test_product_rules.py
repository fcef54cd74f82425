"""The rules of PATCH /api/seller/products/{id}."""

from __future__ import annotations

import pytest

from services.catalog.domain.errors import RuleViolation
from services.catalog.domain.products import ProductRecord, apply_product_patch

CURRY = ProductRecord(
    id="p1",
    seller_id="s1",
    name="Chicken Curry",
    description="Serves two",
    price_cents=1450,
    available=True,
    custom_fields=[
        {"key": "spice", "label": "Spice", "type": "select", "required": True, "options": ["Mild", "Hot"]}
    ],
)


def test_a_patch_changes_only_what_it_names() -> None:
    updated = apply_product_patch(CURRY, {"price_cents": 1500, "available": False})
    assert updated.price_cents == 1500
    assert updated.available is False
    assert updated.name == CURRY.name
    assert updated.custom_fields == CURRY.custom_fields
    assert (updated.id, updated.seller_id) == (CURRY.id, CURRY.seller_id)


def test_custom_fields_are_replaced_as_a_whole() -> None:
    assert apply_product_patch(CURRY, {"custom_fields": []}).custom_fields == []


def test_a_null_description_clears_it() -> None:
    assert apply_product_patch(CURRY, {"description": None}).description == ""


@pytest.mark.parametrize("field", ["name", "price_cents", "available", "custom_fields"])
def test_null_is_refused_elsewhere(field: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        apply_product_patch(CURRY, {field: None})
    assert caught.value.field == field
