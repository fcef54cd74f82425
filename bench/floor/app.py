"""The floor's front process: `python -m uvicorn bench.floor.app:app` (see bench.floor)."""

from __future__ import annotations

import os
from typing import Any

import aio_pika
import asyncpg
import orjson
from aio_pika.abc import AbstractExchange, AbstractRobustConnection

from bench.floor import EXCHANGE

Scope = dict[str, Any]
Message = dict[str, Any]
INSERT = "INSERT INTO orders (seller, body) VALUES ($1, $2::jsonb) RETURNING id"


class FloorApp:
    def __init__(self) -> None:
        self.pool: asyncpg.Pool | None = None
        self.connection: AbstractRobustConnection | None = None
        self.exchange: AbstractExchange | None = None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message: Message = await receive()
            if message["type"] == "lifespan.startup":
                await self._start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self._stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _start(self) -> None:
        # No reset on release: the floor keeps no session state, and a reset is a round trip.
        self.pool = await asyncpg.create_pool(
            os.environ["FLOOR_DATABASE_URL"], min_size=4, max_size=10, reset=_keep_connection
        )
        self.connection = await aio_pika.connect_robust(os.environ["FLOOR_AMQP_URL"])
        channel = await self.connection.channel(publisher_confirms=True)
        self.exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)

    async def _stop(self) -> None:
        if self.connection is not None:
            await self.connection.close()
        if self.pool is not None:
            await self.pool.close()

    async def _http(self, scope: Scope, receive: Any, send: Any) -> None:
        body = await _read_body(receive)
        if scope["method"] != "POST" or self.pool is None or self.exchange is None:
            await _answer(send, 405, b'{"detail": "POST only"}')
            return
        seller = scope["path"].rsplit("/", 1)[-1]
        async with self.pool.acquire() as connection:
            order_id = await connection.fetchval(INSERT, seller, body.decode())
        event = b'{"type":"order.created","seq":%d,"order":%s}' % (order_id, body)
        await self.exchange.publish(
            aio_pika.Message(event, delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key=seller
        )
        await _answer(send, 201, orjson.dumps({"id": str(order_id)}))


async def _keep_connection(connection: asyncpg.Connection) -> None:
    return None


async def _read_body(receive: Any) -> bytes:
    chunks = []
    while True:
        message: Message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _answer(send: Any, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


app = FloorApp()
