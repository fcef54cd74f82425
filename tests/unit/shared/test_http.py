"""The internal HTTP client against a real local server: what it sends, and how it fails."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator

import pytest
from aiohttp import web

from shared.http import InternalClient, UpstreamBusy, UpstreamError, UpstreamTimeout
from shared.logs import request_id_var
from shared.security import INTERNAL_TOKEN_HEADER


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def upstream() -> AsyncIterator[str]:
    """A service that echoes what it received; `/slow` never answers in time."""

    async def echo(request: web.Request) -> web.Response:
        return web.json_response(
            {
                "method": request.method,
                "path": request.raw_path,
                "headers": dict(request.headers),
                "body": (await request.read()).decode(),
            },
            status=201 if request.method == "POST" else 200,
        )

    async def slow(_request: web.Request) -> web.Response:
        await asyncio.sleep(1)
        return web.Response()

    app = web.Application()
    app.router.add_route("*", "/slow", slow)
    app.router.add_route("*", "/{tail:.*}", echo)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


@pytest.fixture
def request_id() -> Iterator[str]:
    token = request_id_var.set("req-123")
    yield "req-123"
    request_id_var.reset(token)


async def test_sends_the_token_the_request_id_and_only_given_headers(upstream: str, request_id: str) -> None:
    async with InternalClient(upstream, "secret") as client:
        response = await client.request(
            "POST", "/api/x%2Fy?a=1", content=b'{"k": 1}', headers={"Idempotency-Key": "abc"}
        )
    assert response.status_code == 201
    echoed = response.json()
    assert echoed["path"] == "/api/x%2Fy?a=1"  # sent as encoded, not decoded or re-encoded
    assert echoed["body"] == '{"k": 1}'
    headers = {name.lower(): value for name, value in echoed["headers"].items()}
    assert headers[INTERNAL_TOKEN_HEADER.lower()] == "secret"
    assert headers["x-request-id"] == request_id
    assert headers["idempotency-key"] == "abc"
    assert "content-type" not in headers and "user-agent" not in headers


async def test_query_parameters_are_encoded(upstream: str) -> None:
    async with InternalClient(upstream, "secret") as client:
        response = await client.get("/e", params={"key": "a b&c=é", "limit": 5})
    assert response.json()["path"] == "/e?key=a+b%26c%3D%C3%A9&limit=5"


async def test_an_absolute_url_is_used_as_given(upstream: str) -> None:
    async with InternalClient("", "secret") as client:
        response = await client.get(f"{upstream}/readyz")
    assert response.status_code == 200
    assert response.json()["path"] == "/readyz"


async def test_nobody_listening_is_an_upstream_error() -> None:
    async with InternalClient(f"http://127.0.0.1:{free_port()}", "secret") as client:
        with pytest.raises(UpstreamError):
            await client.get("/anything")


async def test_no_answer_in_time_is_an_upstream_timeout(upstream: str) -> None:
    async with InternalClient(upstream, "secret", timeout=0.2) as client:
        with pytest.raises(UpstreamTimeout):
            await client.get("/slow")


async def test_a_peer_that_closes_without_answering_is_an_upstream_error() -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, InternalClient(f"http://127.0.0.1:{port}", "secret") as client:
        with pytest.raises(UpstreamError):
            await client.request("POST", "/api/orders", content=b"{}")
        with pytest.raises(UpstreamError):
            await client.get("/anything")  # asked twice, refused twice


async def test_a_client_with_a_bounded_queue_refuses_at_once_when_it_is_full(upstream: str) -> None:
    async with InternalClient(upstream, "secret", max_connections=2, max_waiting=1) as client:
        busy = [asyncio.create_task(client.get("/slow", within_s=0.5)) for _ in range(2)]
        await asyncio.sleep(0)  # both have taken their connection
        waiting = asyncio.create_task(client.get("/e", within_s=2.0))
        await asyncio.sleep(0)
        with pytest.raises(UpstreamBusy):
            await asyncio.wait_for(client.get("/e"), 0.2)
        assert all(
            isinstance(outcome, UpstreamTimeout)
            for outcome in await asyncio.gather(*busy, return_exceptions=True)
        )
        assert (await waiting).status_code == 200  # served once a connection was free
        assert (await client.get("/e")).status_code == 200  # the connections were given back


async def test_a_client_that_queues_waits_for_a_connection(upstream: str) -> None:
    async with InternalClient(upstream, "secret", max_connections=1) as client:
        answers = await asyncio.gather(*(client.get("/e") for _ in range(5)))
    assert [answer.status_code for answer in answers] == [200] * 5
