"""Pricing from the catalog, totals, and the seller's rules for a whole checkout."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from services.checkout.domain.checkout import check_checkout, new_order
from services.checkout.domain.context import CheckoutContext
from services.checkout.domain.problems import CheckoutInvalid, StoreClosed
from shared.contract import CheckoutIn

NOW = datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)


def context(**seller: Any) -> CheckoutContext:
    return CheckoutContext.model_validate(
        {
            "seller": {
                "id": "s1",
                "business_name": "Dosa Corner",
                "slug": "dosa-corner",
                "phone": "+1 555 0102",
                "accepting_orders": True,
                "payment_methods": ["cod"],
                "zelle_handle": None,
                "currency": "USD",
                "timezone": "UTC",
                **seller,
            },
            "products": [
                {"id": "dosa", "name": "Masala Dosa", "description": "", "price_cents": 450,
                 "available": True,
                 "custom_fields": [{"key": "spice", "label": "Spice level", "type": "select",
                                    "required": True, "options": ["Mild", "Hot"]}]},
                {"id": "vada", "name": "Vada", "description": "", "price_cents": 199, "available": True,
                 "custom_fields": []},
                {"id": "idli", "name": "Idli", "description": "", "price_cents": 300, "available": False,
                 "custom_fields": []},
            ],
        }
    )  # fmt: skip


def checkout(items: list[dict[str, Any]], payment_method: str = "cod") -> CheckoutIn:
    return CheckoutIn.model_validate(
        {
            "customer": {"name": "Asha", "phone": "+1 555 0100"},
            "delivery_address": {"line1": "12 Main St", "city": "Springfield"},
            "payment_method": payment_method,
            "items": items,
        }
    )


def test_prices_names_and_totals_come_from_the_catalog() -> None:
    body = checkout(
        [
            {"product_id": "dosa", "quantity": 2, "custom_fields": {"spice": "Hot"}, "unit_price_cents": 1},
            {"product_id": "vada", "quantity": 3, "name": "Free vada"},
        ]
    )
    cart = check_checkout(body, context())
    assert [(i.name, i.quantity, i.unit_price_cents, i.line_total_cents) for i in cart.items] == [
        ("Masala Dosa", 2, 450, 900),
        ("Vada", 3, 199, 597),
    ]
    assert cart.total_cents == 1497
    assert cart.items[0].custom_fields[0].model_dump() == {
        "key": "spice",
        "label": "Spice level",
        "value": "Hot",
    }


def test_unknown_and_unavailable_products_point_at_the_item() -> None:
    body = checkout([{"product_id": "nope", "quantity": 1}, {"product_id": "idli", "quantity": 1}])
    with pytest.raises(CheckoutInvalid) as invalid:
        check_checkout(body, context())
    assert [(p.loc, p.msg) for p in invalid.value.problems] == [
        (("items", 0, "product_id"), "unknown product"),
        (("items", 1, "product_id"), "this product is not available"),
    ]


def test_custom_field_problems_point_at_the_field() -> None:
    body = checkout([{"product_id": "vada", "quantity": 1}, {"product_id": "dosa", "quantity": 1}])
    with pytest.raises(CheckoutInvalid) as invalid:
        check_checkout(body, context())
    assert [p.as_json() for p in invalid.value.problems] == [
        {
            "type": "missing",
            "loc": ["body", "items", 1, "custom_fields", "spice"],
            "msg": "this field is required",
        }
    ]


def test_a_payment_method_the_seller_does_not_accept() -> None:
    with pytest.raises(CheckoutInvalid) as invalid:
        check_checkout(checkout([{"product_id": "vada", "quantity": 1}], "zelle"), context())
    assert invalid.value.problems[0].loc == ("payment_method",)
    zelle_without_handle = context(payment_methods=["cod", "zelle"], zelle_handle=None)
    with pytest.raises(CheckoutInvalid):
        check_checkout(checkout([{"product_id": "vada", "quantity": 1}], "zelle"), zelle_without_handle)
    zelle = context(payment_methods=["cod", "zelle"], zelle_handle="pay@example.com")
    assert (
        check_checkout(checkout([{"product_id": "vada", "quantity": 1}], "zelle"), zelle).total_cents == 199
    )


def test_a_closed_store_refuses_before_anything_else() -> None:
    with pytest.raises(StoreClosed):
        check_checkout(checkout([{"product_id": "nope", "quantity": 1}]), context(accepting_orders=False))


def test_a_new_order_is_pending_at_version_one() -> None:
    body = checkout([{"product_id": "vada", "quantity": 2}])
    cart = check_checkout(body, context())
    order = new_order(
        order_id="o1", seller_id="s1", token_number="A-001", checkout=body, cart=cart, currency="INR", now=NOW
    )
    assert (order.status, order.payment_status, order.version, order.total_cents) == (
        "pending",
        "pending",
        1,
        398,
    )
    assert order.currency == "INR"
    assert order.created_at == order.updated_at == NOW
    assert [(h.status, h.at) for h in order.history] == [("pending", NOW)]
    assert order.delivery_address.line2 == ""
    assert order.model_dump(mode="json")["created_at"].endswith(".123456Z")
