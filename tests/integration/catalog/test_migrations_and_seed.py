"""`python -m services.catalog migrate` and `seed`, as operators and scripts run them."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect

from scripts.system import ROOT
from services.catalog.db.tables import metadata
from services.catalog.seed import DEMO_EMAIL, DEMO_PASSWORD, seed_demo
from shared.db import make_engine
from tests.conftest import Backing

from .conftest import catalog_settings, running_catalog


def run_catalog(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CATALOG_DATABASE_URL": database_url, "LOG_JSON": "false"}
    return subprocess.run(
        [sys.executable, "-m", "services.catalog", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def differences(connection: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(connection), metadata))


async def test_migrate_creates_exactly_the_tables_the_code_uses(backing: Backing) -> None:
    result = await asyncio.to_thread(run_catalog, "migrate", database_url=backing.catalog_database_url)
    assert result.returncode == 0, result.stderr
    again = await asyncio.to_thread(run_catalog, "migrate", database_url=backing.catalog_database_url)
    assert again.returncode == 0, again.stderr  # applying it twice is harmless
    engine = make_engine(backing.catalog_database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(differences) == []
            tables = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        assert {"sellers", "products", "outbox", "alembic_version"} == tables
    finally:
        await engine.dispose()


async def test_an_unknown_command_is_refused() -> None:
    result = await asyncio.to_thread(run_catalog, "frobnicate", database_url="sqlite+aiosqlite:///:memory:")
    assert result.returncode == 2
    assert "usage" in result.stderr


async def test_seed_adds_the_demo_seller_once(backing: Backing) -> None:
    assert (
        await asyncio.to_thread(run_catalog, "migrate", database_url=backing.catalog_database_url)
    ).returncode == 0
    first = await asyncio.to_thread(run_catalog, "seed", database_url=backing.catalog_database_url)
    assert first.returncode == 0, first.stderr
    assert DEMO_EMAIL in first.stdout
    second = await asyncio.to_thread(run_catalog, "seed", database_url=backing.catalog_database_url)
    assert (second.returncode, second.stdout) == (0, "")
    assert await seed_demo(catalog_settings(backing.catalog_database_url, backing.amqp_url)) is False

    async with running_catalog(catalog_settings(backing.catalog_database_url, backing.amqp_url)) as catalog:
        login = await catalog.client.post(
            "/api/auth/login", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
        )
        assert login.status_code == 200
        storefront = (await catalog.client.get("/api/storefronts/demo-bakery")).json()
        seller = storefront["seller"]
        assert seller["business_name"] == "Santhai Demo Bakery"
        assert seller["phone"] == "+1 555 0100"
        assert seller["payment_methods"] == ["cod", "zelle"]
        assert seller["zelle_handle"] == "pay@demo-bakery.example"
        products = storefront["products"]
        assert 4 <= len(products) <= 5
        assert [p["available"] for p in products].count(False) == 1
        fields = [f for p in products for f in p["custom_fields"]]
        assert Counter(f["type"] for f in fields).keys() == {"text", "select", "number", "checkbox"}
        cake_message = next(f for f in fields if f["key"] == "message")
        assert (cake_message["type"], cake_message["required"], cake_message["max_length"]) == (
            "text",
            True,
            40,
        )
        spice = next(f for f in fields if f["key"] == "spice")
        assert (spice["options"], spice["required"]) == (["Mild", "Medium", "Hot"], True)
        assert any(f["type"] == "select" and f["key"] == "size" for f in fields)
        context = (await catalog.client.get("/internal/storefronts/demo-bakery/checkout-context")).json()
        info = (await catalog.client.get(f"/internal/sellers/{context['seller']['id']}")).json()
        assert (info["realtime_enabled"], info["accepting_orders"]) == (True, True)


async def test_seeding_a_catalog_that_has_sellers_does_nothing(backing: Backing) -> None:
    async with running_catalog(catalog_settings(backing.catalog_database_url, backing.amqp_url)) as catalog:
        await catalog.signup()
        assert await seed_demo(catalog.settings) is False
        assert (await catalog.client.get("/api/storefronts/demo-bakery")).status_code == 404
