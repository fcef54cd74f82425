"""What the notifier holds while it runs: the broker, the HTTP clients and the socket hub."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from services.notifier.config import Settings
from services.notifier.events.handlers import subscribe
from services.notifier.hub import Hub
from services.notifier.subscribing import RealtimeCheck, ReplayReads
from services.notifier.upstream import Upstreams
from shared.messaging import Broker
from shared.outgoing import SendLimits

WAIT_FOREVER_S = 10.0**7


@dataclass
class Runtime:
    settings: Settings
    broker: Broker
    upstreams: Upstreams
    hub: Hub
    send_limits: SendLimits
    realtime: RealtimeCheck
    replay_reads: ReplayReads
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        upstreams = Upstreams(settings)
        return cls(
            settings=settings,
            broker=Broker(settings.amqp_url, "notifier"),
            upstreams=upstreams,
            hub=Hub(settings, upstreams),
            send_limits=SendLimits(settings.notifier_send_queue_limit, settings.notifier_send_timeout_s),
            realtime=RealtimeCheck(upstreams.realtime_enabled),
            replay_reads=ReplayReads(upstreams),
        )

    async def start(self) -> None:
        """Serve even while RabbitMQ is down: sockets open and replay; live events follow once
        it is up."""
        subscribe(self.broker, self.hub)
        await self.broker.start(wait=self.settings.notifier_broker_start_wait_s)
        loop = asyncio.get_running_loop()
        self._tasks.append(loop.create_task(self.hub.run_heartbeats(), name="notifier-heartbeats"))
        if not self.broker.connected:
            self._tasks.append(loop.create_task(self._catch_up_once_connected()))

    async def _catch_up_once_connected(self) -> None:
        """Sockets that subscribed before the first connection may have missed events."""
        await self.broker.wait_connected(timeout=WAIT_FOREVER_S)
        await self.hub.refresh_all()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.realtime.close()
        await self.replay_reads.close()
        await self.hub.close()
        await self.broker.close()
        await self.upstreams.close()

    async def broker_ready(self) -> bool:
        return self.broker.connected
