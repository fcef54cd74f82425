"""Reading a request body with the contract's 64 KiB limit, chunked or not, and refusing JSON
that only Python would accept."""

from __future__ import annotations

import json
import math
import re

from starlette.requests import Request

MAX_BODY_BYTES = 64 * 1024
# A JSON escape of a UTF-16 surrogate (\uD800 to \uDFFF); only an unpaired one is invalid.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


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


class _NotPortableJson(ValueError):
    pass


def _refuse_constant(name: str) -> float:
    raise _NotPortableJson(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotPortableJson(f"the number {text[:20]} is too large")
    return value


def json_problem(body: bytes) -> str | None:
    """Why a body that Python's JSON parser takes is still not JSON the services can answer
    (NaN, Infinity, a number that overflows to infinity, an unpaired surrogate `"\\ud800"`):
    such values pass validation only to break the encoder, the database or a browser, so they
    are refused here with 400. None for everything else; malformed JSON is the service's to refuse.
    """
    if not body.strip():
        return None
    try:
        value = json.loads(body, parse_constant=_refuse_constant, parse_float=_finite)
    except _NotPortableJson as exc:
        return str(exc)
    except (ValueError, RecursionError):
        return None
    if _SURROGATE_ESCAPE.search(body):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return "an unpaired surrogate (\\uD800-\\uDFFF) is not text"
    return None
