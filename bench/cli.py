"""The benchmark's command line: which phases, how long, where the outputs go."""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import resource
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from bench import report, scenarios
from bench.backing import Backing
from bench.load import LoadGenerator, WorkerDied
from bench.meter import other_load
from bench.probe import probe
from bench.progress import Progress
from bench.scenarios import Bench, Options
from bench.targets import FloorTarget, SystemTarget
from scripts.system import ROOT

PHASES = ("probe", "floor", "latency", "throughput", "connections", "storm", "profile")
SYSTEM_PHASES = PHASES[2:]
FD_LIMIT = 65536


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Order-to-dashboard latency, sustained throughput, 10,000 idle sockets and a reconnect "
        "storm, against the whole system on PostgreSQL + RabbitMQ, beside the floor (docs/performance.md).",
    )
    p.add_argument("--only", default=",".join(PHASES), help=f"comma-separated phases of {', '.join(PHASES)}")
    p.add_argument("--quick", action="store_true", help="short durations and small counts, a smoke test")
    p.add_argument("--rates", help="orders/s of the latency phase (default 50,100,200)")
    p.add_argument("--duration", type=float, help="seconds per latency rate (default 30)")
    p.add_argument("--sellers", type=int, help="sellers receiving orders (default 100)")
    p.add_argument("--dashboards", type=int, help="dashboards per seller (default 2)")
    p.add_argument("--throughput-rates", help="ladder of the sustained-throughput search")
    p.add_argument("--throughput-duration", type=float, help="seconds per step (default 60)")
    p.add_argument("--sockets", type=int, help="idle sockets of the connections phase (default 10000)")
    p.add_argument("--storm-sockets", type=int, help="sockets of the reconnect storm (default 2000)")
    p.add_argument(
        "--storm-rate", type=float, help="orders/s during the storm (default: see --connections-rate)"
    )
    p.add_argument(
        "--connections-rate",
        type=float,
        help="orders/s while the idle sockets are open (default: 100, or the highest latency rate "
        "that held if lower)",
    )
    p.add_argument("--profile-rate", type=float, help="orders/s while py-spy samples (default 100)")
    p.add_argument("--profile-seconds", type=float, help="how long py-spy samples (default 20)")
    p.add_argument("--socket-processes", type=int, default=4, help="processes holding the client sockets")
    p.add_argument("--results", default=str(ROOT / "bench" / "results"), help="where the JSON goes")
    p.add_argument("--docs", default=str(ROOT / "docs" / "bench"), help="where latest.md and latency.png go")
    p.add_argument("--no-docs", action="store_true", help="write only the JSON")
    p.add_argument(
        "--wait-quiet",
        type=float,
        default=60,
        help="before each target, wait up to this many seconds for other programs to leave the CPU",
    )
    return p


def options(args: argparse.Namespace, run_dir: Path) -> Options:
    quick = args.quick
    defaults = Options(
        rates=[50, 100] if quick else [50, 100, 200],
        duration_s=3 if quick else 30,
        warmup_s=1 if quick else 3,
        sellers=10 if quick else 100,
        dashboards=2,
        throughput_rates=[10, 25, 50, 100, 150, 200, 250, 300, 350, 400, 500, 600, 800],
        throughput_duration_s=4 if quick else 60,
        throughput_max_steps=2 if quick else 6,
        sockets=400 if quick else 10_000,
        idle_sellers=10 if quick else 100,
        connections_rate=None,
        connections_duration_s=3 if quick else 30,
        connections_hold_s=5 if quick else 45,
        storm_sockets=100 if quick else 2_000,
        storm_rate=20 if quick else None,
        storm_duration_s=6 if quick else 30,
        storm_drop_after_s=2 if quick else 10,
        socket_processes=args.socket_processes,
        profile_s=3 if quick else 20,
        profile_rate=report.TARGET_RATE,
        profile_dir=str(run_dir / "profiles"),
    )
    if args.rates:
        defaults.rates = [float(rate) for rate in args.rates.split(",")]
    if args.throughput_rates:
        defaults.throughput_rates = [float(rate) for rate in args.throughput_rates.split(",")]
    for flag, name in (
        ("duration", "duration_s"),
        ("sellers", "sellers"),
        ("dashboards", "dashboards"),
        ("throughput_duration", "throughput_duration_s"),
        ("sockets", "sockets"),
        ("storm_sockets", "storm_sockets"),
        ("storm_rate", "storm_rate"),
        ("connections_rate", "connections_rate"),
        ("profile_rate", "profile_rate"),
        ("profile_seconds", "profile_s"),
    ):
        if getattr(args, flag) is not None:
            setattr(defaults, name, getattr(args, flag))
    return defaults


