"""The load generator's processes: one sender of orders, and socket holders.

They run apart from the benchmark's own process (multiprocessing, spawn) and from the
system, each on its own event loop (uvloop). The parent talks to each through a Pipe:
commands in, one answer per command out; counters in shared memory feed the progress line.
Everything they record is `time.monotonic()`, one clock for all processes on Linux.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import orjson
import uvloop
import websockets
from websockets.asyncio.client import ClientConnection

from bench.analysis import Delivery, Sent, SeqTracker
from bench.http1 import ConnectionPool
from bench.schedule import fixed_rate

# Indexes into a worker's shared counters.
SENT, ANSWERED, FAILED, RECEIVED, CONNECTED, RECONNECTS, CAUGHT_UP, SILENT = range(8)
COUNTERS = 8
REQUEST_TIMEOUT_S = 30.0
MAX_BACKOFF_S = 5.0
OPEN_TIMEOUT_S = 30.0
RECOVERY_TAG = "recover-"  # orders placed to see whether the system answers again (not measured)


@dataclass(frozen=True)
class OrderTarget:
    """How to place an order for one seller: the path and a body whose customer name is set
    to the order's tag (the tag is how a delivery is matched to its order)."""

    path: str
    body: dict[str, Any]


@dataclass(frozen=True)
class SendPlan:
    rate: float
    duration_s: float
    start_at: float  # monotonic
    tag_prefix: str
    sellers: int  # orders go round robin to the first `sellers` targets


@dataclass(frozen=True)
class SocketTarget:
    socket: int  # unique id
    group: int  # the seller
    url: str
    subscribe: dict[str, Any]  # the subscribe frame, without last_seq
    check_seq: bool


async def _commands(conn: Connection) -> AsyncIterator[tuple[Any, ...]]:
    """Commands from the parent, read in a thread so the event loop goes on meanwhile (and the
    pipe stays blocking: an answer of several MB is written whole)."""
    while True:
        command: tuple[Any, ...] = await asyncio.to_thread(conn.recv)
        yield command
        if command[0] == "stop":
            return


# --- the sender --------------------------------------------------------------------


def sender_main(conn: Connection, counters: Any, host: str, port: int, orders: list[OrderTarget]) -> None:
    uvloop.run(_sender(conn, counters, ConnectionPool(host, port, size=256), orders))


async def _sender(conn: Connection, counters: Any, pool: ConnectionPool, orders: list[OrderTarget]) -> None:
    async for command in _commands(conn):
        if command[0] == "run":
            conn.send(("ran", await _run_plan(command[1], pool, orders, counters)))
        elif command[0] == "stop":
            await pool.close()
            conn.send(("stopped",))


async def _run_plan(
    plan: SendPlan, pool: ConnectionPool, orders: list[OrderTarget], counters: Any
) -> list[Sent]:
    results: list[Sent] = []
    tasks = []
    for due in fixed_rate(plan.rate, plan.duration_s, plan.start_at, plan.sellers):
        delay = due.at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tag = f"{plan.tag_prefix}-{due.index}"
        tasks.append(asyncio.create_task(_place(pool, orders[due.seller], tag, due.seller, due.at, counters)))
        tasks[-1].add_done_callback(lambda task: results.append(task.result()))
    await asyncio.gather(*tasks)
    return results


async def _place(
    pool: ConnectionPool, order: OrderTarget, tag: str, group: int, due: float, counters: Any
) -> Sent:
    body = orjson.dumps({**order.body, "customer": {**order.body["customer"], "name": tag}})
    sent = time.monotonic()
    counters[SENT] += 1
    error = ""
    try:
        response = await asyncio.wait_for(
            pool.post(order.path, body, {"Idempotency-Key": tag}), REQUEST_TIMEOUT_S
        )
        status = response.status
        if status != 201:
            error = f"{status} {response.body[:120].decode(errors='replace')}"
    except Exception as failure:  # any failure to get an answer is a failed order, counted as such
        status, error = 0, f"{type(failure).__name__}: {str(failure)[:120]}"
    counters[ANSWERED if status == 201 else FAILED] += 1
    return Sent(
        tag=tag, group=group, due=due, sent=sent, answered=time.monotonic(), status=status, error=error
    )


# --- the sockets ---------------------------------------------------------------------


@dataclass
class StormRecord:
    dropped_at: float
    last_seq_sent: int = -1
    subscribed_at: float | None = None
    head_seq: int | None = None
    caught_up_at: float | None = None
    attempts: int = 0


