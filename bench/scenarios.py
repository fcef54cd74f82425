"""The four measurements of issue 5, each a function of a running target and a load generator."""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench import profile
from bench.analysis import match
from bench.load import LoadGenerator, RunResult
from bench.meter import CpuMeter, database_counters, per_order, rss_bytes
from bench.progress import Progress
from bench.schedule import next_rate
from bench.stats import Summary, summarize
from bench.targets import FloorTarget, Seller, SystemTarget
from bench.workers import RECOVERY_TAG, SocketTarget

Target = FloorTarget | SystemTarget
HEARTBEAT_S = 20.0
HEARTBEAT_TOLERANCE_S = 1.0
THROUGHPUT_P99_MS = 100.0
SETTLE_S = 2.0
RECOVER_ANSWER_S = 5.0
RECOVER_LIMIT_S = 120.0
# Handshakes in flight per socket process while opening the idle sockets, and how long opening
# them all may take before the phase goes on with those that made it.
CONNECT_CONCURRENCY = 50
CONNECT_LIMIT_S = 300.0
PG_STATS_FLUSH_S = 1.2
LATE_WAIT_S = 10.0
FD_HEADROOM = 600  # the gateway's other descriptors: pools, the measured dashboards, files


@dataclass
class Options:
    rates: list[float]
    duration_s: float
    warmup_s: float
    sellers: int
    dashboards: int
    throughput_rates: list[float]
    throughput_duration_s: float
    throughput_max_steps: int
    sockets: int
    idle_sellers: int
    connections_rate: float | None
    connections_duration_s: float
    connections_hold_s: float
    storm_sockets: int
    storm_rate: float | None
    storm_duration_s: float
    storm_drop_after_s: float
    socket_processes: int
    profile_s: float
    profile_rate: float
    profile_dir: str


@dataclass
class Bench:
    target: Target
    load: LoadGenerator
    active: list[Seller]
    progress: Progress
    options: Options
    next_socket: int = 0
    seq_reports: list[dict[str, Any]] = field(default_factory=list)
    missing: dict[str, set[tuple[int, str]]] = field(
        default_factory=dict
    )  # step -> (socket, tag) not delivered

    def sockets_for(self, sellers: list[Seller], per_seller: int, first_group: int) -> list[SocketTarget]:
        targets = []
        for offset, seller in enumerate(sellers):
            for _ in range(per_seller):
                targets.append(
                    SocketTarget(
                        self.next_socket,
                        first_group + offset,
                        self.target.ws_url,
                        seller.subscribe,
                        self.target.check_seq,
                    )
                )
                self.next_socket += 1
        return targets

    def connect(
        self, targets: list[SocketTarget], label: str, concurrency: int = 50, limit_s: float = 180
    ) -> dict[str, Any]:
        subscribed, failed, seconds = self.load.connect(targets, label, concurrency, limit_s)
        self.progress.say(f"{label}: {subscribed} subscribed, {failed} not, in {seconds:.1f} s")
        return {"sockets": len(targets), "subscribed": subscribed, "failed": failed, "seconds": seconds}

    def step(
        self,
        rate: float,
        duration_s: float,
        label: str,
        warmup: bool = True,
        during: Callable[[float], None] | None = None,
    ) -> tuple[dict[str, Any], RunResult]:
        prefix = f"{label.replace(' ', '-')}-{rate:g}-{time.monotonic_ns() % 10**9}"
        recovery = recover(self) if isinstance(self.target, SystemTarget) else None
        if warmup and self.options.warmup_s > 0:
            self.load.run(rate, self.options.warmup_s, prefix + "w", len(self.active), f"{label} warm-up")
        meter = CpuMeter(self.target.pids() | self.load_pids())
        databases = list(self.target.backing.databases)
        time.sleep(PG_STATS_FLUSH_S)
        counted = database_counters(databases)
        shed_before = self.target.shed()
        meter.start()
        result = self.load.run(rate, duration_s, prefix, len(self.active), label, during)
        cpu = meter.stop()
        record = step_record(result, cpu, meter.wall_s)
        time.sleep(PG_STATS_FLUSH_S)  # PostgreSQL publishes its counters at most once a second
        record["database_per_order"] = per_order(counted, database_counters(databases), record["accepted"])
        record["other_cores"] = meter.other_cores
        record["shed"] = {
            name: count - shed_before.get(name, 0.0) for name, count in self.target.shed().items()
        }
        record["recovery_before"] = recovery
        if result.outcome.missing:
            self.missing[f"{label} {rate:g}/s"] = result.outcome.missing
        record["load_average"] = os.getloadavg()
        self.progress.say(f"{label} {rate:g}/s: {describe(record)}")
        return record, result

    def load_pids(self) -> dict[str, int]:
        workers = [self.load.sender, *self.load.holders]
        return {f"load:{worker.name}": int(worker.process.pid or 0) for worker in workers}


