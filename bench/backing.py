"""Fresh PostgreSQL databases and a RabbitMQ vhost for one benchmark run, dropped afterwards.

The servers are this machine's (BENCH_POSTGRES_URL, BENCH_AMQP_URL; the defaults are the
local ones, as in tests/infra.py); vhosts are made with `rabbitmqctl`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_URL = os.environ.get("BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")


DROP_ATTEMPTS = 15


class BackingError(RuntimeError):
    """A database or vhost could not be made; the message says what to do."""


async def _execute(sql: str, url: str = POSTGRES_URL) -> None:
    connection = await asyncpg.connect(url, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _fetch(sql: str, *args: Any) -> list[dict[str, Any]]:
    connection = await asyncpg.connect(POSTGRES_URL, timeout=5)
    try:
        return [dict(row) for row in await connection.fetch(sql, *args)]
    finally:
        await connection.close()


def fetch(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Rows of a query on the server's admin database."""
    try:
        return asyncio.run(_fetch(sql, *args))
    except (OSError, asyncpg.PostgresError) as error:
        raise BackingError(f"PostgreSQL at {POSTGRES_URL}: {error}") from error


def execute(sql: str, url: str = POSTGRES_URL) -> None:
    try:
        asyncio.run(_execute(sql, url))
    except (OSError, asyncpg.PostgresError) as error:
        raise BackingError(f"PostgreSQL at {url}: {error} (start it: pg_ctlcluster 15 main start)") from error


def _rabbitmqctl(*args: str) -> None:
    if not shutil.which("rabbitmqctl"):
        raise BackingError("rabbitmqctl not found: install and start RabbitMQ (rabbitmq-server -detached)")
    result = subprocess.run(["rabbitmqctl", *args], capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise BackingError(f"rabbitmqctl {' '.join(args)}: {result.stderr.strip()[:300]}")


@dataclass
class Backing:
    """Databases and vhosts named `<prefix>_…`; everything made is dropped by `drop()`."""

    prefix: str
    databases: list[str] = field(default_factory=list)
    vhosts: list[str] = field(default_factory=list)

    def database(self, suffix: str) -> str:
        """A new empty database; returns its plain postgresql:// URL."""
        name = f"{self.prefix}_{suffix}"
        execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        execute(f'CREATE DATABASE "{name}"')
        self.databases.append(name)
        parts = urlsplit(POSTGRES_URL)
        return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))

    def vhost(self, suffix: str) -> str:
        """A new vhost the broker user may use; returns its AMQP URL."""
        name = f"{self.prefix}_{suffix}"
        user = urlsplit(AMQP_URL).username or "guest"
        _rabbitmqctl("add_vhost", name)
        self.vhosts.append(name)
        _rabbitmqctl("set_permissions", "-p", name, user, ".*", ".*", ".*")
        parts = urlsplit(AMQP_URL)
        return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))

    def drop(self) -> None:
        for name in self.databases:
            for _ in range(DROP_ATTEMPTS):  # the server may be away a few seconds (a fault test)
                try:
                    execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    break
                except BackingError:
                    time.sleep(2.0)
        for name in self.vhosts:
            with contextlib.suppress(BackingError, subprocess.TimeoutExpired):
                _rabbitmqctl("delete_vhost", name)
        self.databases.clear()
        self.vhosts.clear()


def sqlalchemy_url(url: str) -> str:
    """postgresql://… as the services' SQLAlchemy asyncpg URL."""
    return "postgresql+asyncpg://" + url.split("://", 1)[1]
