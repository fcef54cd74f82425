from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from scripts.system import System


@pytest.fixture
async def api(system: System) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=system.gateway_url, timeout=30) as client:
        yield client