def step_record(result: RunResult, cpu_s: dict[str, float], wall_s: float) -> dict[str, Any]:
    outcome = result.outcome
    accepted = sum(1 for record in result.sent if record.status == 201)
    latency = summarize(outcome.latencies_s)
    http = summarize(outcome.http_latencies_s)
    return {
        "rate": result.rate,
        "duration_s": result.duration_s,
        "orders": len(result.sent),
        "accepted": accepted,
        "failed_requests": outcome.failed_requests,
        "statuses": {str(status): count for status, count in outcome.statuses.items()},
        "errors": outcome.errors,
        "latency_ms": latency.as_dict() if latency else None,
        "http_ms": http.as_dict() if http else None,
        "expected_deliveries": outcome.expected,
        "delivered": outcome.delivered,
        "lost": outcome.lost,
        "duplicated": outcome.duplicated,
        "sender_lateness_ms": outcome.sender_lateness_s * 1000,
        "cpu_ms_per_order": {name: used * 1000 / max(accepted, 1) for name, used in cpu_s.items()},
        "cpu_cores": {name: used / wall_s for name, used in cpu_s.items()} if wall_s > 0 else {},
        "raw_latency_ms": [round(value * 1000, 3) for value in outcome.latencies_s],
    }


def describe(record: dict[str, Any]) -> str:
    latency = record["latency_ms"]
    figures = (
        "  ".join(f"{name} {latency[name]:.1f}" for name in ("p50", "p90", "p99", "max")) + " ms"
        if latency
        else "no deliveries"
    )
    counts = (
        f"{record['accepted']}/{record['orders']} accepted, lost {record['lost']}, dup {record['duplicated']}"
    )
    return f"{figures}; {counts}"


def held(record: dict[str, Any]) -> bool:
    latency = record["latency_ms"]
    return bool(
        latency
        and latency["p99"] <= THROUGHPUT_P99_MS
        and record["lost"] == 0
        and record["duplicated"] == 0
        and record["failed_requests"] == 0
    )


# --- between phases ------------------------------------------------------------------------


def recover(bench: Bench) -> dict[str, Any]:
    """Wait until the target takes an order again within RECOVER_ANSWER_S: an overload in an
    earlier phase may have left it busy, and the next phase should measure it, not the aftermath."""
    seller = bench.active[0]
    started = time.monotonic()
    attempts = 0
    base = f"http://{bench.target.host}:{bench.target.port}"
    with httpx.Client(base_url=base, timeout=RECOVER_ANSWER_S) as api:
        while time.monotonic() - started < RECOVER_LIMIT_S:
            attempts += 1
            customer = {**seller.order.body["customer"], "name": f"{RECOVERY_TAG}{time.monotonic_ns()}"}
            try:
                if (
                    api.post(seller.order.path, json={**seller.order.body, "customer": customer}).status_code
                    == 201
                ):
                    return {"recovered": True, "waited_s": time.monotonic() - started, "attempts": attempts}
            except httpx.HTTPError:
                pass
            bench.progress.show(
                f"waiting for the system to take orders again: {time.monotonic() - started:.0f}s"
            )
            time.sleep(1.0)
    bench.progress.say(f"the system took no order within {RECOVER_ANSWER_S:g} s for {RECOVER_LIMIT_S:g} s")
    return {"recovered": False, "waited_s": time.monotonic() - started, "attempts": attempts}


# --- 1. latency ------------------------------------------------------------------------


def latency(bench: Bench, label: str) -> list[dict[str, Any]]:
    return [bench.step(rate, bench.options.duration_s, label)[0] for rate in bench.options.rates]


# --- 2. sustained throughput --------------------------------------------------------------


