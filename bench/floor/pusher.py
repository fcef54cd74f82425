"""The floor's second process: consume the orders and send each on its seller's sockets.

`python -m bench.floor.pusher PORT` (env FLOOR_AMQP_URL). It listens only once its queue is
bound, so an open port means ready. A client subscribes with `{"type": "subscribe",
"seller": "<key>"}` and is answered `{"type": "subscribed"}`.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections import defaultdict

import aio_pika
import uvloop
from aio_pika.abc import AbstractIncomingMessage
from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed

from bench.floor import EXCHANGE, QUEUE

subscribers: defaultdict[str, set[ServerConnection]] = defaultdict(set)


async def handle_socket(socket: ServerConnection) -> None:
    try:
        frame = json.loads(await asyncio.wait_for(socket.recv(), 5))
        seller = str(frame["seller"])
    except (TimeoutError, ValueError, KeyError, TypeError, ConnectionClosed):
        await socket.close(4401)
        return
    subscribers[seller].add(socket)
    try:
        await socket.send('{"type":"subscribed"}')
        await socket.wait_closed()
    finally:
        subscribers[seller].discard(socket)


async def on_message(message: AbstractIncomingMessage) -> None:
    broadcast(subscribers.get(message.routing_key or "", ()), message.body.decode())
    await message.ack()


async def main(port: int) -> None:
    connection = await aio_pika.connect_robust(os.environ["FLOOR_AMQP_URL"])
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=256)
    exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    queue = await channel.declare_queue(QUEUE, durable=True)
    await queue.bind(exchange, routing_key="#")
    await queue.consume(on_message)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    async with serve(handle_socket, "127.0.0.1", port, ping_interval=None):
        await stop.wait()
    await connection.close()


if __name__ == "__main__":
    uvloop.run(main(int(sys.argv[1])))
