"""What the notifier does with the events it consumes. Every handler is idempotent: sockets
drop seqs and versions they already have, and closing a closed socket does nothing."""

from __future__ import annotations

from services.notifier.hub import Hub
from shared.events import IntegrationEvent, OrderEvent, SellerSettingsChanged
from shared.messaging import Broker, EventHandler

BINDINGS = ("order.#", "seller.#")


def event_handler(hub: Hub) -> EventHandler:
    async def handle(event: IntegrationEvent) -> None:
        if isinstance(event, OrderEvent):
            hub.deliver(event)
        elif isinstance(event, SellerSettingsChanged):
            hub.settings_changed(event)

    return handle


def subscribe(broker: Broker, hub: Hub) -> None:
    """Consume on a queue of this process's own, so every notifier process hears every event;
    after a reconnect, catch every socket up from the log (the queue missed what was sent
    while it was gone)."""
    broker.consume(event_handler(hub), bindings=BINDINGS, queue=None)
    broker.on_reconnect(hub.refresh_all)
