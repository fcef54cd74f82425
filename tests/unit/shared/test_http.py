"""The internal HTTP client turns a connection that dies mid-setup into a TransportError."""

from __future__ import annotations

from unittest import mock

import httpcore
import httpx
import pytest

from shared.http import internal_client


async def test_a_connection_lost_while_connecting_is_a_connect_error() -> None:
    def broken_peer(*_: object, **__: object) -> None:
        raise AttributeError("'NoneType' object has no attribute 'getpeername'")

    async with internal_client("http://127.0.0.1:9", "token") as client:
        with (
            mock.patch.object(httpcore.AsyncConnectionPool, "handle_async_request", side_effect=broken_peer),
            pytest.raises(httpx.ConnectError, match="connection lost while connecting"),
        ):
            await client.get("/anything")
