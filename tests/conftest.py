"""Fixtures shared by every test layer. Each test run gets its own databases and vhost."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from scripts.system import MIGRATED, ROOT, System
from tests.infra import RUN_ID, Postgres, RabbitMQ, free_port, postgres_server, rabbitmq_server


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="session")
def rabbitmq() -> Iterator[RabbitMQ]:
    with rabbitmq_server() as server:
        yield server


@pytest.fixture(scope="session")
def run_vhost(rabbitmq: RabbitMQ) -> Iterator[str]:
    """This test run's own RabbitMQ vhost; returns its AMQP URL."""
    name = f"santhai-{RUN_ID}"
    url = rabbitmq.create_vhost(name)
    yield url
    rabbitmq.delete_vhost(name)


@pytest.fixture(scope="session")
def database_templates(postgres: Postgres) -> Iterator[dict[str, str]]:
    """Catalog and checkout databases migrated once per run with the services' own migrate
    command; every test's databases are copies of them (CREATE DATABASE … TEMPLATE)."""
    names = {service: f"santhai_{RUN_ID}_template_{service}" for service in MIGRATED}
    env = {**os.environ}
    for service, name in names.items():
        env[f"{service.upper()}_DATABASE_URL"] = postgres.create_database(name)
    migrations = [
        subprocess.Popen(
            [sys.executable, "-m", f"services.{service}", "migrate"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for service in MIGRATED
    ]
    for service, process in zip(MIGRATED, migrations, strict=True):
        output, _ = process.communicate(timeout=180)
        if process.returncode != 0:
            pytest.fail(f"migrating the {service} database failed:\n{output.decode(errors='replace')}")
    yield names
    for name in names.values():
        postgres.drop_database(name)


@dataclass
class Backing:
    """A fresh, migrated catalog database and checkout database, and the run's vhost."""

    catalog_database_url: str
    checkout_database_url: str
    amqp_url: str

    def env(self) -> dict[str, str]:
        return {
            "CATALOG_DATABASE_URL": self.catalog_database_url,
            "CHECKOUT_DATABASE_URL": self.checkout_database_url,
            "AMQP_URL": self.amqp_url,
        }


_counter = iter(range(1_000_000))


@pytest.fixture
def make_backing(postgres: Postgres, run_vhost: str, database_templates: dict[str, str]) -> Iterator[object]:
    """A factory of fresh migrated databases (dropped when the test ends) on the run's vhost."""
    made: list[str] = []

    def make() -> Backing:
        name = f"santhai_{RUN_ID}_{next(_counter)}"
        made.append(name)
        return Backing(
            catalog_database_url=postgres.create_database(f"{name}_catalog", database_templates["catalog"]),
            checkout_database_url=postgres.create_database(
                f"{name}_checkout", database_templates["checkout"]
            ),
            amqp_url=run_vhost,
        )

    yield make
    for name in made:
        postgres.drop_database(f"{name}_catalog")
        postgres.drop_database(f"{name}_checkout")


@pytest.fixture
def backing(make_backing: object) -> Backing:
    return make_backing()  # type: ignore[operator, no-any-return]


ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture
def make_system(make_backing: object, request: pytest.FixtureRequest) -> Iterator[object]:
    """A factory of whole systems: the four services as real processes on free ports, on a
    fresh PostgreSQL + RabbitMQ vhost. Stopped (and their databases dropped) after the test."""
    systems: list[System] = []

    def make(notifiers: int = 1, **env: str) -> System:
        backing: Backing = make_backing()  # type: ignore[operator]
        ports = {f"{name}_PORT": str(free_port()) for name in ("GATEWAY", "CATALOG", "CHECKOUT")}
        ports["NOTIFIER_PORT"] = str(free_port())
        notifier_urls = [f"ws://127.0.0.1:{ports['NOTIFIER_PORT']}"]
        extra_ports = [free_port() for _ in range(notifiers - 1)]
        notifier_urls += [f"ws://127.0.0.1:{port}" for port in extra_ports]
        system = System(
            env={
                **backing.env(),
                **ports,
                "NOTIFIER_URLS": ",".join(notifier_urls),
                "RATE_LIMITS": "off",
                "APP_ENV": "dev",
                "LOG_JSON": "true",
                **env,
            },
            log_dir=ARTIFACTS / "logs" / f"{RUN_ID}-{request.node.name[:60]}-{len(systems)}",
            notifiers=notifiers,
            notifier_ports=[int(ports["NOTIFIER_PORT"]), *extra_ports],
        )
        systems.append(system)
        system.start()  # the databases are copies of migrated templates
        return system

    yield make
    for system in systems:
        system.stop(grace=3)


@pytest.fixture
def system(make_system: object) -> System:
    return make_system()  # type: ignore[operator, no-any-return]
