"""`make run`: the whole system on one machine.

Applies migrations, starts the four services, seeds a demo seller when the catalog is empty,
prints where to click, restarts a service that dies, and stops everything on Ctrl-C/SIGTERM.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

from scripts.system import ROOT, System
from shared.settings import BaseServiceSettings

RESTART_BACKOFF_S = (0.5, 1, 2, 5)
DEMO_EMAIL = "demo@santhai.example"
DEMO_PASSWORD = "demo-password"
DEMO_SLUG = "demo-bakery"


def broker_reachable(amqp_url: str) -> bool:
    parts = urlsplit(amqp_url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5672), timeout=3):
            return True
    except OSError:
        return False


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def fail(message: str) -> None:
    print(f"santhai: {message}", file=sys.stderr)
    raise SystemExit(1)


def check_prerequisites(settings: BaseServiceSettings, system: System) -> None:
    if not broker_reachable(settings.amqp_url):
        safe = urlsplit(settings.amqp_url)._replace(netloc=urlsplit(settings.amqp_url).hostname or "")
        fail(
            f"RabbitMQ is not reachable at {safe.geturl()} - start it with `rabbitmq-server -detached` "
            "(or `systemctl start rabbitmq-server`), or point AMQP_URL at one."
        )
    busy = [p for p in system.processes.values() if not port_free(p.port)]
    if busy:
        names = ", ".join(f"{p.name} :{p.port}" for p in busy)
        fail(f"port already in use ({names}) - is Santhai already running? Stop it or set *_PORT.")


def seed() -> None:
    subprocess.run([sys.executable, "-m", "services.catalog", "seed"], cwd=ROOT, check=True, timeout=120)


def print_welcome(settings: BaseServiceSettings) -> None:
    base = settings.public_url
    print(
        f"""
  Santhai Real-Time Orders is running.

    Storefront (what the QR code opens):  {base}/s/{DEMO_SLUG}
    Real-Time Orders Dashboard:           {base}/seller/live
    Seller Information:                   {base}/seller
    Log in as {DEMO_EMAIL} / {DEMO_PASSWORD}

    API docs: {base}/docs    health: {base}/readyz    logs: var/logs/
  Press Ctrl-C to stop.
""",
        flush=True,
    )


def supervise(system: System, stopping: list[bool]) -> None:
    """Restart any service that dies, with a short backoff, until asked to stop."""
    failures: dict[str, int] = {}
    while not stopping:
        for proc in system.dead():
            count = failures.get(proc.name, 0)
            delay = RESTART_BACKOFF_S[min(count, len(RESTART_BACKOFF_S) - 1)]
            print(
                f"santhai: {proc.name} exited ({proc.process and proc.process.returncode}); "
                f"restarting in {delay} s (log: {proc.log_path})",
                file=sys.stderr,
                flush=True,
            )
            time.sleep(delay)
            failures[proc.name] = count + 1
            proc.start()
        for name, proc in system.processes.items():
            if failures.get(name) and proc.alive and proc.ready("/healthz"):
                failures[name] = 0
        time.sleep(0.25)


def main() -> None:
    settings = BaseServiceSettings()
    system = System(env={}, log_dir=ROOT / "var" / "logs")
    check_prerequisites(settings, system)
    stopping: list[bool] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stopping.append(True)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    Path(ROOT / "var").mkdir(exist_ok=True)
    print("santhai: applying migrations…", flush=True)
    system.migrate()
    seed()
    print("santhai: starting catalog, checkout, notifier and gateway…", flush=True)
    try:
        system.start(timeout=60)
        print_welcome(settings)
        supervise(system, stopping)
    except (RuntimeError, TimeoutError) as exc:
        print(f"santhai: {exc}", file=sys.stderr)
    finally:
        print("santhai: stopping…", flush=True)
        system.stop()


if __name__ == "__main__":
    main()