def raise_fd_limit() -> int:
    """Ten thousand sockets need twenty thousand descriptors in the gateway (client + upstream);
    the services inherit this process's limit."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(FD_LIMIT, hard), max(FD_LIMIT, hard)))
        return FD_LIMIT
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def commit() -> str:
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    return result.stdout.strip() + ("+changes" if dirty.strip() else "")


def _stop_on_sigterm() -> None:
    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)


QUIET_CORES = 0.25


def wait_quiet(limit_s: float, progress: Progress) -> float:
    """Wait (up to `limit_s`) until other programs use less than QUIET_CORES; returns their load."""
    deadline = time.monotonic() + limit_s
    while True:
        busy = other_load({}, 3.0)
        if busy < QUIET_CORES or time.monotonic() >= deadline:
            return busy
        progress.show(f"waiting for a quiet machine: other programs use {busy:.2f} cores")


def run_target(
    target: FloorTarget | SystemTarget,
    phases: set[str],
    opts: Options,
    progress: Progress,
    wait_s: float,
    found: dict[str, Any],
) -> None:
    """Run the phases against `target`, filling `found` as they finish (so a failure keeps what
    was measured before it). A phase that fails is recorded and the next one still runs."""
    found["other_cores_at_start"] = wait_quiet(wait_s, progress)
    progress.say(f"{target.name}: starting (other programs use {found['other_cores_at_start']:.2f} cores)")
    target.start()
    load: LoadGenerator | None = None
    try:
        progress.say(f"{target.name}: making {opts.sellers} sellers")
        sellers = target.make_sellers(opts.sellers)
        load = LoadGenerator(
            target.host, target.port, [seller.order for seller in sellers], opts.socket_processes, progress
        )
        bench = Bench(target, load, sellers, progress, opts)
        found["dashboards"] = bench.connect(
            bench.sockets_for(sellers, opts.dashboards, 0), f"{target.name}: dashboards"
        )
        if isinstance(target, FloorTarget):
            found["latency"] = scenarios.latency(bench, "floor")
            return
        plan: list[tuple[str, Callable[[], Any]]] = [
            ("latency", lambda: scenarios.latency(bench, "ours")),
            ("throughput", lambda: scenarios.throughput(bench, _list(found.get("latency")))),
            ("connections", lambda: scenarios.connections(bench, socket_rate(found, opts.connections_rate))),
            ("storm", lambda: scenarios.storm(bench, socket_rate(found, opts.storm_rate))),
            ("profile", lambda: scenarios.profiled(bench, opts.profile_rate)),
        ]
        for phase, run in plan:
            if phase in phases:
                found[phase] = _phase(phase, run, bench, progress)
        found["seq_health"] = scenarios.seq_health(bench)
        found["late_deliveries"] = scenarios.late_deliveries(bench)
    finally:
        with interrupts_held():
            if load is not None:
                load.stop()
            target.stop()


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """Clean-up that a second Ctrl-C or SIGTERM must not cut short (which would leave the
    services or the benchmark's databases behind): those signals wait until it is done."""
    held = (signal.SIGINT, signal.SIGTERM)
    previous = {signum: signal.signal(signum, signal.SIG_IGN) for signum in held}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def socket_rate(found: dict[str, Any], given: float | None) -> float:
    """Orders/s during the socket phases: as given, else the targets' rate (100/s), or the
    highest latency rate that held if that is lower, so that the sockets are measured beside
    the load the targets are stated at rather than beside an overload."""
    if given is not None:
        return given
    return min(report.TARGET_RATE, scenarios.steady_rate(_list(found.get("latency")), report.TARGET_RATE))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _phase(name: str, run: Callable[[], Any], bench: Bench, progress: Progress) -> Any:
    recovery = scenarios.recover(bench)
    try:
        found = run()
    except (KeyboardInterrupt, WorkerDied):
        raise
    except Exception as error:  # a failed phase is a result too; the next phase still runs
        progress.say(f"{name} failed: {error!r}")
        return {"error": repr(error), "traceback": traceback.format_exc()[-3000:], "recovery": recovery}
    if isinstance(found, dict):
        found["recovery"] = recovery
    return found


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    phases = {phase.strip() for phase in args.only.split(",") if phase.strip()}
    unknown = phases - set(PHASES)
    if unknown:
        parser().error(f"unknown phases: {', '.join(sorted(unknown))}")
    started = time.monotonic()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    run_dir = ROOT / "var" / "bench" / stamp
    opts = options(args, run_dir)
    fd_limit = raise_fd_limit()
    _stop_on_sigterm()
    progress = Progress()
    results: dict[str, Any] = {
        "meta": {
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "argv": argv,
            "commit": commit(),
            "cpus": os.cpu_count(),
            "memory_gib": psutil.virtual_memory().total / 2**30,
            "python": platform.python_version(),
            "fd_limit": fd_limit,
            "options": vars(opts),
            "phases": sorted(phases),
            "logs": str(run_dir),
        }
    }
    backing = Backing(prefix=f"bench_{stamp.lower()}")
    try:
        if "probe" in phases:
            progress.say("probe: timing one PostgreSQL commit and one RabbitMQ confirm, alone")
            results["probe"] = probe(backing)
        if "floor" in phases:
            found = results.setdefault("floor", {})
            run_target(FloorTarget(backing, run_dir), phases, opts, progress, args.wait_quiet, found)
        if phases & set(SYSTEM_PHASES):
            found = results.setdefault("system", {})
            run_target(SystemTarget(backing, run_dir), phases, opts, progress, args.wait_quiet, found)
    except KeyboardInterrupt:
        progress.say("interrupted: writing what was measured")
    except Exception as error:  # write what was measured, and why it stopped
        progress.say(f"benchmark failed: {error!r}")
        results["error"] = repr(error)
        results["traceback"] = traceback.format_exc()[-3000:]
    finally:
        with interrupts_held():
            progress.say("dropping the benchmark's databases and vhosts")
            backing.drop()
    return _write(results, args, stamp, started, progress)


def _write(
    results: dict[str, Any], args: argparse.Namespace, stamp: str, started: float, progress: Progress
) -> int:
    results["targets"] = report.evaluate(results)
    json_path = Path(args.results) / f"{stamp}.json"
    results["meta"]["took_s"] = time.monotonic() - started
    results["meta"]["json"] = os.path.relpath(json_path, ROOT)
    report.write_json(results, json_path)
    progress.say(f"wrote {json_path}")
    if not args.no_docs:
        docs = Path(args.docs)
        plotted = report.plot(results, docs / "latency.png")
        (docs / "latest.md").write_text(report.markdown(results, "latency.png" if plotted else None))
        progress.say(f"wrote {docs / 'latest.md'}" + (f" and {docs / 'latency.png'}" if plotted else ""))
    for row in results["targets"]:
        verdict = {True: "met", False: "MISSED", None: "not run"}[row["met"]]
        value = "—" if row["measured"] is None else f"{row['measured']:.1f} {row['unit']}"
        progress.say(f"  {row['target']}: {value} (goal {row['goal']}) {verdict}")
    return 1 if "error" in results else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
