"""A client socket's outgoing queue: bounded, never waited for, and closed as asked."""

from __future__ import annotations

import asyncio

from shared.outgoing import TRY_AGAIN_LATER, Connection, OutFrame, SendLimits


class Sink:
    """A socket whose sends wait until `flowing` is set."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.closed: tuple[int, str | None] | None = None
        self.flowing = asyncio.Event()
        self.flowing.set()

    async def send_text(self, data: str) -> None:
        await self.flowing.wait()
        self.sent.append(data)

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        self.closed = (code, reason)


async def serve(conn: Connection) -> None:
    """The task serving a socket: waits until dropped, then closes as asked."""
    try:
        await asyncio.sleep(30)
    except asyncio.CancelledError:
        if not conn.taken_back():
            raise
    await conn.finish()


async def test_end_sends_what_is_queued_then_closes_with_the_code() -> None:
    sink = Sink()
    sink.flowing.clear()
    ready = asyncio.Event()
    conn_box: list[Connection] = []

    async def endpoint() -> None:
        conn_box.append(Connection(sink, SendLimits(queue_limit=10, send_timeout_s=5)))
        ready.set()
        await serve(conn_box[0])

    task = asyncio.create_task(endpoint())
    await ready.wait()
    conn = conn_box[0]
    for n in range(3):
        conn.send(OutFrame(f"frame {n}"))
    conn.end(4403, "real-time orders are disabled")
    await asyncio.sleep(0)
    assert not task.done() and sink.closed is None
    sink.flowing.set()
    async with asyncio.timeout(2):
        await task
    assert sink.sent == ["frame 0", "frame 1", "frame 2"]
    assert sink.closed == (4403, "real-time orders are disabled")


async def test_end_with_nothing_queued_closes_at_once() -> None:
    sink = Sink()
    task = asyncio.create_task(_endpoint_ended_at_once(sink))
    async with asyncio.timeout(2):
        await task
    assert sink.sent == [] and sink.closed == (1012, "lost the notifier")


async def _endpoint_ended_at_once(sink: Sink) -> None:
    conn = Connection(sink, SendLimits(queue_limit=10, send_timeout_s=5))
    asyncio.get_running_loop().call_soon(conn.end, 1012, "lost the notifier")
    await serve(conn)


async def test_a_client_too_far_behind_is_dropped_with_1013_and_nothing_more_is_sent() -> None:
    sink = Sink()
    sink.flowing.clear()
    conns: list[Connection] = []

    async def endpoint() -> None:
        conns.append(Connection(sink, SendLimits(queue_limit=10, send_timeout_s=5)))
        await serve(conns[0])

    task = asyncio.create_task(endpoint())
    await asyncio.sleep(0)
    for n in range(12):
        conns[0].send(OutFrame(f"frame {n}"))
    async with asyncio.timeout(2):
        await task
    assert sink.closed == (TRY_AGAIN_LATER, "")
    sink.flowing.set()
    await asyncio.sleep(0)
    assert len(sink.sent) <= 1
