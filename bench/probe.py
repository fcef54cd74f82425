"""What this machine's disk costs the order path: one PostgreSQL commit, and one persistent
RabbitMQ publish with its confirm, each timed alone (one at a time, 200 times). Both wait for an
fsync, so they set a lower bound under which neither the floor nor the system can answer."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import aio_pika
import asyncpg

from bench.backing import Backing
from bench.stats import summarize

SAMPLES = 200
PAUSE_S = 0.005


async def _timed(action: Callable[[], Awaitable[object]]) -> list[float]:
    times = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        await action()
        times.append(time.perf_counter() - started)
        await asyncio.sleep(PAUSE_S)
    return times


async def _probe(database_url: str, amqp_url: str) -> dict[str, object]:
    connection = await asyncpg.connect(database_url)
    broker = await aio_pika.connect(amqp_url)
    try:
        await connection.execute("CREATE TABLE probe (id bigserial PRIMARY KEY, body jsonb NOT NULL)")
        insert = "INSERT INTO probe (body) VALUES ($1::jsonb) RETURNING id"
        commits = await _timed(lambda: connection.fetchval(insert, '{"probe": true}'))
        channel = await broker.channel(publisher_confirms=True)
        queue = await channel.declare_queue("probe", durable=True)
        message = b"x" * 1500  # about an order event's size

        def publish() -> Awaitable[object]:
            persistent = aio_pika.Message(message, delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
            return channel.default_exchange.publish(persistent, routing_key=queue.name)

        confirms = await _timed(publish)
        await queue.delete(if_unused=False, if_empty=False)
    finally:
        await broker.close()
        await connection.close()
    return {
        "postgres_commit_ms": (s.as_dict() if (s := summarize(commits)) else None),
        "rabbitmq_confirm_ms": (s.as_dict() if (s := summarize(confirms)) else None),
    }


def probe(backing: Backing) -> dict[str, object]:
    return asyncio.run(_probe(backing.database("probe"), backing.vhost("probe")))
