"""The service middleware reads the two headers it needs straight from the ASGI scope."""

from __future__ import annotations

from typing import Any

from shared.security import INTERNAL_TOKEN_HEADER
from shared.service import token_and_request_id


def scope_with(*headers: tuple[str, str]) -> dict[str, Any]:
    return {"headers": [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers]}


def test_the_internaltoken_and_request_id_whatever_their_case() -> None:
    scope = scope_with(
        ("Host", "x"), (INTERNAL_TOKEN_HEADER.upper(), "secret"), ("X-Request-Id", "abc"), ("Cookie", "c")
    )
    assert token_and_request_id(scope) == ("secret", "abc")


def test_missing_headers_are_none() -> None:
    assert token_and_request_id(scope_with(("host", "x"))) == (None, None)


def test_the_last_of_a_repeated_header_counts_as_a_dict_of_them_would_have_it() -> None:
    scope = scope_with(("x-request-id", "first"), ("x-request-id", "second"))
    assert token_and_request_id(scope) == (None, "second")
