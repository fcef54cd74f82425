"""The floor: the least work the order path can do, measured the same way as the system.

`app` takes a plain POST (raw ASGI under uvicorn, no framework), inserts one row in
PostgreSQL (asyncpg, one autocommitted statement), publishes it persistent with a publisher
confirm (aio-pika) and answers 201. `pusher`, a second process, consumes it and sends it on
the WebSockets (websockets) of that seller's subscribers.
"""

EXCHANGE = "floor.orders"
QUEUE = "floor.pusher"
TABLE_DDL = (
    "CREATE TABLE IF NOT EXISTS orders ("
    "id bigserial PRIMARY KEY, seller text NOT NULL, body jsonb NOT NULL, "
    "created_at timestamptz NOT NULL DEFAULT now())"
)
