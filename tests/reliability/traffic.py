"""Steady order traffic from clients that retry with the same Idempotency-Key, dashboards that
reconnect with their last `seq`, and the books the fault tests compare afterwards.

Everything here speaks only to the gateway, the way an outside client does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from tests.e2e.client import Seller, order_body

RETRYABLE = frozenset({429, 500, 502, 503, 504})
RETRY_CAP_S = 1.0  # clients honour Retry-After, but never wait more than this between tries
GIVE_UP_AFTER_S = 120.0
HEARTBEAT_BOUND_S = 25.0  # the contract promises a heartbeat at least every 20 s


def now() -> float:
    return time.monotonic()


@dataclass
class Attempt:
    started: float
    seconds: float
    outcome: str  # "201", "503", "ConnectError", …


@dataclass
class Placement:
    """One customer's order: one Idempotency-Key, tried until it is answered."""

    seller: Seller
    key: str
    body: dict[str, Any]
    first_sent: float
    attempts: list[Attempt] = field(default_factory=list)
    order_ids: set[str] = field(default_factory=set)
    done_at: float | None = None
    refused: str | None = None

    @property
    def order_id(self) -> str | None:
        return next(iter(self.order_ids)) if len(self.order_ids) == 1 else None


class OrderTraffic:
    """Places orders at a steady rate, round robin over `sellers`, each until it succeeds."""

    def __init__(self, gateway_url: str, sellers: list[Seller], rate_per_s: float) -> None:
        self.gateway_url = gateway_url
        self.sellers = sellers
        self.interval = 1 / rate_per_s
        self.placements: list[Placement] = []
        self._turn = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._stop = asyncio.Event()
        self._client = httpx.AsyncClient(
            base_url=gateway_url, timeout=httpx.Timeout(15), limits=httpx.Limits(max_connections=200)
        )

    async def run(self) -> None:
        next_at = now()
        while not self._stop.is_set():
            self._spawn()
            next_at += self.interval
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), max(0.0, next_at - now()))

    def burst(self, count: int) -> list[Placement]:
        """`count` more orders at once, on top of the steady rate."""
        before = len(self.placements)
        for _ in range(count):
            self._spawn()
        return self.placements[before:]

    def _spawn(self) -> None:
        self._turn += 1
        seller = self.sellers[self._turn % len(self.sellers)]
        placement = Placement(
            seller=seller,
            key=f"fault-{uuid.uuid4().hex}",
            body=order_body(seller.products, name=f"Guest {self._turn}"),
            first_sent=now(),
        )
        self.placements.append(placement)
        task = asyncio.create_task(self._place(placement))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self, settle_s: float = GIVE_UP_AFTER_S) -> None:
        """Stop placing new orders and wait for every placement to be answered (bounded)."""
        self._stop.set()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=settle_s)
        for task in self._tasks:
            task.cancel()
        await self._client.aclose()

    async def _place(self, placement: Placement) -> None:
        seller = placement.seller
        failures = 0
        while now() - placement.first_sent < GIVE_UP_AFTER_S:
            started = now()
            wait = min(RETRY_CAP_S, 0.1 * 2**failures)
            try:
                response = await self._client.post(
                    f"/api/storefronts/{seller.slug}/orders",
                    json=placement.body,
                    headers={"Idempotency-Key": placement.key},
                )
            except httpx.TransportError as exc:
                placement.attempts.append(Attempt(started, now() - started, type(exc).__name__))
            else:
                outcome = str(response.status_code)
                if response.status_code == 503 and "retry-after" not in response.headers:
                    outcome = "503 without Retry-After"
                placement.attempts.append(Attempt(started, now() - started, outcome))
                if response.status_code in (200, 201):
                    placement.order_ids.add(response.json()["order"]["id"])
                    placement.done_at = now()
                    return
                if response.status_code not in RETRYABLE:
                    placement.refused = f"{response.status_code} {response.text[:200]}"
                    return
                if retry_after := response.headers.get("retry-after"):
                    wait = min(RETRY_CAP_S, float(retry_after))
            failures += 1
            await asyncio.sleep(wait * random.uniform(0.8, 1.0))
        placement.refused = "gave up"


