"""The messaging layer: RabbitMQ behind a small interface, with the topology declared here once.

Topology
- `santhai.events`: a durable topic exchange; an event's routing key is its `type`.
- `santhai.dead`: a fanout dead-letter exchange, bound to the durable queue
  `santhai.dead-letters`. A consumer's queue dead-letters there, so a message that cannot be
  parsed or handled after bounded retries is parked instead of blocking the ones behind it.
- Consumers declare their own queues with `Broker.consume`.

Messages are persistent and published with publisher confirms. Consumers acknowledge by hand
after their handler has finished.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aio_pika
from aio_pika.abc import (
    AbstractIncomingMessage,
    AbstractRobustChannel,
    AbstractRobustConnection,
    AbstractRobustExchange,
)
from pydantic import ValidationError

from shared.events import IntegrationEvent, parse_event
from shared.logs import request_id_var
from shared.metrics import EVENTS_CONSUMED, EVENTS_DEAD_LETTERED, EVENTS_PUBLISHED

EVENTS_EXCHANGE = "santhai.events"
DEAD_LETTER_EXCHANGE = "santhai.dead"
DEAD_LETTER_QUEUE = "santhai.dead-letters"
HANDLER_ATTEMPTS = 3
PUBLISH_TIMEOUT_S = 5.0

log = logging.getLogger(__name__)

EventHandler = Callable[[IntegrationEvent], Awaitable[None]]


class BrokerUnavailable(Exception):
    """The broker is not connected, or did not confirm a publish in time."""


class Broker:
    """One robust connection to RabbitMQ for a service: publish events and consume them."""

    def __init__(self, url: str, service: str) -> None:
        self._url = url
        self._service = service
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractRobustChannel | None = None
        self._exchange: AbstractRobustExchange | None = None
        self._connect_task: asyncio.Task[None] | None = None
        self._consumers: list[Callable[[], Awaitable[None]]] = []
        self._reconnect_hooks: list[Callable[[], Awaitable[None]]] = []
        self._ready = asyncio.Event()

    # --- connection ------------------------------------------------------------------

    async def start(self, *, wait: float = 0) -> None:
        """Connect in the background, retrying until the broker answers; wait up to `wait` s."""
        self._connect_task = asyncio.create_task(self._connect_forever(), name=f"{self._service}-amqp")
        if wait:
            try:
                await asyncio.wait_for(self._ready.wait(), wait)
            except TimeoutError:
                log.warning("RabbitMQ is not reachable yet; will keep trying", extra={"url": self.safe_url})

    @property
    def safe_url(self) -> str:
        url = aio_pika.connection.make_url(self._url)
        return str(url.with_password("***")) if url.password else str(url)

    async def _connect_forever(self) -> None:
        delay = 0.5
        while True:
            try:
                connection = await aio_pika.connect_robust(self._url, reconnect_interval=1, timeout=5)
                break
            except (OSError, aio_pika.exceptions.AMQPError, TimeoutError) as exc:
                log.warning("cannot reach RabbitMQ: %s; retrying", exc, extra={"url": self.safe_url})
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        self._connection = connection
        connection.reconnect_callbacks.add(self._on_reconnect)
        self._channel = await connection.channel(publisher_confirms=True)
        await self._declare_topology()
        for start_consumer in self._consumers:
            await start_consumer()
        self._ready.set()
        log.info("connected to RabbitMQ", extra={"url": self.safe_url})

    async def _declare_topology(self) -> None:
        assert self._channel is not None
        self._exchange = await self._channel.declare_exchange(
            EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
        )
        dead_exchange = await self._channel.declare_exchange(
            DEAD_LETTER_EXCHANGE, aio_pika.ExchangeType.FANOUT, durable=True
        )
        dead_queue = await self._channel.declare_queue(DEAD_LETTER_QUEUE, durable=True)
        await dead_queue.bind(dead_exchange)

    async def _on_reconnect(self, *_: Any) -> None:
        log.info("reconnected to RabbitMQ")
        for hook in self._reconnect_hooks:
            try:
                await hook()
            except Exception:
                log.exception("reconnect hook failed")

    def on_reconnect(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Run `hook` after every reconnection (not the first connection)."""
        self._reconnect_hooks.append(hook)

    @property
    def connected(self) -> bool:
        conn = self._connection
        return conn is not None and not conn.is_closed and conn.connected.is_set()

    async def wait_connected(self, timeout: float) -> bool:  # noqa: ASYNC109 - a deadline, not a cancel
        try:
            await asyncio.wait_for(self._ready.wait(), timeout)
        except TimeoutError:
            return False
        return self.connected

    async def close(self) -> None:
        if self._connect_task is not None:
            self._connect_task.cancel()
            await asyncio.gather(self._connect_task, return_exceptions=True)
        if self._connection is not None:
            await self._connection.close()

    # --- publishing ------------------------------------------------------------------

    async def publish(self, event: IntegrationEvent, *, body: bytes | None = None) -> None:
        """Publish one event persistently and wait for the broker's confirm.

        Raises `BrokerUnavailable` when not connected or not confirmed within the timeout,
        so callers with an outbox can leave the row for the relay.
        """
        await self.publish_raw(event.type, event.id, body or event.model_dump_json().encode())

    async def publish_raw(self, routing_key: str, message_id: str, body: bytes) -> None:
        if not self.connected or self._exchange is None:
            raise BrokerUnavailable("not connected to RabbitMQ")
        message = aio_pika.Message(
            body,
            message_id=message_id,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            headers={"x-request-id": request_id_var.get() or ""},
        )
        try:
            await self._exchange.publish(
                message, routing_key=routing_key, mandatory=False, timeout=PUBLISH_TIMEOUT_S
            )
        except (TimeoutError, aio_pika.exceptions.AMQPError, RuntimeError, OSError) as exc:
            raise BrokerUnavailable(str(exc) or type(exc).__name__) from exc
        EVENTS_PUBLISHED.labels(event_type=routing_key).inc()

    # --- consuming -------------------------------------------------------------------

    def consume(
        self,
        handler: EventHandler,
        *,
        bindings: Sequence[str],
        queue: str | None = None,
        prefetch: int = 256,
    ) -> None:
        """Consume events matching `bindings` with `handler`, from now on and after reconnects.

        `queue=None` gives this process its own auto-deleted queue (each notifier process
        receives every event); a name gives a durable queue shared by competing consumers.
        A handler that raises is retried `HANDLER_ATTEMPTS` times, then the message is
        dead-lettered; a message that does not parse is dead-lettered at once.
        """

        async def start() -> None:
            assert self._connection is not None
            channel = await self._connection.channel()
            await channel.set_qos(prefetch_count=prefetch)
            exchange = await channel.declare_exchange(
                EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
            )
            arguments = {"x-dead-letter-exchange": DEAD_LETTER_EXCHANGE}
            if queue is None:
                name = f"{self._service}.{uuid.uuid4().hex[:12]}"
                declared = await channel.declare_queue(name, auto_delete=True, arguments=arguments)
            else:
                declared = await channel.declare_queue(queue, durable=True, arguments=arguments)
            for key in bindings:
                await declared.bind(exchange, routing_key=key)

            async def on_message(message: AbstractIncomingMessage) -> None:
                await self._deliver(message, handler)

            await declared.consume(on_message)

        self._consumers.append(start)
        if self._ready.is_set():
            asyncio.get_running_loop().create_task(start())

    async def _deliver(self, message: AbstractIncomingMessage, handler: EventHandler) -> None:
        try:
            event = parse_event(message.body)
        except ValidationError:
            log.warning("dead-lettering an unparsable message", extra={"message_id": message.message_id})
            EVENTS_DEAD_LETTERED.labels(reason="unparsable").inc()
            await message.reject(requeue=False)
            return
        token = request_id_var.set(str((message.headers or {}).get("x-request-id") or ""))
        try:
            for attempt in range(1, HANDLER_ATTEMPTS + 1):
                try:
                    await handler(event)
                    break
                except Exception:
                    log.exception("event handler failed", extra={"event_id": event.id, "attempt": attempt})
                    if attempt == HANDLER_ATTEMPTS:
                        EVENTS_DEAD_LETTERED.labels(reason="handler_failed").inc()
                        await message.reject(requeue=False)
                        return
                    await asyncio.sleep(0.05 * attempt)
            EVENTS_CONSUMED.labels(event_type=event.type).inc()
            await message.ack()
        finally:
            request_id_var.reset(token)
