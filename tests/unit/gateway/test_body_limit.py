from __future__ import annotations

import pytest
from starlette.requests import Request
from starlette.types import Message

from services.gateway.api.body import MAX_BODY_BYTES, BadContentLength, BodyTooLarge, read_limited_body


def request_with(chunks: list[bytes], headers: dict[str, str] | None = None) -> tuple[Request, list[int]]:
    """A Starlette request whose body arrives in `chunks`; the list counts the chunks handed out."""
    handed_out = [0]
    pending = list(chunks)

    async def receive() -> Message:
        handed_out[0] += 1
        body = pending.pop(0) if pending else b""
        return {"type": "http.request", "body": body, "more_body": bool(pending)}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/storefronts/x/orders",
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "query_string": b"",
    }
    return Request(scope, receive), handed_out


async def test_reads_a_body_within_the_limit() -> None:
    request, _ = request_with([b"a" * 1000, b"b" * 1000])
    assert await read_limited_body(request) == b"a" * 1000 + b"b" * 1000


async def test_a_body_of_exactly_the_limit_passes() -> None:
    request, _ = request_with([b"x" * MAX_BODY_BYTES], {"content-length": str(MAX_BODY_BYTES)})
    assert len(await read_limited_body(request)) == MAX_BODY_BYTES


async def test_declared_length_over_the_limit_is_refused_before_reading() -> None:
    request, handed_out = request_with([b"x" * 70 * 1024], {"content-length": str(70 * 1024)})
    with pytest.raises(BodyTooLarge):
        await read_limited_body(request)
    assert handed_out == [0]


async def test_chunked_body_is_refused_once_it_passes_the_limit() -> None:
    chunks = [b"x" * 8192] * 9 + [b"y" * 8192] * 100  # 9 chunks = 72 KiB, then much more
    request, handed_out = request_with(chunks)
    with pytest.raises(BodyTooLarge):
        await read_limited_body(request)
    assert handed_out == [9]


async def test_a_body_longer_than_its_declared_length_is_still_bounded() -> None:
    request, _ = request_with([b"x" * 40_000, b"x" * 40_000], {"content-length": "10"})
    with pytest.raises(BodyTooLarge):
        await read_limited_body(request)


@pytest.mark.parametrize("declared", ["abc", "-1", "1e3", ""])
async def test_malformed_content_length_is_refused(declared: str) -> None:
    request, _ = request_with([b"{}"], {"content-length": declared})
    with pytest.raises(BadContentLength):
        await read_limited_body(request)