@dataclass
class Received:
    seq: int
    type: str
    order_id: str
    at: float


class Dashboard:
    """A seller's dashboard over the gateway: keeps its last `seq` and reconnects with it after
    any close, with backoff and jitter (never more than 2 s between tries)."""

    def __init__(self, gateway_url: str, seller: Seller, name: str) -> None:
        self.url = gateway_url.replace("http://", "ws://") + "/ws/seller"
        self.seller = seller
        self.name = name
        self.last_seq = 0
        self.events: list[Received] = []
        self.repeats: list[int] = []  # seqs received again (would be shown twice)
        self.problems: list[str] = []
        self.subscriptions = 0
        self.closes: Counter[str] = Counter()
        self._failures = 0
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"dashboard-{self.name}")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def created(self) -> list[str]:
        return [e.order_id for e in self.events if e.type == "order.created"]

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                async with websockets.connect(self.url, open_timeout=5, close_timeout=1) as socket:
                    subscribe = {"type": "subscribe", "token": self.seller.token, "last_seq": self.last_seq}
                    await socket.send(json.dumps(subscribe))
                    await self._read(socket)
            except ConnectionClosed as closed:
                self.closes[str(closed.rcvd.code) if closed.rcvd else "no close frame"] += 1
            except (OSError, TimeoutError, InvalidHandshake, InvalidURI) as exc:
                self.closes[type(exc).__name__] += 1
            self._failures += 1
            delay = min(2.0, 0.1 * 2 ** min(self._failures, 5)) * random.uniform(0.5, 1.0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), delay)

    async def _read(self, socket: ClientConnection) -> None:
        while True:
            async with asyncio.timeout(HEARTBEAT_BOUND_S):
                raw = await socket.recv()
            frame = json.loads(raw)
            kind = frame.get("type")
            if kind == "heartbeat":
                continue
            if kind == "subscribed":
                self.subscriptions += 1
                self._failures = 0
                if frame["head_seq"] < self.last_seq:
                    self.problems.append(f"head_seq {frame['head_seq']} behind last_seq {self.last_seq}")
            elif kind == "reset":
                self.problems.append(f"reset at last_seq {self.last_seq}: {frame}")
                self.last_seq = frame["head_seq"]
            elif kind in ("order.created", "order.updated"):
                self._event(frame)
            else:
                self.problems.append(f"unexpected frame {frame}")

    def _event(self, frame: dict[str, Any]) -> None:
        seq = int(frame["seq"])
        if seq <= self.last_seq:
            self.repeats.append(seq)
            return
        if seq != self.last_seq + 1:
            self.problems.append(f"gap: seq {self.last_seq} then {seq}")
        self.last_seq = seq
        self.events.append(Received(seq, frame["type"], frame["order"]["id"], now()))


class ReadinessWatch:
    """Polls the gateway's /readyz ten times a second and remembers when it was not 200."""

    def __init__(self, gateway_url: str) -> None:
        self.gateway_url = gateway_url
        self.samples: list[tuple[float, bool]] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        async with httpx.AsyncClient(base_url=self.gateway_url, timeout=1) as client:
            while True:
                started = now()
                try:
                    ok = (await client.get("/readyz")).status_code == 200
                except httpx.HTTPError:
                    ok = False
                self.samples.append((started, ok))
                await asyncio.sleep(max(0.0, 0.1 - (now() - started)))

    def ready_again_after(self, since: float) -> float | None:
        """Seconds from `since` until /readyz was 200 and stayed so; None if it never was."""
        last_bad = since
        for at, ok in self.samples:
            if at >= since and not ok:
                last_bad = at
        later = [at for at, ok in self.samples if at > last_bad and ok]
        return later[0] - since if later else None

    def unready_seconds(self) -> float:
        return sum(0.1 for _, ok in self.samples if not ok)


