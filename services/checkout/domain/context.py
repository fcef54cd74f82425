"""What checkout learns from the catalog about a storefront before placing an order."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from shared.contract import PaymentMethod, Product


class ContextSeller(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    business_name: str
    slug: str
    phone: str | None
    accepting_orders: bool
    payment_methods: list[PaymentMethod]
    zelle_handle: str | None
    currency: str
    timezone: str = "UTC"

    def accepts(self, method: PaymentMethod) -> bool:
        """Zelle counts only with a handle to pay to; the catalog enforces that, we don't rely on it."""
        if method == "zelle" and not self.zelle_handle:
            return False
        return method in self.payment_methods


class CheckoutContext(BaseModel):
    """The catalog's `GET /internal/storefronts/{slug}/checkout-context` answer."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    seller: ContextSeller
    products: list[Product]
