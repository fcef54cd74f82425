"""The real parts the tests use: a PostgreSQL database and a RabbitMQ vhost of this run's own.

By default they are the servers on this machine (`TEST_POSTGRES_URL`, `TEST_AMQP_URL` and
`rabbitmqctl` for vhosts). Where those are not set and not reachable but Docker is, they come
from testcontainers. If neither works, the tests fail with one line saying what is missing.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import pytest

RUN_ID = uuid.uuid4().hex[:8]
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672/"


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def _docker_available() -> bool:
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Postgres:
    admin_url: str  # postgresql://user@host:port/postgres

    def _psql(self, sql: str) -> None:
        import asyncio

        import asyncpg

        async def run() -> None:
            conn = await asyncpg.connect(self.admin_url, timeout=5)
            try:
                await conn.execute(sql)
            finally:
                await conn.close()

        # A thread of its own, so this also works when called from inside a running event loop.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, run()).result()

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create database `name` (a copy of `template` if given); returns its asyncpg URL."""
        self._psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._psql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url_of(name)

    def url_of(self, name: str) -> str:
        parts = urlsplit(self.admin_url)
        return urlunsplit(("postgresql+asyncpg", parts.netloc, f"/{name}", "", ""))

    def drop_database(self, name: str) -> None:
        with contextlib.suppress(Exception):  # cleanup must not mask the test's own result
            self._psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class RabbitMQ:
    base_url: str  # amqp://user:pass@host:port/
    container: object | None = None

    def create_vhost(self, name: str) -> str:
        user = urlsplit(self.base_url).username or "guest"
        if self.container is not None:
            run = self.container.exec  # type: ignore[attr-defined]
            run(["rabbitmqctl", "add_vhost", name])
            run(["rabbitmqctl", "set_permissions", "-p", name, user, ".*", ".*", ".*"])
        else:
            _rabbitmqctl("add_vhost", name)
            _rabbitmqctl("set_permissions", "-p", name, user, ".*", ".*", ".*")
        parts = urlsplit(self.base_url)
        return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))

    def delete_vhost(self, name: str) -> None:
        if self.container is None:
            subprocess.run(["rabbitmqctl", "delete_vhost", name], capture_output=True, timeout=60)

    def stop_app(self) -> None:
        _rabbitmqctl("stop_app")

    def start_app(self) -> None:
        _rabbitmqctl("start_app")


def _rabbitmqctl(*args: str) -> None:
    if not shutil.which("rabbitmqctl"):
        pytest.fail(
            "rabbitmqctl not found: install RabbitMQ (apt-get install rabbitmq-server) "
            "or set TEST_AMQP_URL to a broker and run on a machine with Docker",
            pytrace=False,
        )
    result = subprocess.run(["rabbitmqctl", *args], capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        pytest.fail(f"rabbitmqctl {' '.join(args)} failed: {result.stderr.strip()[:300]}", pytrace=False)


@contextmanager
def postgres_server() -> Iterator[Postgres]:
    url = os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES)
    if _reachable(url, 5432):
        yield Postgres(url)
        return
    if "TEST_POSTGRES_URL" not in os.environ and _docker_available():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16-alpine", driver=None) as container:
            yield Postgres(container.get_connection_url())
        return
    pytest.fail(
        f"PostgreSQL is not reachable at {url}: start it (pg_ctlcluster 15 main start) "
        "or set TEST_POSTGRES_URL",
        pytrace=False,
    )


@contextmanager
def rabbitmq_server() -> Iterator[RabbitMQ]:
    url = os.environ.get("TEST_AMQP_URL", DEFAULT_AMQP)
    if _reachable(url, 5672):
        yield RabbitMQ(url)
        return
    if "TEST_AMQP_URL" not in os.environ and _docker_available():
        from testcontainers.rabbitmq import RabbitMqContainer

        with RabbitMqContainer("rabbitmq:3.13-management-alpine") as container:
            port = container.get_exposed_port(5672)
            host = container.get_container_host_ip()
            yield RabbitMQ(f"amqp://guest:guest@{host}:{port}/", container=container)
        return
    pytest.fail(
        f"RabbitMQ is not reachable at {url}: start it (rabbitmq-server -detached) or set TEST_AMQP_URL",
        pytrace=False,
    )