def throughput(bench: Bench, latency_steps: list[dict[str, Any]]) -> dict[str, Any]:
    ladder = sorted(bench.options.throughput_rates)
    good = [step["rate"] for step in latency_steps if held(step)]
    start = max([rate for rate in ladder if rate <= max(good)], default=ladder[0]) if good else ladder[0]
    results: dict[float, bool] = {}
    steps: list[dict[str, Any]] = []
    rate: float | None = start
    while rate is not None and len(steps) < bench.options.throughput_max_steps:
        record, _ = bench.step(rate, bench.options.throughput_duration_s, "sustained")
        record.pop("raw_latency_ms")
        record["held"] = held(record)
        steps.append(record)
        results[rate] = record["held"]
        rate = next_rate(ladder, results)
    sustained = max((step["rate"] for step in steps if step["held"]), default=None)
    return {
        "criterion": f"p99 <= {THROUGHPUT_P99_MS:g} ms, nothing lost or failed",
        "steps": steps,
        "sustained_rate": sustained,
        "duration_s": bench.options.throughput_duration_s,
    }


# --- 3. connections ----------------------------------------------------------------------


def steady_rate(latency_steps: list[dict[str, Any]], fallback: float) -> float:
    """The highest rate of the latency phase that held (p99 <= 100 ms, nothing lost), so the
    socket phases measure the sockets rather than an overload; `fallback` if none did."""
    return max((step["rate"] for step in latency_steps if held(step)), default=fallback)


