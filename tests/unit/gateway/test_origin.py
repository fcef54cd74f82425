from __future__ import annotations

import pytest

from services.gateway.domain.origin import is_same_origin, needs_origin_check, origin_of

OWN = "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://127.0.0.1:8000/seller/live?x=1", "http://127.0.0.1:8000"),
        ("HTTPS://Shop.Example.com:443/", "https://shop.example.com"),
        ("http://shop.example.com:80", "http://shop.example.com"),
        ("https://shop.example.com:8443", "https://shop.example.com:8443"),
        ("http://[::1]:8000/", "http://[::1]:8000"),
        ("ftp://example.com", None),
        ("null", None),
        ("/relative/path", None),
        ("http://host:notaport", None),
        ("", None),
    ],
)
def test_origin_of(url: str, origin: str | None) -> None:
    assert origin_of(url) == origin


def test_own_origin_passes() -> None:
    assert is_same_origin(origin="http://127.0.0.1:8000", referer=None, own_origin=OWN)


@pytest.mark.parametrize(
    "origin",
    ["http://evil.example", "null", "NULL", "http://127.0.0.1:8001", "https://127.0.0.1:8000", "", "garbage"],
)
def test_foreign_or_opaque_origin_is_refused(origin: str) -> None:
    assert not is_same_origin(origin=origin, referer=f"{OWN}/seller", own_origin=OWN)


def test_referer_is_used_only_when_origin_is_missing() -> None:
    assert is_same_origin(origin=None, referer=f"{OWN}/seller/products", own_origin=OWN)
    assert not is_same_origin(origin=None, referer="http://evil.example/page", own_origin=OWN)


def test_neither_header_is_refused() -> None:
    assert not is_same_origin(origin=None, referer=None, own_origin=OWN)


@pytest.mark.parametrize(
    ("method", "via_cookie", "checked"),
    [
        ("POST", True, True),
        ("patch", True, True),
        ("DELETE", True, True),
        ("PUT", True, True),
        ("GET", True, False),
        ("HEAD", True, False),
        ("POST", False, False),
    ],
)
def test_only_unsafe_cookie_requests_are_checked(method: str, via_cookie: bool, checked: bool) -> None:
    assert needs_origin_check(method, via_cookie=via_cookie) is checked
