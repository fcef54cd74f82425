"""What the notifier does with the events it consumes. Every handler is idempotent: sockets
drop seqs and versions they already have, and closing a closed socket does nothing."""

from __future__ import annotations

from services.notifier.domain.realtime_flags import RealtimeFlags
from services.notifier.hub import Hub
from shared.events import IntegrationEvent, OrderEvent, SellerSettingsChanged
from shared.messaging import Broker, EventHandler

BINDINGS = ("order.#", "seller.#")


def event_handler(hub: Hub, flags: RealtimeFlags) -> EventHandler:
    async def handle(event: IntegrationEvent) -> None:
        if isinstance(event, OrderEvent):
            hub.deliver(event)
        elif isinstance(event, SellerSettingsChanged):
            flags.changed(event.seller_id)  # first, so no socket let in from here on sees the old flag
            hub.settings_changed(event)

    return handle


def subscribe(broker: Broker, hub: Hub, flags: RealtimeFlags) -> None:
    """Consume on a queue of this process's own, so every notifier process hears every event.
    The queue misses what is sent while the connection is down, so every real-time flag is
    forgotten when it drops and again once it is back (flags remembered while it was being
    restored may have missed a change), and every socket is caught up from the log."""
    broker.consume(event_handler(hub, flags), bindings=BINDINGS, queue=None)

    async def forget_flags() -> None:
        flags.forget_all()

    broker.on_disconnect(flags.forget_all)
    broker.on_reconnect(forget_flags)
    broker.on_reconnect(hub.refresh_all)
