"""An order as checkout keeps it: the contract's `Order` plus the snapshots taken at checkout."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from shared.contract import Order, SellerContact, customer_view


@dataclass(frozen=True)
class OrderRecord:
    order: Order
    seller_contact: SellerContact
    zelle_handle: str | None
    customer_key: str
    storefront_slug: str

    def order_json(self) -> dict[str, Any]:
        return self.order.model_dump(mode="json")

    def customer_json(self) -> dict[str, Any]:
        """The `CustomerOrder` JSON."""
        return customer_view(self.order_json(), self.seller_contact.model_dump(), self.zelle_handle)

    def with_order(self, order: Order) -> OrderRecord:
        return replace(self, order=order)
