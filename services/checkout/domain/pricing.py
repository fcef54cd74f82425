"""Pricing a cart from the catalog's products: names, unit prices and totals never come from
the request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.checkout.domain.custom_fields import snapshot_custom_fields
from services.checkout.domain.problems import FieldProblem
from shared.contract import OrderItem, OrderItemIn, Product


@dataclass(frozen=True)
class PricedCart:
    items: list[OrderItem]
    total_cents: int


def price_items(
    items: Sequence[OrderItemIn], products: Sequence[Product]
) -> tuple[PricedCart, list[FieldProblem]]:
    """Each item priced from its product, with its custom fields checked; problems point at
    `("items", i, ...)`."""
    by_id = {product.id: product for product in products}
    priced: list[OrderItem] = []
    problems: list[FieldProblem] = []
    for index, item in enumerate(items):
        product = by_id.get(item.product_id)
        if product is None:
            problems.append(
                FieldProblem(("items", index, "product_id"), "unknown product", "unknown_product")
            )
            continue
        if not product.available:
            problems.append(
                FieldProblem(("items", index, "product_id"), "this product is not available", "unavailable")
            )
            continue
        fields, field_problems = snapshot_custom_fields(
            product.custom_fields, item.custom_fields, ("items", index, "custom_fields")
        )
        problems.extend(field_problems)
        priced.append(
            OrderItem(
                product_id=product.id,
                name=product.name,
                quantity=item.quantity,
                unit_price_cents=product.price_cents,
                line_total_cents=product.price_cents * item.quantity,
                custom_fields=fields,
            )
        )
    return PricedCart(priced, sum(item.line_total_cents for item in priced)), problems
