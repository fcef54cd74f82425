"""Poison messages: a message that cannot be parsed, or whose handler keeps failing, goes to the
dead-letter queue after bounded retries, is counted in /metrics, and does not hold up the
messages behind it."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aio_pika
import httpx
import pytest
from prometheus_client import REGISTRY

from scripts.system import System
from shared.events import IntegrationEvent, OrderPlaced
from shared.messaging import DEAD_LETTER_QUEUE, EVENTS_EXCHANGE, HANDLER_ATTEMPTS, Broker
from tests.e2e.client import new_seller, seller_socket
from tests.e2e.test_recovery import metric
from tests.infra import RUN_ID, RabbitMQ

pytestmark = pytest.mark.timeout(180)

POISON = {
    "not JSON": b"\x00\x01 definitely not json",
    "not UTF-8": b"\xff\xfe{}",
    "no fields": b'{"type": "order.placed"}',
    "unknown type": b'{"type": "order.exploded", "id": "x", "occurred_at": "2026-01-01T00:00:00Z"}',
    "wrong types": b'{"type": "order.placed", "seller_id": 5, "seq": "one", "order_id": null}',
}


@pytest.fixture
def own_vhost(rabbitmq: RabbitMQ) -> Iterator[str]:
    """A vhost of this test's own, so its dead-letter queue holds only what the test put there."""
    name = f"santhai-{RUN_ID}-dead-{uuid.uuid4().hex[:6]}"
    url = rabbitmq.create_vhost(name)
    yield url
    rabbitmq.delete_vhost(name)


@pytest.fixture
async def channel(own_vhost: str) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    connection = await aio_pika.connect(own_vhost, timeout=10)
    async with connection:
        yield await connection.channel()


async def dead_letters(channel: aio_pika.abc.AbstractChannel, count: int, timeout: float = 10) -> list[bytes]:
    """The first `count` messages of the dead-letter queue (waiting for them, bounded)."""
    queue = await channel.declare_queue(DEAD_LETTER_QUEUE, durable=True, passive=True)
    bodies: list[bytes] = []
    deadline = time.monotonic() + timeout
    while len(bodies) < count and time.monotonic() < deadline:
        message = await queue.get(no_ack=True, fail=False)
        if message is None:
            await asyncio.sleep(0.05)
        else:
            bodies.append(message.body)
    return bodies


async def test_unparsable_events_are_dead_lettered_at_once_and_counted(
    make_system: object, own_vhost: str, channel: aio_pika.abc.AbstractChannel, record: Any
) -> None:
    system: System = make_system(AMQP_URL=own_vhost)  # type: ignore[operator]
    async with httpx.AsyncClient(base_url=system.gateway_url, timeout=30) as api:
        seller = await new_seller(api)
        dashboard, _ = await seller_socket(system.gateway_url, seller)
        exchange = await channel.get_exchange(EVENTS_EXCHANGE)
        for body in POISON.values():
            await exchange.publish(aio_pika.Message(body), routing_key="order.placed")
        placed = await seller.place_order()
        answered = time.monotonic()
        event = await dashboard.recv(timeout=5)
        delay = time.monotonic() - answered
        assert event["order"]["id"] == placed.json()["order"]["id"]
        assert event["seq"] == 1
        await dashboard.close()
        parked = await dead_letters(channel, len(POISON))
        notifier = (await api.get(system["notifier"].url + "/metrics")).text
    counted = metric(notifier, "santhai_events_dead_lettered_total", reason="unparsable")
    record(
        {
            "poison_messages": len(POISON),
            "dead_lettered": len(parked),
            "counted": counted,
            "next_order_delay_s": round(delay, 3),
        }
    )
    assert sorted(parked) == sorted(POISON.values())
    assert counted == len(POISON)
    assert metric(notifier, "santhai_events_consumed_total", event_type="order.placed") == 1
    assert delay < 1.0


def dead_lettered(reason: str) -> float:
    return REGISTRY.get_sample_value("santhai_events_dead_lettered_total", {"reason": reason}) or 0.0


async def test_a_failing_handler_is_retried_a_bounded_number_of_times_then_dead_lettered(
    own_vhost: str, channel: aio_pika.abc.AbstractChannel
) -> None:
    """On the shared messaging layer itself (shared/messaging.py), with the real broker."""
    poisoned = OrderPlaced(seller_id="s", seq=1, order_id="poison", order={}, seller={})
    fine = [
        OrderPlaced(seller_id="s", seq=n, order_id=f"fine-{n}", order={}, seller={}) for n in range(2, 22)
    ]
    attempts: list[float] = []
    handled: dict[str, float] = {}
    every_fine_one = asyncio.Event()

    async def handler(event: IntegrationEvent) -> None:
        assert isinstance(event, OrderPlaced)
        if event.order_id == "poison":
            attempts.append(time.monotonic())
            await asyncio.sleep(0.3)  # a slow failure, to show nothing waits for it
            raise RuntimeError("this event can never be handled")
        handled[event.order_id] = time.monotonic()
        if len(handled) == len(fine):
            every_fine_one.set()

    before = dead_lettered("handler_failed")
    consumer = Broker(own_vhost, "dead-letter-test")
    consumer.consume(handler, bindings=["order.#"], queue=f"dead-letter-test-{uuid.uuid4().hex[:6]}")
    await consumer.start(wait=10)
    publisher = Broker(own_vhost, "dead-letter-test-publisher")
    await publisher.start(wait=10)
    try:
        started = time.monotonic()
        for event in [poisoned, *fine]:
            await publisher.publish(event)
        await asyncio.wait_for(every_fine_one.wait(), 10)
        parked = await dead_letters(channel, 1)
    finally:
        await publisher.close()
        await consumer.close()
    assert len(attempts) == HANDLER_ATTEMPTS
    assert [OrderPlaced.model_validate_json(body).order_id for body in parked] == ["poison"]
    assert dead_lettered("handler_failed") == before + 1
    assert max(handled.values()) - started < attempts[-1] - started, (
        "the fine events waited for the poisoned one"
    )