@dataclass
class Dashboard:
    """One seller socket as a dashboard holds it: subscribe, read, resubscribe with last_seq."""

    target: SocketTarget
    sink: list[Delivery]
    counters: Any
    seq: SeqTracker = field(default_factory=SeqTracker)
    connection: ClientConnection | None = None
    last_frame_at: float = 0.0
    longest_silence: float = 0.0
    heartbeats: int = 0
    resets: int = 0
    closes: Counter[str] = field(default_factory=Counter)
    storm: StormRecord | None = None
    stopping: bool = False
    subscribed: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        backoff = 0.25
        while not self.stopping:
            try:
                await self._session()
                backoff = 0.25
            except (OSError, TimeoutError, websockets.WebSocketException, ValueError) as error:
                code = getattr(getattr(error, "rcvd", None), "code", None)
                self.closes[str(code or type(error).__name__)] += 1
            if self.stopping:
                return
            if self.storm is not None and self.storm.subscribed_at is None and self.storm.attempts == 0:
                continue  # the storm: reconnect at once, all together
            self.counters[RECONNECTS] += 1
            await asyncio.sleep(backoff * random.uniform(0.5, 1.0))
            backoff = min(backoff * 2, MAX_BACKOFF_S)

    async def _session(self) -> None:
        if self.storm is not None and self.storm.subscribed_at is None:
            self.storm.attempts += 1
        frame = dict(self.target.subscribe)
        if self.seq.last is not None:
            frame["last_seq"] = self.seq.last
        async with websockets.connect(
            self.target.url, open_timeout=OPEN_TIMEOUT_S, ping_interval=None, max_size=2**22
        ) as connection:
            self.connection = connection
            await connection.send(orjson.dumps(frame).decode())
            try:
                async for raw in connection:
                    self._on_frame(orjson.loads(raw), frame.get("last_seq", -1))
            finally:
                self.connection = None
                if self.subscribed.is_set():
                    self.counters[CONNECTED] -= 1
                self.subscribed.clear()

    def _on_frame(self, frame: dict[str, Any], last_seq_sent: int) -> None:
        now = time.monotonic()
        kind = frame.get("type")
        if self.last_frame_at and kind != "subscribed":
            self.longest_silence = max(self.longest_silence, now - self.last_frame_at)
        self.last_frame_at = now
        if kind == "heartbeat":
            self.heartbeats += 1
        elif kind == "order.created" or kind == "order.updated":
            if kind == "order.created":
                tag = frame["order"]["customer"]["name"]
                self.sink.append(Delivery(self.target.socket, tag, now))
                if not tag.startswith(RECOVERY_TAG):
                    self.counters[RECEIVED] += 1
            if self.target.check_seq:
                self.seq.observe(int(frame["seq"]))
                self._check_caught_up(now)
        elif kind == "subscribed":
            self._on_subscribed(frame, last_seq_sent, now)
        elif kind == "reset":
            self.resets += 1
            self.seq.reset_to(int(frame["head_seq"]))
            self._check_caught_up(now)

    def _on_subscribed(self, frame: dict[str, Any], last_seq_sent: int, now: float) -> None:
        self.subscribed.set()
        self.counters[CONNECTED] += 1
        storm = self.storm
        if storm is not None and storm.subscribed_at is None:
            storm.subscribed_at = now
            storm.last_seq_sent = last_seq_sent
            storm.head_seq = int(frame.get("head_seq", 0))
            self._check_caught_up(now)

    def _check_caught_up(self, now: float) -> None:
        storm = self.storm
        if storm is None or storm.caught_up_at is not None or storm.head_seq is None:
            return
        if self.seq.last is None or self.seq.last >= storm.head_seq:
            storm.caught_up_at = now
            self.counters[CAUGHT_UP] += 1

    def drop(self, at: float) -> None:
        """Cut the TCP connection without a close handshake, as a lost network does."""
        self.storm = StormRecord(dropped_at=at)
        if self.connection is not None:
            self.connection.transport.abort()

    def report(self, now: float) -> dict[str, Any]:
        silence = max(self.longest_silence, now - self.last_frame_at if self.last_frame_at else 0.0)
        return {
            "socket": self.target.socket,
            "group": self.target.group,
            "subscribed": self.subscribed.is_set(),
            "longest_silence_s": silence,
            "heartbeats": self.heartbeats,
            "resets": self.resets,
            "gaps": self.seq.gaps,
            "repeats": self.seq.repeats,
            "last_seq": self.seq.last,
            "closes": dict(self.closes),
            "storm": None if self.storm is None else vars(self.storm),
        }


def sockets_main(conn: Connection, counters: Any) -> None:
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    uvloop.run(_sockets(conn, counters))


async def _sockets(conn: Connection, counters: Any) -> None:
    dashboards: list[Dashboard] = []
    sink: list[Delivery] = []
    async for command in _commands(conn):
        match command:
            case ("connect", targets, concurrency, timeout_s):
                fresh = [Dashboard(target, sink, counters) for target in targets]
                dashboards += fresh
                started = time.monotonic()
                await _connect(fresh, concurrency, timeout_s)
                ready = sum(dashboard.subscribed.is_set() for dashboard in fresh)
                conn.send(("connected", ready, len(fresh) - ready, time.monotonic() - started))
            case ("take",):
                taken, sink[:] = list(sink), []
                conn.send(("taken", taken))
            case ("report",):
                now = time.monotonic()
                conn.send(("report", [dashboard.report(now) for dashboard in dashboards]))
            case ("drop", at, sockets):
                await asyncio.sleep(max(0.0, at - time.monotonic()))
                chosen = [dashboard for dashboard in dashboards if dashboard.target.socket in sockets]
                for dashboard in chosen:
                    dashboard.drop(at)
                conn.send(("dropped", len(chosen)))
            case ("close", sockets):
                closing = [
                    dashboard
                    for dashboard in dashboards
                    if sockets is None or dashboard.target.socket in sockets
                ]
                await _close(closing, [dashboard.task for dashboard in closing if dashboard.task is not None])
                dashboards = [dashboard for dashboard in dashboards if dashboard not in closing]
                conn.send(("closed", len(closing)))
            case ("stop",):
                await _close(
                    dashboards, [dashboard.task for dashboard in dashboards if dashboard.task is not None]
                )
                conn.send(("stopped",))


async def _connect(fresh: list[Dashboard], concurrency: int, timeout_s: float) -> None:
    """Start every socket, at most `concurrency` handshakes at a time."""
    gate = asyncio.Semaphore(concurrency)
    deadline = time.monotonic() + timeout_s

    async def start(dashboard: Dashboard) -> None:
        async with gate:
            dashboard.task = asyncio.create_task(dashboard.run())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(dashboard.subscribed.wait(), max(0.1, deadline - time.monotonic()))

    await asyncio.gather(*(start(dashboard) for dashboard in fresh))


async def _close(dashboards: list[Dashboard], tasks: list[asyncio.Task[None]]) -> None:
    for dashboard in dashboards:
        dashboard.stopping = True
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
