"""Integration events: one pydantic class per event, past tense, each on a common envelope.

The routing key of an event is its `type`. Order events carry the seller's `seq`, which
starts at 1 and grows by exactly one per event of that seller.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, Field, TypeAdapter


def utcnow() -> datetime:
    return datetime.now(UTC)


class IntegrationEvent(BaseModel):
    """The envelope every event has."""

    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    type: str
    version: int = 1
    occurred_at: datetime = Field(default_factory=utcnow)


class OrderEvent(IntegrationEvent):
    """An event about one order. `order` is the public `Order` JSON right after the event."""

    seller_id: str
    seq: int
    order_id: str
    order: dict[str, Any]
    seller: dict[str, Any]  # {business_name, phone}: for the customer's view
    zelle_handle: str | None = None

    @property
    def socket_type(self) -> str:
        """The message type dashboards see for this event."""
        return "order.created" if self.type == OrderPlaced.EVENT_TYPE else "order.updated"


class OrderPlaced(OrderEvent):
    EVENT_TYPE: ClassVar[str] = "order.placed"
    type: Literal["order.placed"] = "order.placed"


class OrderStatusChanged(OrderEvent):
    EVENT_TYPE: ClassVar[str] = "order.status_changed"
    type: Literal["order.status_changed"] = "order.status_changed"
    previous_status: str


class OrderPaymentReceived(OrderEvent):
    EVENT_TYPE: ClassVar[str] = "order.payment_received"
    type: Literal["order.payment_received"] = "order.payment_received"


class SellerSettingsChanged(IntegrationEvent):
    EVENT_TYPE: ClassVar[str] = "seller.settings_changed"
    type: Literal["seller.settings_changed"] = "seller.settings_changed"
    seller_id: str
    realtime_enabled: bool
    accepting_orders: bool


AnyEvent = Annotated[
    OrderPlaced | OrderStatusChanged | OrderPaymentReceived | SellerSettingsChanged,
    Field(discriminator="type"),
]
_any_event: TypeAdapter[Any] = TypeAdapter(AnyEvent)

ORDER_EVENT_TYPES = (OrderPlaced.EVENT_TYPE, OrderStatusChanged.EVENT_TYPE, OrderPaymentReceived.EVENT_TYPE)


def parse_event(body: bytes | str) -> IntegrationEvent:
    """Parse any known event from its JSON; raises `pydantic.ValidationError` otherwise."""
    event: IntegrationEvent = _any_event.validate_json(body)
    return event
