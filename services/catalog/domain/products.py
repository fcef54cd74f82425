"""Products: what a seller sells, with the custom fields a customer fills in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from services.catalog.domain.errors import RuleViolation


@dataclass(frozen=True)
class ProductRecord:
    id: str
    seller_id: str
    name: str
    description: str
    price_cents: int
    available: bool
    custom_fields: list[dict[str, Any]]


def apply_product_patch(current: ProductRecord, changes: Mapping[str, Any]) -> ProductRecord:
    """The product after a PATCH with `changes` (only the fields the client sent).

    A null description clears it; a null anywhere else is refused with `RuleViolation`.
    """
    cleaned: dict[str, Any] = {}
    for field, value in changes.items():
        if value is None:
            if field != "description":
                raise RuleViolation(field, "must not be null")
            value = ""
        cleaned[field] = value
    return replace(current, **cleaned)
