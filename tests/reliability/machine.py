"""The machine-wide parts a fault test breaks on purpose: RabbitMQ, PostgreSQL, and the run
command's supervisor (which restarts a service that dies).

RabbitMQ and PostgreSQL are this machine's own servers, shared with anyone else testing here,
so a test that stops one first waits (bounded) until no other pytest run is active, and always
starts it again.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import pytest

from scripts.run import supervise
from scripts.system import System

EXCLUSIVE_WAIT_S = float(os.environ.get("RELIABILITY_EXCLUSIVE_WAIT_S", "600"))
POSTGRES_ADDRESS = ("127.0.0.1", 5432)


def _ancestors() -> set[int]:
    """This process and every process above it (a `timeout … pytest` wrapper, make, a shell)."""
    pids: set[int] = set()
    pid = os.getpid()
    while pid > 1 and pid not in pids:
        pids.add(pid)
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            break
        pid = int(stat.rsplit(")", 1)[1].split()[1])
    return pids


def other_pytest_runs() -> list[str]:
    """Command lines of pytest processes that are not this run."""
    result = subprocess.run(["pgrep", "-fa", "pytest"], capture_output=True, text=True, timeout=10)
    mine = _ancestors()
    others = []
    for line in result.stdout.splitlines():
        pid, _, command = line.partition(" ")
        if pid.isdigit() and int(pid) not in mine:
            others.append(command)
    return others


def wait_until_machine_is_ours(timeout: float = EXCLUSIVE_WAIT_S) -> None:
    """Wait until no other pytest run could be hurt by a stopped broker or database."""
    deadline = time.monotonic() + timeout
    while others := other_pytest_runs():
        if time.monotonic() > deadline:
            pytest.fail(
                f"cannot stop RabbitMQ/PostgreSQL for a fault test: other test runs still use them "
                f"after {timeout:.0f} s: " + "; ".join(others[:3]),
                pytrace=False,
            )
        time.sleep(5)


# --- PostgreSQL --------------------------------------------------------------------------


def _cluster() -> list[str]:
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    if not versions:
        pytest.fail(
            "no local PostgreSQL cluster to stop: the fault tests need this machine's own PostgreSQL "
            "(apt-get install postgresql; pg_ctlcluster must manage it)",
            pytrace=False,
        )
    return ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main"]


def _pg_ctl(action: str) -> None:
    subprocess.run([*_cluster(), action], check=True, capture_output=True, timeout=120)


def postgres_accepts_connections() -> bool:
    try:
        with socket.create_connection(POSTGRES_ADDRESS, timeout=1):
            return True
    except OSError:
        return False


def _start_postgres() -> None:
    _pg_ctl("start")
    deadline = time.monotonic() + 60
    while not postgres_accepts_connections() and time.monotonic() < deadline:
        time.sleep(0.1)


@asynccontextmanager
async def postgres_stopped() -> AsyncIterator[None]:
    """PostgreSQL stopped for the body of the `async with`; started again whatever happens.
    (pg_ctlcluster runs in a thread, so the clients' traffic goes on meanwhile.)"""
    await asyncio.to_thread(_pg_ctl, "stop")
    try:
        yield
    finally:
        await asyncio.to_thread(_start_postgres)


# --- the supervisor ----------------------------------------------------------------------


@contextmanager
def supervised(system: System) -> Iterator[None]:
    """`make run`'s own supervisor (scripts/run.py) watching `system` in a thread."""
    stopping: list[bool] = []
    thread = threading.Thread(target=supervise, args=(system, stopping), name="supervisor", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stopping.append(True)
        thread.join(timeout=10)


def crash(system: System, name: str) -> None:
    """kill -9 one service, as a crash would: the supervisor, not the test, starts it again."""
    process = system[name].process
    assert process is not None and process.poll() is None, f"{name} is not running"
    os.kill(process.pid, 9)
