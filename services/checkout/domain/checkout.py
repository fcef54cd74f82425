"""The seller's rules for a checkout, applied to the catalog's view of the storefront."""

from __future__ import annotations

from datetime import datetime

from services.checkout.domain.context import CheckoutContext
from services.checkout.domain.pricing import PricedCart, price_items
from services.checkout.domain.problems import CheckoutInvalid, FieldProblem, StoreClosed
from shared.contract import Address, CheckoutIn, Customer, HistoryEntry, Order


def check_checkout(checkout: CheckoutIn, context: CheckoutContext) -> PricedCart:
    """The priced cart; raises `StoreClosed` or `CheckoutInvalid` (every problem at once)."""
    if not context.seller.accepting_orders:
        raise StoreClosed("this store is not accepting orders right now")
    problems: list[FieldProblem] = []
    if not context.seller.accepts(checkout.payment_method):
        problems.append(
            FieldProblem(
                ("payment_method",), "this seller does not accept this payment method", "not_accepted"
            )
        )
    cart, item_problems = price_items(checkout.items, context.products)
    problems.extend(item_problems)
    if problems:
        raise CheckoutInvalid(problems)
    return cart


def new_order(
    *,
    order_id: str,
    seller_id: str,
    token_number: str,
    checkout: CheckoutIn,
    cart: PricedCart,
    currency: str,
    now: datetime,
) -> Order:
    """A freshly placed order: pending, payment pending, version 1."""
    return Order(
        id=order_id,
        seller_id=seller_id,
        token_number=token_number,
        status="pending",
        payment_method=checkout.payment_method,
        payment_status="pending",
        payment_received_at=None,
        customer=Customer(name=checkout.customer.name, phone=checkout.customer.phone),
        delivery_address=Address(**checkout.delivery_address.model_dump()),
        items=cart.items,
        total_cents=cart.total_cents,
        currency=currency,
        created_at=now,
        updated_at=now,
        version=1,
        history=[HistoryEntry(status="pending", at=now)],
    )
