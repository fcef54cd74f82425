"""The order events checkout writes to its outbox: exactly one per change of an order."""

from __future__ import annotations

from typing import Any

from services.checkout.domain.records import OrderRecord
from shared.contract import OrderStatus
from shared.events import OrderPaymentReceived, OrderPlaced, OrderStatusChanged


def order_placed(record: OrderRecord, seq: int) -> OrderPlaced:
    return OrderPlaced(**_envelope(record, seq))


def order_status_changed(record: OrderRecord, seq: int, previous_status: OrderStatus) -> OrderStatusChanged:
    return OrderStatusChanged(**_envelope(record, seq), previous_status=previous_status)


def order_payment_received(record: OrderRecord, seq: int) -> OrderPaymentReceived:
    return OrderPaymentReceived(**_envelope(record, seq))


def _envelope(record: OrderRecord, seq: int) -> dict[str, Any]:
    """What every order event carries: the order right after the change, and the seller's
    contact and Zelle handle as they were at checkout."""
    return {
        "seller_id": record.order.seller_id,
        "seq": seq,
        "order_id": record.order.id,
        "order": record.order_json(),
        "seller": record.seller_contact.model_dump(mode="json"),
        "zelle_handle": record.zelle_handle,
        "occurred_at": record.order.updated_at,
    }
