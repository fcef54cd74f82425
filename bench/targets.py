"""What the load generator drives: the whole system, or the floor. Both on fresh PostgreSQL
databases and a fresh RabbitMQ vhost, both reached only over 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

from bench.backing import Backing, execute, sqlalchemy_url
from bench.floor import TABLE_DDL
from bench.workers import OrderTarget
from scripts.system import ROOT, System

SHED_METRIC = "santhai_http_requests_shed_total"

CUSTOMER = {"name": "-", "phone": "+1 555 0100"}
ADDRESS = {
    "line1": "12 Main St",
    "line2": "Apt 4",
    "city": "Springfield",
    "postal_code": "12345",
    "instructions": "Ring twice",
}
PRODUCTS: list[dict[str, Any]] = [
    {
        "name": "Masala Dosa",
        "price_cents": 850,
        "custom_fields": [
            {
                "key": "spice",
                "label": "Spice level",
                "type": "select",
                "required": True,
                "options": ["Mild", "Medium", "Hot"],
            },
            {"key": "extra_chutney", "label": "Extra chutney", "type": "checkbox"},
        ],
    },
    {
        "name": "Birthday Cake",
        "price_cents": 3200,
        "custom_fields": [
            {
                "key": "message",
                "label": "Message on the cake",
                "type": "text",
                "required": True,
                "max_length": 40,
            },
            {"key": "candles", "label": "Candles", "type": "number", "min": 0, "max": 99},
        ],
    },
]


def order_body(product_ids: list[str]) -> dict[str, Any]:
    """A typical order: two lines with custom fields, cash on delivery."""
    dosa, cake = product_ids
    return {
        "customer": CUSTOMER,
        "delivery_address": ADDRESS,
        "payment_method": "cod",
        "items": [
            {"product_id": dosa, "quantity": 2, "custom_fields": {"spice": "Hot"}},
            {"product_id": cake, "quantity": 1, "custom_fields": {"message": "Happy birthday", "candles": 7}},
        ],
    }


@dataclass(frozen=True)
class Seller:
    order: OrderTarget
    subscribe: dict[str, Any]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode}; see {log}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.05)
    raise TimeoutError(f"port {port} not open after {timeout_s:.0f} s; see {log}")


SETUP_ATTEMPTS = 5


def _call(api: httpx.Client, method: str, path: str, expect: int, **kwargs: Any) -> httpx.Response:
    """A setup request, retried as a client would on 503 + Retry-After (a busy machine)."""
    problem = ""
    for _ in range(SETUP_ATTEMPTS):
        try:
            response = api.request(method, path, **kwargs)
        except httpx.TransportError as error:
            problem = repr(error)
            time.sleep(1.0)
            continue
        if response.status_code == expect:
            return response
        problem = f"{response.status_code} {response.text[:300]}"
        if response.status_code != 503:
            break
        time.sleep(min(float(response.headers.get("Retry-After", "1")), 5.0))
    raise RuntimeError(f"{method} {path}: {problem}")


@dataclass
class FloorTarget:
    backing: Backing
    log_dir: Path
    name: str = "floor"
    check_seq: bool = False  # the floor's seq is its row id, not a per-seller sequence
    host: str = "127.0.0.1"
    port: int = 0
    ws_port: int = 0
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    logs: list[IO[bytes]] = field(default_factory=list)

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.ws_port}/"

    def start(self) -> None:
        database = self.backing.database("floor")
        execute(TABLE_DDL, database)
        env = {**os.environ, "FLOOR_DATABASE_URL": database, "FLOOR_AMQP_URL": self.backing.vhost("floor")}
        self.port, self.ws_port = free_port(), free_port()
        self._spawn(
            "pusher", [sys.executable, "-m", "bench.floor.pusher", str(self.ws_port)], env, self.ws_port
        )
        app = "bench.floor.app:app"
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
        self._spawn("app", command, env, self.port)

    def _spawn(self, name: str, command: list[str], env: dict[str, str], port: int) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"floor-{name}.log"
        log = open(log_path, "ab")  # noqa: SIM115 - kept open for the child's life
        self.logs.append(log)
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.processes[name] = process
        wait_for_port(port, process, log_path)

    def make_sellers(self, count: int, first: int = 0) -> list[Seller]:
        return [
            Seller(
                OrderTarget(f"/orders/s{index}", order_body(["p1", "p2"])),
                {"type": "subscribe", "seller": f"s{index}"},
            )
            for index in range(first, first + count)
        ]

    def pids(self) -> dict[str, int]:
        return {name: process.pid for name, process in self.processes.items()}

    def shed(self) -> dict[str, float]:
        return {}  # the floor refuses nothing

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        for log in self.logs:
            log.close()


@dataclass
class SystemTarget:
    """The four services as `make run` starts them (scripts/system.py), on PostgreSQL."""

    backing: Backing
    log_dir: Path
    name: str = "system"
    check_seq: bool = True
    host: str = "127.0.0.1"
    system: System | None = None
    _seller_count: int = 0

    @property
    def port(self) -> int:
        assert self.system is not None
        return self.system["gateway"].port

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/seller"

    def start(self) -> None:
        ports = {f"{name}_PORT": str(free_port()) for name in ("GATEWAY", "CATALOG", "CHECKOUT", "NOTIFIER")}
        env = {
            "CATALOG_DATABASE_URL": sqlalchemy_url(self.backing.database("catalog")),
            "CHECKOUT_DATABASE_URL": sqlalchemy_url(self.backing.database("checkout")),
            "AMQP_URL": self.backing.vhost("system"),
            **ports,
            "NOTIFIER_URLS": f"ws://127.0.0.1:{ports['NOTIFIER_PORT']}",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{ports['GATEWAY_PORT']}",
            "RATE_LIMITS": "off",
            "APP_ENV": "dev",
            "LOG_LEVEL": "WARNING",
        }
        self.system = System(env=env, log_dir=self.log_dir, notifier_ports=[int(ports["NOTIFIER_PORT"])])
        self.system.migrate()
        self.system.start(timeout=90)

    def make_sellers(self, count: int, first: int = 0) -> list[Seller]:
        with (
            httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=60) as api,
            ThreadPoolExecutor(4) as pool,
        ):
            return list(pool.map(lambda index: self._make_seller(api, index), range(first, first + count)))

    @staticmethod
    def _make_seller(api: httpx.Client, index: int) -> Seller:
        email = f"bench-{index}-{os.urandom(4).hex()}@example.com"
        signup = {"email": email, "password": "bench password 1", "business_name": f"Bench Kitchen {index}"}
        body = _call(api, "POST", "/api/auth/signup", 201, json=signup).json()
        auth = {"Authorization": f"Bearer {body['access_token']}"}
        _call(api, "PATCH", "/api/seller", 200, json={"realtime_enabled": True}, headers=auth)
        product_ids = [
            _call(api, "POST", "/api/seller/products", 201, json=product, headers=auth).json()["id"]
            for product in PRODUCTS
        ]
        slug = body["seller"]["slug"]
        return Seller(
            OrderTarget(f"/api/storefronts/{slug}/orders", order_body(product_ids)),
            {"type": "subscribe", "token": body["access_token"]},
        )

    def pids(self) -> dict[str, int]:
        assert self.system is not None
        return {
            name: proc.process.pid
            for name, proc in self.system.processes.items()
            if proc.process is not None and proc.alive
        }

    def shed(self) -> dict[str, float]:
        """Requests each running service has refused at once with 503 since it started."""
        assert self.system is not None
        counts: dict[str, float] = {}
        for name, process in self.system.processes.items():
            if process.alive:
                with contextlib.suppress(httpx.HTTPError):
                    counts[name] = shed_count(httpx.get(f"{process.url}/metrics", timeout=5).text)
        return counts

    def stop(self) -> None:
        if self.system is not None:
            self.system.stop()


def shed_count(metrics: str) -> float:
    """The sum of `santhai_http_requests_shed_total` in a Prometheus text exposition."""
    return sum(
        float(line.rpartition(" ")[2])
        for line in metrics.splitlines()
        if line.startswith(SHED_METRIC + "{") or line.startswith(SHED_METRIC + " ")
    )
