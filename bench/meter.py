"""CPU time and resident memory of the processes under test (psutil), to say where the
machine's two cores went during a step: CPU ms per order, per process."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import Any

import psutil

# Processes of the servers this machine runs for everyone: summed over all their processes.
SERVERS = {"postgres": ("postgres",), "rabbitmq": ("beam.smp", "erl_child_setup", "epmd")}


def _server_processes() -> dict[str, list[psutil.Process]]:
    found: dict[str, list[psutil.Process]] = {name: [] for name in SERVERS}
    for process in psutil.process_iter(["name"]):
        for name, executables in SERVERS.items():
            if process.info["name"] in executables:
                found[name].append(process)
    return found


def rss_bytes(pid: int) -> int:
    return int(psutil.Process(pid).memory_info().rss)


@dataclass
class CpuMeter:
    """CPU seconds used between `start()` and `stop()`, per named process group. Counted per
    process present at both ends, so a short-lived process (a `rabbitmqctl`, a database
    backend that closed) neither adds nor takes away."""

    pids: dict[str, int]
    _before: dict[tuple[str, int], float] | None = None
    used_s: dict[str, float] | None = None
    wall_s: float = 0.0
    _busy_before: float = 0.0
    other_cores: float = 0.0  # CPU used meanwhile by everything not measured here

    def _sample(self) -> dict[tuple[str, int], float]:
        groups = {name: [psutil.Process(pid)] for name, pid in self.pids.items() if psutil.pid_exists(pid)}
        groups.update(_server_processes())
        found: dict[tuple[str, int], float] = {}
        for name, processes in groups.items():
            for process in processes:
                with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                    times = process.cpu_times()
                    found[(name, process.pid)] = times.user + times.system
        return found

    def start(self) -> None:
        self._before = self._sample()
        self._busy_before = machine_busy_s()
        self.wall_s = -time.monotonic()

    def stop(self) -> dict[str, float]:
        assert self._before is not None
        self.wall_s += time.monotonic()
        after = self._sample()
        used: dict[str, float] = {}
        for (name, pid), seconds in after.items():
            if (name, pid) in self._before:
                used[name] = used.get(name, 0.0) + seconds - self._before[(name, pid)]
        self.used_s = used
        if self.wall_s > 0:
            self.other_cores = max(
                0.0, (machine_busy_s() - self._busy_before - sum(used.values())) / self.wall_s
            )
        return used


def machine_busy_s() -> float:
    """CPU seconds the whole machine has been busy (all cores)."""
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


def other_load(pids: dict[str, int], seconds: float = 3.0) -> float:
    """Cores busy with work other than ours (other programs on the machine) over `seconds`."""
    meter = CpuMeter(pids)
    meter.start()
    time.sleep(seconds)
    meter.stop()
    return meter.other_cores


DB_COUNTERS = ("xact_commit", "xact_rollback", "tup_inserted", "tup_updated", "tup_fetched", "tup_returned")


def database_counters(names: list[str]) -> dict[str, dict[str, int]]:
    """PostgreSQL's own counters of these databases (transactions and rows), from pg_stat_database."""
    if not names:
        return {}
    from bench.backing import BackingError, fetch

    query = f"SELECT datname, {', '.join(DB_COUNTERS)} FROM pg_stat_database WHERE datname = ANY($1)"
    try:
        rows = fetch(query, names)
    except (BackingError, OSError):
        return {}  # the server is away (another program's fault test): no counters for this step
    return {row["datname"]: {name: int(row[name]) for name in DB_COUNTERS} for row in rows}


def per_order(
    before: dict[str, dict[str, int]], after: dict[str, dict[str, int]], orders: int
) -> dict[str, Any]:
    """Each database's counters per accepted order between two readings."""
    return {
        database: {
            name: (after[database][name] - before[database][name]) / max(orders, 1) for name in DB_COUNTERS
        }
        for database in after
        if database in before
    }