async def server_orders(api: httpx.AsyncClient, seller: Seller) -> list[str]:
    """Every order id of the seller, from the regular order list (all pages)."""
    ids: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 200}
        if cursor:
            params["cursor"] = cursor
        response = await api.get("/api/seller/orders", params=params, headers=seller.auth)
        assert response.status_code == 200, response.text
        body = response.json()
        ids.extend(order["id"] for order in body["orders"])
        cursor = body["next_cursor"]
        if cursor is None:
            return ids


async def wait_subscribed(dashboards: list[Dashboard], timeout: float) -> None:
    deadline = now() + timeout
    while not all(d.subscriptions for d in dashboards):
        assert now() < deadline, "dashboards did not subscribe in time"
        await asyncio.sleep(0.05)


async def wait_until_caught_up(
    dashboards: list[Dashboard], placements: list[Placement], timeout: float
) -> None:
    wanted = {
        d.name: {p.order_id for p in placements if p.seller is d.seller and p.order_id} for d in dashboards
    }
    deadline = now() + timeout
    while now() < deadline:
        if all(wanted[d.name] <= set(d.created()) for d in dashboards):
            return
        await asyncio.sleep(0.1)


@dataclass
class Books:
    """What the clients placed against what the server holds and what the dashboards showed."""

    placed: int
    unanswered: int
    keys_with_two_orders: int
    server_orders: int
    server_orders_not_placed: int
    received_per_dashboard: dict[str, int]
    lost: int
    duplicated: int
    seq_problems: list[str]
    retried_orders: int
    answered_as_repeat: int
    attempts_by_outcome: dict[str, int]
    longest_order_wait_s: float
    longest_answer_to_dashboard_s: float
    dashboard_resubscriptions: int

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


async def balance(api: httpx.AsyncClient, traffic: OrderTraffic, dashboards: list[Dashboard]) -> Books:
    placements = traffic.placements
    answered = [p for p in placements if p.order_id]
    on_server: dict[str, list[str]] = {}
    for seller in traffic.sellers:
        on_server[seller.slug] = await server_orders(api, seller)
    placed_ids = {p.order_id for p in answered}
    server_ids = [oid for ids in on_server.values() for oid in ids]
    lost = duplicated = 0
    delay = 0.0
    problems: list[str] = []
    for dashboard in dashboards:
        mine = {p.order_id for p in answered if p.seller is dashboard.seller}
        arrived = {e.order_id: e.at for e in dashboard.events if e.type == "order.created"}
        for p in answered:
            if p.seller is dashboard.seller and p.order_id in arrived and p.done_at is not None:
                delay = max(delay, arrived[p.order_id] - p.done_at)
        created = dashboard.created()
        lost += len(mine - set(created))
        duplicated += len(created) - len(set(created)) + len(dashboard.repeats)
        seqs = [e.seq for e in dashboard.events]
        if seqs != list(range(1, len(seqs) + 1)):
            problems.append(f"{dashboard.name}: seqs are not 1..{len(seqs)}")
        problems.extend(f"{dashboard.name}: {p}" for p in dashboard.problems)
    outcomes: Counter[str] = Counter(a.outcome for p in placements for a in p.attempts)
    return Books(
        placed=len(placements),
        unanswered=len(placements) - len(answered),
        keys_with_two_orders=sum(1 for p in placements if len(p.order_ids) > 1),
        server_orders=len(server_ids),
        server_orders_not_placed=len(set(server_ids) - placed_ids) + len(server_ids) - len(set(server_ids)),
        received_per_dashboard={d.name: len(set(d.created())) for d in dashboards},
        lost=lost,
        duplicated=duplicated,
        seq_problems=problems,
        retried_orders=sum(1 for p in placements if len(p.attempts) > 1),
        answered_as_repeat=sum(1 for p in answered if p.attempts[-1].outcome == "200"),
        attempts_by_outcome=dict(outcomes),
        longest_order_wait_s=round(max((p.done_at or now()) - p.first_sent for p in placements), 2),
        longest_answer_to_dashboard_s=round(delay, 2),
        dashboard_resubscriptions=sum(d.subscriptions - 1 for d in dashboards),
    )
