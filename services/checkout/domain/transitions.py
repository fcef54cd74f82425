"""Order status and payment transitions (the contract's state machine)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from shared.contract import HistoryEntry, Order, OrderStatus

NEXT_STATUSES: Mapping[OrderStatus, frozenset[OrderStatus]] = {
    "pending": frozenset({"accepted", "rejected"}),
    "accepted": frozenset({"preparing", "out_for_delivery", "delivered", "cancelled"}),
    "preparing": frozenset({"out_for_delivery", "delivered", "cancelled"}),
    "out_for_delivery": frozenset({"delivered"}),
    "delivered": frozenset(),
    "rejected": frozenset(),
    "cancelled": frozenset(),
}
NO_PAYMENT_STATUSES: frozenset[OrderStatus] = frozenset({"rejected", "cancelled"})


class ChangeRefused(Exception):
    """The change does not apply to the order as it is (409); `order` is the current order."""

    def __init__(self, detail: str, order: Order) -> None:
        super().__init__(detail)
        self.detail = detail
        self.order = order


def can_change_status(current: OrderStatus, target: OrderStatus) -> bool:
    return target in NEXT_STATUSES[current]


def change_status(
    order: Order, target: OrderStatus, *, reason: str | None, expected_version: int | None, now: datetime
) -> Order:
    """The order after moving to `target`; raises `ChangeRefused`."""
    _check_version(order, expected_version)
    if not can_change_status(order.status, target):
        raise ChangeRefused(f"an order that is {order.status} cannot become {target}", order)
    entry = HistoryEntry(status=target, at=now, reason=reason or None)
    return order.model_copy(
        update={
            "status": target,
            "history": [*order.history, entry],
            "version": order.version + 1,
            "updated_at": now,
        }
    )


def receive_payment(order: Order, *, expected_version: int | None, now: datetime) -> Order:
    """The order with its payment received; raises `ChangeRefused`."""
    _check_version(order, expected_version)
    if order.payment_status == "received":
        raise ChangeRefused("the payment was already received", order)
    if order.status in NO_PAYMENT_STATUSES:
        raise ChangeRefused(f"an order that is {order.status} takes no payment", order)
    return order.model_copy(
        update={
            "payment_status": "received",
            "payment_received_at": now,
            "version": order.version + 1,
            "updated_at": now,
        }
    )


def _check_version(order: Order, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != order.version:
        raise ChangeRefused(
            f"the order is at version {order.version}, not {expected_version}; reload it", order
        )
