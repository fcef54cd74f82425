"""The benchmark's side of the load generator: starts its processes and drives them."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from bench import workers
from bench.analysis import Delivery, Outcome, Sent, match
from bench.progress import Progress
from bench.workers import OrderTarget, SendPlan, SocketTarget

# After the last order, wait for owed deliveries while they keep coming (a slow system is late,
# not lossy), but no longer than this in all, and not past this long without any new one.
DRAIN_LIMIT_S = 120.0
DRAIN_STALL_S = 20.0


class WorkerDied(RuntimeError):
    pass


@dataclass
class Worker:
    name: str
    process: multiprocessing.process.BaseProcess
    conn: Connection
    counters: Any

    def ask(self, *command: Any) -> None:
        self.conn.send(command)


@dataclass
class RunResult:
    rate: float
    duration_s: float
    sent: list[Sent]
    deliveries: list[Delivery]
    outcome: Outcome


class LoadGenerator:
    """One sender process and `socket_processes` socket-holding processes."""

    def __init__(
        self, host: str, port: int, orders: list[OrderTarget], socket_processes: int, progress: Progress
    ):
        self.progress = progress
        context = multiprocessing.get_context("spawn")
        self.sender = self._spawn(context, "sender", workers.sender_main, host, port, orders)
        self.holders = [
            self._spawn(context, f"sockets-{i}", workers.sockets_main) for i in range(socket_processes)
        ]
        self.groups: dict[int, int] = {}  # socket -> seller, of every socket open now
        self.arrived_late: set[tuple[int, str]] = set()  # (socket, tag) delivered after its step

    @staticmethod
    def _spawn(context: Any, name: str, target: Callable[..., None], *args: Any) -> Worker:
        parent, child = context.Pipe()
        counters = context.Array("q", workers.COUNTERS, lock=False)
        process = context.Process(
            target=target, args=(child, counters, *args), name=f"bench-{name}", daemon=True
        )
        process.start()
        child.close()
        return Worker(name, process, parent, counters)

    @property
    def everyone(self) -> list[Worker]:
        return [self.sender, *self.holders]

    def total(self, index: int, among: Sequence[Worker] | None = None) -> int:
        return sum(int(worker.counters[index]) for worker in (among or self.everyone))

    def status(self) -> str:
        return (
            f"sent {self.total(workers.SENT)}  ok {self.total(workers.ANSWERED)}  "
            f"failed {self.total(workers.FAILED)}  delivered {self.total(workers.RECEIVED)}  "
            f"sockets {self.total(workers.CONNECTED, self.holders)}  "
            f"reconnects {self.total(workers.RECONNECTS, self.holders)}"
        )

    def _await(self, among: Sequence[Worker], label: str, timeout_s: float) -> list[tuple[Any, ...]]:
        """One answer from each worker, showing progress meanwhile."""
        answers: dict[str, tuple[Any, ...]] = {}
        started = time.monotonic()
        while len(answers) < len(among):
            for worker in among:
                if worker.name not in answers and worker.conn.poll(0.05):
                    answers[worker.name] = worker.conn.recv()
                elif not worker.process.is_alive() and worker.name not in answers:
                    raise WorkerDied(f"load generator process {worker.name} died")
            elapsed = time.monotonic() - started
            if elapsed > timeout_s:
                raise TimeoutError(f"{label}: no answer from the load generator in {timeout_s:.0f} s")
            self.progress.show(f"{label}  {elapsed:5.1f}s  {self.status()}")
        return [answers[worker.name] for worker in among]

    # --- sockets -----------------------------------------------------------------------

    def connect(
        self, targets: list[SocketTarget], label: str, concurrency: int = 100, timeout_s: float = 180
    ) -> tuple[int, int, float]:
        """Open `targets`, spread over the holders; returns (subscribed, failed, seconds)."""
        shares = [targets[i :: len(self.holders)] for i in range(len(self.holders))]
        for worker, share in zip(self.holders, shares, strict=True):
            worker.ask("connect", share, concurrency, timeout_s)
        answers = self._await(self.holders, label, timeout_s + 30)
        self.groups.update({target.socket: target.group for target in targets})
        return (
            sum(answer[1] for answer in answers),
            sum(answer[2] for answer in answers),
            max(answer[3] for answer in answers),
        )

    def take_deliveries(self) -> list[Delivery]:
        for worker in self.holders:
            worker.ask("take")
        return [delivery for answer in self._await(self.holders, "collecting", 60) for delivery in answer[1]]

    def collect_late(self) -> None:
        """Deliveries that came in after their step was scored (so they were counted lost)."""
        self.arrived_late.update((delivery.socket, delivery.tag) for delivery in self.take_deliveries())

    def reports(self) -> list[dict[str, Any]]:
        for worker in self.holders:
            worker.ask("report")
        return [report for answer in self._await(self.holders, "collecting", 60) for report in answer[1]]

    def drop(self, at: float, sockets: set[int]) -> int:
        """At monotonic time `at`, cut these sockets' connections; they reconnect with last_seq."""
        for worker in self.holders:
            worker.ask("drop", at, sockets)
        return sum(answer[1] for answer in self._await(self.holders, "dropping", 60))

    def close_sockets(self, sockets: set[int] | None = None) -> None:
        """Close these sockets (all when None)."""
        for worker in self.holders:
            worker.ask("close", sockets)
        self._await(self.holders, "closing sockets", 120)
        self.groups = {} if sockets is None else {s: g for s, g in self.groups.items() if s not in sockets}

    # --- orders ------------------------------------------------------------------------

    def run(
        self,
        rate: float,
        duration_s: float,
        tag_prefix: str,
        sellers: int,
        label: str,
        during: Callable[[float], None] | None = None,
    ) -> RunResult:
        """Orders at `rate` for `duration_s`, then wait until every owed delivery is in (or
        the drain times out); `during(start_at)` runs once the sender has its plan."""
        self.collect_late()
        received_before = self.total(workers.RECEIVED, self.holders)
        start_at = time.monotonic() + 0.5
        self.sender.ask("run", SendPlan(rate, duration_s, start_at, tag_prefix, sellers))
        if during is not None:
            during(start_at)
        (answer,) = self._await(
            [self.sender], f"{label} {rate:g}/s", duration_s + workers.REQUEST_TIMEOUT_S + 30
        )
        sent: list[Sent] = answer[1]
        self._drain(sent, label, received_before)
        deliveries = self.take_deliveries()
        return RunResult(rate, duration_s, sent, deliveries, match(sent, deliveries, self.groups))

    def _drain(self, sent: list[Sent], label: str, received_before: int) -> None:
        sockets_per_group: dict[int, int] = {}
        for group in self.groups.values():
            sockets_per_group[group] = sockets_per_group.get(group, 0) + 1
        owed = sum(sockets_per_group.get(record.group, 0) for record in sent if record.status == 201)
        deadline = time.monotonic() + DRAIN_LIMIT_S
        seen, seen_at = -1, time.monotonic()
        while time.monotonic() < deadline and time.monotonic() - seen_at < DRAIN_STALL_S:
            received = self.total(workers.RECEIVED, self.holders) - received_before
            if received >= owed:
                return
            if received != seen:
                seen, seen_at = received, time.monotonic()
            self.progress.show(f"{label} draining  owed {owed}  {self.status()}")
            time.sleep(0.1)

    def stop(self) -> None:
        for worker in self.everyone:
            if worker.process.is_alive():
                try:
                    worker.ask("stop")
                except OSError:
                    continue
        for worker in self.everyone:
            worker.process.join(30)
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join(5)
