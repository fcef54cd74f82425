"""Start, watch and stop the four services as real processes.

Used by `scripts/run.py` (the `make run` command, which also restarts a process that dies)
and by the end-to-end, browser, fault and benchmark tests, so every one of them runs the
system the same way.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("catalog", "checkout", "notifier", "gateway")
MIGRATED = ("catalog", "checkout")


@dataclass
class ServiceProcess:
    name: str  # "catalog", "notifier", "notifier-2", …
    module: str  # "services.catalog"
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    log_file: IO[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        if self.alive:
            return
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_file = open(self.log_path, "ab")  # noqa: SIM115 - kept open for the child's life
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.module],
            cwd=ROOT,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.starts += 1

    def signal(self, sig: signal.Signals) -> None:
        if self.alive:
            assert self.process is not None
            self.process.send_signal(sig)

    def kill(self) -> None:
        """kill -9: no shutdown code runs."""
        self.signal(signal.SIGKILL)
        self._reap(5)

    def stop(self, timeout: float = 10) -> None:
        self.signal(signal.SIGTERM)
        if not self._reap(timeout):
            self.kill()

    def _reap(self, timeout: float) -> bool:
        if self.process is None:
            return True
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        if self.log_file is not None:
            self.log_file.close()
            self.log_file = None
        return True

    def ready(self, path: str = "/readyz") -> bool:
        try:
            with urllib.request.urlopen(self.url + path, timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def wait_ready(self, timeout: float = 30, path: str = "/readyz") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ready(path):
                return
            if not self.alive:
                raise RuntimeError(
                    f"{self.name} exited with {self.process and self.process.returncode}; "
                    f"see {self.log_path}:\n{self.log_tail()}"
                )
            time.sleep(0.1)
        raise TimeoutError(
            f"{self.name} not ready on {self.url}{path} after {timeout:.0f} s; "
            f"see {self.log_path}:\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class System:
    """The four services (optionally several notifiers) sharing one environment."""

    env: dict[str, str]
    log_dir: Path
    notifiers: int = 1
    notifier_ports: list[int] = field(default_factory=list)
    processes: dict[str, ServiceProcess] = field(default_factory=dict)

    def __post_init__(self) -> None:
        base = {**os.environ, **self.env, "PYTHONUNBUFFERED": "1"}
        ports = {
            name: int(base.get(f"{name.upper()}_PORT", default))
            for name, default in (
                ("gateway", 8000),
                ("catalog", 8001),
                ("checkout", 8002),
                ("notifier", 8003),
            )
        }
        notifier_ports = self.notifier_ports or [ports["notifier"] + i * 10 for i in range(self.notifiers)]
        base.setdefault("NOTIFIER_URLS", ",".join(f"ws://127.0.0.1:{p}" for p in notifier_ports))
        self.env = base
        for name in ("catalog", "checkout"):
            self._add(name, name, ports[name])
        for i, port in enumerate(notifier_ports):
            self._add("notifier" if i == 0 else f"notifier-{i + 1}", "notifier", port)
        self._add("gateway", "gateway", ports["gateway"])

    def _add(self, name: str, service: str, port: int) -> None:
        env = {**self.env, f"{service.upper()}_PORT": str(port)}
        self.processes[name] = ServiceProcess(
            name=name,
            module=f"services.{service}",
            port=port,
            env=env,
            log_path=self.log_dir / f"{name}.log",
        )

    def __getitem__(self, name: str) -> ServiceProcess:
        return self.processes[name]

    @property
    def gateway_url(self) -> str:
        return self.processes["gateway"].url

    def migrate(self) -> None:
        for service in MIGRATED:
            result = subprocess.run(
                [sys.executable, "-m", f"services.{service}", "migrate"],
                cwd=ROOT,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            if result.returncode != 0:
                raise RuntimeError(f"migrating {service} failed:\n{result.stdout}\n{result.stderr}")

    def start(self, timeout: float = 60) -> None:
        for proc in self.processes.values():
            proc.start()
        for proc in self.processes.values():
            proc.wait_ready(timeout)

    def stop(self, grace: float = 12) -> None:
        """SIGTERM everything at once, then kill whatever has not exited after `grace` s."""
        for proc in reversed(list(self.processes.values())):
            proc.signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for proc in self.processes.values():
            proc.stop(timeout=max(0.1, deadline - time.monotonic()))

    def dead(self) -> list[ServiceProcess]:
        return [proc for proc in self.processes.values() if proc.process is not None and not proc.alive]


def environment(overrides: Mapping[str, str]) -> dict[str, str]:
    return {key: value for key, value in overrides.items() if value is not None}
