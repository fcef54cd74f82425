"""Seller authentication at the gateway: the session cookie, bearer tokens, the Origin rules."""

from __future__ import annotations

from http.cookies import SimpleCookie

import httpx
import pytest

from services.gateway.domain.credentials import SESSION_COOKIE
from shared.security import ACCESS_TOKEN_TTL, SELLER_ID_HEADER
from tests.integration.gateway.conftest import PASSWORD, System, bearer


@pytest.fixture(scope="module")
def system(shared_system: System) -> System:
    """These tests share one system: they stop nothing and rate limits are off."""
    return shared_system


def session_cookie(response: httpx.Response) -> SimpleCookie:
    cookie: SimpleCookie = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        cookie.load(header)
    assert SESSION_COOKIE in cookie, response.headers
    return cookie


def cookie_auth(token: str, origin: str | None = None) -> dict[str, str]:
    headers = {"Cookie": f"{SESSION_COOKIE}={token}"}
    if origin is not None:
        headers["Origin"] = origin
    return headers


async def test_signup_sets_the_session_cookie(system: System) -> None:
    response = await system.signup()
    morsel = session_cookie(response)[SESSION_COOKIE]
    assert morsel.value == response.json()["access_token"]
    assert morsel["httponly"] is True
    assert morsel["samesite"].lower() == "lax"
    assert morsel["path"] == "/"
    assert morsel["max-age"] == str(int(ACCESS_TOKEN_TTL.total_seconds()))
    assert not morsel["secure"]  # PUBLIC_BASE_URL is http:// here


async def test_login_sets_the_cookie_and_wrong_password_does_not(system: System) -> None:
    email = system.new_email()
    await system.signup(email=email)
    wrong = await system.client.post("/api/auth/login", json={"email": email, "password": "not-it-at-all"})
    assert wrong.status_code == 401
    assert "set-cookie" not in wrong.headers
    right = await system.client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert right.status_code == 200
    assert right.json()["token_type"] == "bearer"
    assert session_cookie(right)[SESSION_COOKIE].value == right.json()["access_token"]


async def test_bearer_and_cookie_name_the_same_seller(system: System) -> None:
    seller, token = await system.seller()
    by_bearer = await system.client.get("/api/seller", headers=bearer(token))
    by_cookie = await system.client.get("/api/seller", headers=cookie_auth(token))
    assert by_bearer.status_code == by_cookie.status_code == 200
    assert by_bearer.json()["id"] == by_cookie.json()["id"] == seller["id"]


async def test_missing_or_bad_credentials_are_401(system: System) -> None:
    for headers in ({}, bearer("not-a-token"), cookie_auth("not-a-token"), {"Authorization": "Basic eDp5"}):
        response = await system.client.get("/api/seller", headers=headers)
        assert response.status_code == 401, headers
        assert "detail" in response.json()
    orders = await system.client.get("/api/seller/orders")
    assert orders.status_code == 401


async def test_a_client_cannot_choose_its_seller_id_or_internal_token(system: System) -> None:
    seller, token = await system.seller()
    other, _ = await system.seller()
    spoofed = await system.client.get("/api/seller", headers={SELLER_ID_HEADER: other["id"]})
    assert spoofed.status_code == 401
    mine = await system.client.get("/api/seller", headers={**bearer(token), SELLER_ID_HEADER: other["id"]})
    assert mine.json()["id"] == seller["id"]


async def test_cookie_writes_need_the_gateways_own_origin(system: System) -> None:
    _, token = await system.seller()
    change = {"business_name": "Renamed"}
    same_origin = await system.client.patch(
        "/api/seller", json=change, headers=cookie_auth(token, system.origin)
    )
    assert same_origin.status_code == 200
    for origin in ("http://evil.example", "null", "http://127.0.0.1:1"):
        refused = await system.client.patch("/api/seller", json=change, headers=cookie_auth(token, origin))
        assert refused.status_code == 403, origin
        assert "detail" in refused.json()
    neither = await system.client.patch("/api/seller", json=change, headers=cookie_auth(token))
    assert neither.status_code == 403
    by_referer = await system.client.patch(
        "/api/seller", json=change, headers={**cookie_auth(token), "Referer": f"{system.origin}/seller"}
    )
    assert by_referer.status_code == 200
    foreign_referer = await system.client.patch(
        "/api/seller", json=change, headers={**cookie_auth(token), "Referer": "http://evil.example/x"}
    )
    assert foreign_referer.status_code == 403


async def test_cookie_reads_and_bearer_writes_are_not_origin_checked(system: System) -> None:
    _, token = await system.seller()
    read = await system.client.get("/api/seller", headers=cookie_auth(token, "http://evil.example"))
    assert read.status_code == 200
    write = await system.client.patch(
        "/api/seller",
        json={"phone": "+1 555 0199"},
        headers={**bearer(token), "Origin": "http://evil.example"},
    )
    assert write.status_code == 200
    assert write.json()["phone"] == "+1 555 0199"


async def test_logout_clears_the_cookie(system: System) -> None:
    async with httpx.AsyncClient(base_url=system.gateway_url, headers={"Origin": system.origin}) as browser:
        await browser.post(
            "/api/auth/signup",
            json={"email": system.new_email(), "password": PASSWORD, "business_name": "Cookie Jar"},
        )
        assert (await browser.get("/api/seller")).status_code == 200
        logout = await browser.post("/api/auth/logout")
        assert logout.status_code == 204
        morsel = session_cookie(logout)[SESSION_COOKIE]
        assert morsel["max-age"] == "0"
        assert (await browser.get("/api/seller")).status_code == 401
