"""Reading a request body with the contract's 64 KiB limit, chunked or not."""

from __future__ import annotations

from starlette.requests import Request

MAX_BODY_BYTES = 64 * 1024


class BodyTooLarge(Exception):
    pass


class BadContentLength(Exception):
    pass


async def read_limited_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The whole body, refusing it as soon as it is known to exceed `limit` bytes.

    A declared Content-Length over the limit is refused before reading anything; a chunked
    body (or one that lies about its length) is refused once the bytes read pass the limit.
    """
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise BadContentLength(declared)
        if int(declared) > limit:
            raise BodyTooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge
    return bytes(body)
