"""Events the notifier did not get from the broker (lost while its queue was unbound or gone,
redelivered, or published out of order) still reach each dashboard exactly once, in order,
from checkout's event log."""

from __future__ import annotations

import asyncio
import json
import subprocess
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from urllib.parse import unquote, urlsplit

import aio_pika

from shared.messaging import EVENTS_EXCHANGE, Broker
from tests.integration.notifier.conftest import (
    SellerAccount,
    Stack,
    order_socket,
    running_notifier,
    seller_socket,
)


def _rabbitmqctl(*args: str) -> str:
    result = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


async def notifier_queue(amqp_url: str) -> str:
    vhost = unquote(urlsplit(amqp_url).path[1:])
    listing = await asyncio.to_thread(_rabbitmqctl, "list_queues", "--no-table-headers", "-p", vhost, "name")
    names = [line.strip() for line in listing.splitlines() if line.strip().startswith("notifier.")]
    assert len(names) == 1, names
    return names[0]


@asynccontextmanager
async def events_withheld(amqp_url: str, binding: str) -> AsyncIterator[None]:
    """Events of `binding` published inside do not reach the notifier's queue: lost to it, as
    they would be while it was disconnected."""
    name = await notifier_queue(amqp_url)
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        queue = await channel.get_queue(name)
        exchange = await channel.get_exchange(EVENTS_EXCHANGE)
        await queue.unbind(exchange, binding)
        try:
            yield
        finally:
            await queue.bind(exchange, binding)
    finally:
        await connection.close()


def orders_withheld(amqp_url: str) -> AbstractAsyncContextManager[None]:
    return events_withheld(amqp_url, "order.#")


async def close_broker_connection(connection_name: str) -> None:
    """Have RabbitMQ drop one named client connection (the client then reconnects)."""
    listing = await asyncio.to_thread(
        _rabbitmqctl, "list_connections", "--no-table-headers", "pid", "client_properties"
    )
    pids = [line.split("\t")[0] for line in listing.splitlines() if f'"{connection_name}"' in line]
    assert len(pids) == 1, listing
    await asyncio.to_thread(_rabbitmqctl, "close_connection", pids[0], "notifier test: simulated outage")


async def republish(amqp_url: str, events: list[dict[str, object]]) -> None:
    """Publish copies of logged events, as a redelivery or a late publish would."""
    broker = Broker(amqp_url, "notifier-test")
    await broker.start()
    try:
        assert await broker.wait_connected(10)
        for event in events:
            await broker.publish_raw(str(event["type"]), str(event["id"]), json.dumps(event).encode())
    finally:
        await broker.close()


async def place_orders(stack: Stack, account: SellerAccount, count: int) -> None:
    for _ in range(count):
        await stack.place_order(account)


async def test_events_the_notifier_missed_are_filled_from_the_log(stack: Stack) -> None:
    account = await stack.seller()
    amqp_url = stack.backing.amqp_url
    async with running_notifier(stack) as notifier, seller_socket(notifier, account) as dashboard:
        await place_orders(stack, account, 1)
        assert (await dashboard.next())["seq"] == 1
        async with orders_withheld(amqp_url):
            await place_orders(stack, account, 3)
        await dashboard.nothing_within(0.3)
        await place_orders(stack, account, 1)  # seq 5 arrives: 2 to 4 must come from the log
        frames = await dashboard.next_events(4)
        assert [f["seq"] for f in frames] == [2, 3, 4, 5]
        await dashboard.nothing_within(0.3)


async def test_redelivered_and_out_of_order_events_go_out_once_in_order(stack: Stack) -> None:
    account = await stack.seller()
    amqp_url = stack.backing.amqp_url
    async with running_notifier(stack) as notifier, seller_socket(notifier, account) as dashboard:
        await place_orders(stack, account, 2)
        assert [f["seq"] for f in await dashboard.next_events(2)] == [1, 2]
        async with orders_withheld(amqp_url):
            await place_orders(stack, account, 2)
        logged = await stack.events(account, after=0)
        # 4 before 3, then redeliveries of 1, 3 and 4.
        await republish(amqp_url, [logged[3], logged[2], logged[0], logged[2], logged[3]])
        frames = await dashboard.next_events(2)
        assert [f["seq"] for f in frames] == [3, 4]
        assert frames[1]["order"] == logged[3]["order"]
        await dashboard.nothing_within(0.5)


async def test_after_a_broker_reconnect_every_socket_is_caught_up(stack: Stack) -> None:
    account = await stack.seller()
    placed = await stack.place_order(account)
    order_id = placed["order"]["id"]
    connection_name = f"notifier-test-{uuid.uuid4().hex[:8]}"
    amqp_url = f"{stack.backing.amqp_url}?name={connection_name}"
    async with (
        running_notifier(stack, amqp_url=amqp_url) as notifier,
        seller_socket(notifier, account, last_seq=1) as dashboard,
        order_socket(notifier, order_id, placed["customer_key"]) as (tracker, _),
    ):
        async with orders_withheld(stack.backing.amqp_url):
            await stack.change_status(account, order_id, "accepted")
            await place_orders(stack, account, 1)
        # Nothing has revealed the gap yet; only the reconnect will.
        await dashboard.nothing_within(0.3)
        await close_broker_connection(connection_name)
        frames = await dashboard.next_events(2, timeout=15)
        assert [(f["seq"], f["type"]) for f in frames] == [(2, "order.updated"), (3, "order.created")]
        update = await tracker.next(timeout=15)
        assert (update["type"], update["order"]["status"]) == ("order.updated", "accepted")
        # And live events flow again on the new connection.
        await place_orders(stack, account, 1)
        assert (await dashboard.next(timeout=15))["seq"] == 4