def connections(bench: Bench, rate: float) -> dict[str, Any]:
    opts = bench.options
    assert isinstance(bench.target, SystemTarget)
    pids = bench.target.pids()
    watched = {name: pids[name] for name in ("gateway", "notifier")}
    bench.progress.say(f"connections: making {opts.idle_sellers} idle sellers")
    idle = bench.target.make_sellers(opts.idle_sellers, first=10_000)
    wanted = min(opts.sockets, fd_capacity())
    per_seller = max(1, wanted // opts.idle_sellers)
    before = {name: rss_bytes(pid) for name, pid in watched.items()}
    targets = bench.sockets_for(idle, per_seller, first_group=10_000)
    connected = bench.connect(
        targets, f"connections: {len(targets)} idle sockets", CONNECT_CONCURRENCY, CONNECT_LIMIT_S
    )
    held_from = time.monotonic()
    time.sleep(SETTLE_S)  # let the last handshakes' buffers go before reading memory
    connected_rss = {name: rss_bytes(pid) for name, pid in watched.items()}
    record, _ = bench.step(rate, opts.connections_duration_s, "with idle sockets", warmup=False)
    while time.monotonic() - held_from < opts.connections_hold_s:
        bench.progress.show(
            f"connections: holding {time.monotonic() - held_from:5.1f}/{opts.connections_hold_s:g}s  "
            f"{bench.load.status()}"
        )
        time.sleep(0.5)
    after = {name: rss_bytes(pid) for name, pid in watched.items()}
    idle_ids = {target.socket for target in targets}
    reports = [report for report in bench.load.reports() if report["socket"] in idle_ids]
    bench.load.close_sockets(idle_ids)
    released = {name: rss_bytes(pid) for name, pid in watched.items()}
    subscribed = sum(1 for report in reports if report["subscribed"])
    silences = [report["longest_silence_s"] for report in reports]
    held_s = time.monotonic() - held_from
    return {
        **connected,
        "requested": opts.sockets,
        "fd_limit": resource.getrlimit(resource.RLIMIT_NOFILE)[1],
        "held_s": held_s,
        "still_subscribed": subscribed,
        "rss_before": before,
        "rss_connected": connected_rss,
        "rss_after": after,
        "rss_after_close": released,
        "rss_per_connection_kib": {
            name: (connected_rss[name] - before[name]) / max(subscribed, 1) / 1024 for name in watched
        },
        "heartbeat": {
            "checked": held_s > HEARTBEAT_S + HEARTBEAT_TOLERANCE_S,
            "longest_silence_s": max(silences, default=None),
            "late_sockets": sum(1 for value in silences if value > HEARTBEAT_S + HEARTBEAT_TOLERANCE_S),
            "sockets_without_heartbeat": sum(1 for report in reports if report["heartbeats"] == 0),
        },
        "unexpected_closes": _closes(reports),
        "orders_meanwhile": record,
    }


def fd_capacity() -> int:
    """How many client sockets one gateway (or the load generator's socket process) can hold
    here: each takes one descriptor (the notifier's side is a channel of one link), and the hard
    limit cannot be raised without CAP_SYS_RESOURCE, which this machine's sandbox does not give."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return max(0, hard - FD_HEADROOM)


def _closes(reports: list[dict[str, Any]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for report in reports:
        for reason, count in report["closes"].items():
            total[reason] = total.get(reason, 0) + count
    return total


# --- 4. reconnect storm -----------------------------------------------------------------------


def storm(bench: Bench, rate: float) -> dict[str, Any]:
    opts = bench.options
    per_seller = max(1, opts.storm_sockets // len(bench.active))
    targets = bench.sockets_for(bench.active, per_seller, first_group=0)
    connected = bench.connect(targets, f"storm: {len(targets)} sockets", CONNECT_CONCURRENCY, CONNECT_LIMIT_S)
    storm_ids = {target.socket for target in targets}
    dropped: list[int] = []

    def drop(start_at: float) -> None:
        dropped.append(bench.load.drop(start_at + opts.storm_drop_after_s, storm_ids))

    record, result = bench.step(rate, opts.storm_duration_s, "storm", warmup=False, during=drop)
    record.pop("raw_latency_ms")
    reports = [report for report in bench.load.reports() if report["socket"] in storm_ids]
    bench.load.close_sockets(storm_ids)
    storm_groups = {target.socket: target.group for target in targets}
    outcome = match(result.sent, result.deliveries, storm_groups)
    recovery = [
        report["storm"]["caught_up_at"] - report["storm"]["dropped_at"]
        for report in reports
        if report["storm"] and report["storm"]["caught_up_at"] is not None
    ]
    resubscribe = [
        report["storm"]["subscribed_at"] - report["storm"]["dropped_at"]
        for report in reports
        if report["storm"] and report["storm"]["subscribed_at"] is not None
    ]
    summary: Summary | None = summarize(recovery)
    return {
        **connected,
        "dropped": sum(dropped),
        "rate": rate,
        "caught_up": len(recovery),
        "not_caught_up": len(reports) - len(recovery),
        "recovered_all_s": (max(recovery) if len(recovery) == len(reports) and recovery else None),
        "recovery_ms": summary.as_dict() if summary else None,
        "resubscribe_ms": (s.as_dict() if (s := summarize(resubscribe)) else None),
        "reconnect_attempts_max": max((r["storm"]["attempts"] for r in reports if r["storm"]), default=0),
        "storm_sockets_expected": outcome.expected,
        "storm_sockets_delivered": outcome.delivered,
        "storm_sockets_lost": outcome.lost,
        "storm_sockets_duplicated": outcome.duplicated,
        "seq_gaps": sum(report["gaps"] for report in reports),
        "seq_repeats": sum(report["repeats"] for report in reports),
        "resets": sum(report["resets"] for report in reports),
        "closes": _closes(reports),
        "orders_meanwhile": record,
    }


# --- profiles ---------------------------------------------------------------------------------


def profiled(bench: Bench, rate: float) -> dict[str, Any]:
    """A step at `rate` with py-spy sampling every service (a separate, unmeasured run)."""
    opts = bench.options
    pids = bench.target.pids()
    recorders: list[profile.Recorder] = []

    def start(start_at: float) -> None:
        recorders.extend(profile.record(pids, opts.profile_s, opts.profile_dir))

    record, _ = bench.step(rate, opts.profile_s, "profiled", warmup=False, during=start)
    record.pop("raw_latency_ms")
    return {"rate": rate, "step": record, "services": profile.collect(recorders)}


def late_deliveries(bench: Bench) -> dict[str, dict[str, int]]:
    """For each step that lost deliveries: how many came in later (late, not lost) by the end."""
    time.sleep(LATE_WAIT_S)
    bench.load.collect_late()
    return {
        step: {
            "missing": len(pairs),
            "arrived_later": len(pairs & bench.load.arrived_late),
            "never": len(pairs - bench.load.arrived_late),
        }
        for step, pairs in bench.missing.items()
    }


def seq_health(bench: Bench) -> dict[str, int]:
    reports = bench.load.reports()
    return {
        "sockets": len(reports),
        "gaps": sum(report["gaps"] for report in reports),
        "repeats": sum(report["repeats"] for report in reports),
        "resets": sum(report["resets"] for report in reports),
    }
