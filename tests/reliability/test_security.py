"""Security checks against the running system, through the gateway as an outsider would, plus a
look at what the services store and where they listen."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import jwt
import pytest
import websockets

from scripts.system import ROOT, SERVICES, System
from shared.settings import DEV_SECRET_KEY
from tests.e2e.client import Socket, new_seller, seller_socket
from tests.infra import free_port

pytestmark = pytest.mark.timeout(300)

PASSWORD = "correct horse battery"
FOREIGN = "http://evil.example"


@pytest.fixture(scope="module")
async def api(module_system: System) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=module_system.gateway_url, timeout=30) as client:
        yield client


def database_url(system: System, service: str) -> str:
    return system.env[f"{service.upper()}_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")


# --- passwords and tokens ----------------------------------------------------------------


async def test_passwords_are_stored_only_as_argon2id_hashes(
    module_system: System, api: httpx.AsyncClient
) -> None:
    seller = await new_seller(api, realtime=False)
    connection = await asyncpg.connect(database_url(module_system, "catalog"))
    try:
        stored = await connection.fetchval(
            "SELECT password_hash FROM sellers WHERE email = $1", seller.seller["email"]
        )
    finally:
        await connection.close()
    assert stored.startswith("$argon2id$"), stored[:20]
    assert PASSWORD not in stored


def forged(
    sub: str, *, secret: str = DEV_SECRET_KEY, expires_in: timedelta = timedelta(hours=1), **extra: Any
) -> str:
    now = datetime.now(UTC)
    claims = {"sub": sub, "iat": now, "exp": now + expires_in, "typ": "access", **extra}
    return jwt.encode(claims, secret, algorithm="HS256")


async def test_access_tokens_expire_and_forged_ones_are_refused(
    module_system: System, api: httpx.AsyncClient
) -> None:
    seller = await new_seller(api)
    claims = jwt.decode(seller.token, options={"verify_signature": False})
    assert timedelta(seconds=claims["exp"] - claims["iat"]) <= timedelta(days=7)
    sub = seller.seller["id"]
    unsigned = jwt.encode(
        {"sub": sub, "exp": int(time.time()) + 3600, "typ": "access"}, None, algorithm="none"
    )
    refused = {
        "expired": forged(sub, expires_in=timedelta(seconds=-1)),
        "another secret": forged(sub, secret="x" * 40),
        "alg none": unsigned,
        "not an access token": forged(sub, typ="refresh"),
        "no expiry": jwt.encode({"sub": sub, "typ": "access"}, DEV_SECRET_KEY, algorithm="HS256"),
        "garbage": "not.a.jwt",
    }
    for what, token in refused.items():
        response = await api.get("/api/seller", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, (what, response.text)
        socket = await Socket.open(module_system.gateway_url, "/ws/seller")
        await socket.send({"type": "subscribe", "token": token})
        assert await socket.closed_with(timeout=5) == 4401, what
    assert (await api.get("/api/seller", headers=seller.auth)).status_code == 200


@pytest.mark.parametrize("service", SERVICES)
def test_production_mode_refuses_the_default_secret(service: str, tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    for secret in (None, "short-secret"):
        env = {
            **base,
            "APP_ENV": "prod",
            "PYTHONPATH": str(ROOT),
            f"{service.upper()}_PORT": str(free_port()),
        }
        if secret:
            env["SECRET_KEY"] = secret
        started = subprocess.run(
            [sys.executable, "-m", f"services.{service}"],
            cwd=tmp_path,  # no .env file here to supply a secret
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert started.returncode != 0, started.stdout[-500:]
        assert "SECRET_KEY" in started.stdout + started.stderr


# --- rate limits -------------------------------------------------------------------------


def assert_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["Retry-After"]) > 0


async def test_rate_limits_answer_429_with_retry_after(make_system: Any) -> None:
    system: System = make_system(RATE_LIMITS="on")
    async with httpx.AsyncClient(base_url=system.gateway_url, timeout=30) as api:
        seller = await new_seller(api)  # signup 1 of 20
        email = seller.seller["email"]
        for _ in range(10):  # login attempts 1..10 of 30, failures 1..10 of 10 for this account
            wrong = await api.post("/api/auth/login", json={"email": email, "password": "wrong password"})
            assert wrong.status_code == 401
        # The account is locked, even for the right password, and even "from elsewhere".
        assert_limited(await api.post("/api/auth/login", json={"email": email, "password": PASSWORD}))
        spoofed = {"X-Forwarded-For": "203.0.113.9"}
        assert_limited(
            await api.post("/api/auth/login", json={"email": email, "password": PASSWORD}, headers=spoofed)
        )
        for n in range(30 - 12):  # the rest of this IP's 30 attempts a minute, on other accounts
            other = await api.post(
                "/api/auth/login", json={"email": f"x{n}@example.com", "password": "wrong pw"}
            )
            assert other.status_code == 401, other.text
        assert_limited(
            await api.post("/api/auth/login", json={"email": "y@example.com", "password": "wrong pw"})
        )

        for n in range(19):
            body = {
                "email": f"s{n}-{uuid.uuid4().hex[:6]}@example.com",
                "password": PASSWORD,
                "business_name": "S",
            }
            assert (await api.post("/api/auth/signup", json=body)).status_code == 201
        assert_limited(
            await api.post(
                "/api/auth/signup",
                json={"email": "z@example.com", "password": PASSWORD, "business_name": "Z"},
            )
        )

        placed = await asyncio.gather(*(seller.place_order() for _ in range(60)))
        assert [r.status_code for r in placed] == [201] * 60
        assert_limited(await seller.place_order())
        assert (await api.get(f"/api/storefronts/{seller.slug}")).status_code == 200, "reads are not limited"


# --- cookies and cross-site requests -----------------------------------------------------


async def test_the_session_cookie_is_httponly_samesite_and_cross_site_writes_are_refused(
    module_system: System, api: httpx.AsyncClient
) -> None:
    seller = await new_seller(api)
    login = await api.post("/api/auth/login", json={"email": seller.seller["email"], "password": PASSWORD})
    assert login.status_code == 200
    cookie = login.headers["set-cookie"]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "samesite", "path"} <= attributes, cookie
    assert re.search(r"samesite=(lax|strict)", cookie, re.IGNORECASE), cookie
    session = {"Cookie": f"santhai_session={login.cookies['santhai_session']}"}
    own = module_system.gateway_url
    api.cookies.clear()

    assert (await api.get("/api/seller", headers=session)).status_code == 200
    product_id = seller.products[0]["id"]
    writes = [
        ("PATCH", "/api/seller", {"business_name": "Pwned"}),
        ("POST", "/api/seller/products", {"name": "Pwned", "price_cents": 1}),
        ("PATCH", f"/api/seller/products/{product_id}", {"name": "Pwned"}),
        ("DELETE", f"/api/seller/products/{product_id}", None),
    ]
    for method, path, body in writes:
        for origin in ({"Origin": FOREIGN}, {"Origin": "null"}, {}, {"Referer": f"{FOREIGN}/page"}):
            response = await api.request(method, path, json=body, headers={**session, **origin})
            assert response.status_code == 403, (method, path, origin, response.text)
    changed = await api.patch(
        "/api/seller", json={"business_name": "Mine"}, headers={**session, "Origin": own}
    )
    assert changed.status_code == 200
    by_referer = await api.patch(
        "/api/seller", json={"phone": "+1 555"}, headers={**session, "Referer": own + "/seller"}
    )
    assert by_referer.status_code == 200
    bearer = await api.patch(
        "/api/seller", json={"business_name": "API"}, headers={**seller.auth, "Origin": FOREIGN}
    )
    assert bearer.status_code == 200, "a bearer token is not a browser's ambient credential"

    foreign = await Socket.open(own, "/ws/seller", **session, Origin=FOREIGN)
    with contextlib.suppress(websockets.ConnectionClosed):  # closed at once, before any frame
        await foreign.send({"type": "subscribe"})
    assert await foreign.closed_with(timeout=5) == 4403
    same = await Socket.open(own, "/ws/seller", **session, Origin=own)
    await same.send({"type": "subscribe"})
    assert (await same.recv())["type"] == "subscribed"
    await same.close()


# --- pages -------------------------------------------------------------------------------


class Scripts(HTMLParser):
    """Every <script> of a page: its attributes and whether it has a body (inline code)."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.inline_handlers: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.inline_handlers += [name for name, _ in attrs if name.startswith("on")]
        if tag == "script":
            self.scripts.append({**dict(attrs), "body": ""})
            self._in_script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1]["body"] = (self.scripts[-1]["body"] or "") + data.strip()


async def test_pages_carry_the_security_headers_and_no_inline_script(
    module_system: System, api: httpx.AsyncClient
) -> None:
    seller = await new_seller(api)
    placed = (await seller.place_order()).json()
    api.cookies.clear()
    login = await api.post("/api/auth/login", json={"email": seller.seller["email"], "password": PASSWORD})
    assert login.status_code == 200
    pages = [
        "/",
        f"/s/{seller.slug}",
        f"/o/{placed['order']['id']}?key={placed['customer_key']}",
        "/login",
        "/signup",
        "/seller",
        "/seller/products",
        "/seller/orders",
        "/seller/live",
        "/s/no-such-shop",
    ]
    for path in pages:
        response = await api.get(path)
        assert response.status_code in (200, 303, 404), (path, response.status_code)
        headers = response.headers
        csp = {
            d.split()[0]: d.split()[1:] for d in headers["content-security-policy"].split(";") if d.strip()
        }
        script_src = csp.get("script-src", csp.get("default-src", []))
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, (path, csp)
        assert csp.get("frame-ancestors") == ["'none'"] or headers.get("x-frame-options") == "DENY", path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] in ("no-referrer", "same-origin", "strict-origin"), path
        page = Scripts()
        page.feed(response.text)
        inline = [s for s in page.scripts if s["body"] and s.get("type") != "application/json"]
        assert not inline, (path, inline)
        assert all(s.get("src") or s.get("type") == "application/json" for s in page.scripts), (
            path,
            page.scripts,
        )
        assert not page.inline_handlers, (path, page.inline_handlers)
    # Swagger UI (/docs) runs an inline script of its own, but it must never be framed: its
    # "Try it out" would send the seller's cookie from our own origin.
    docs = await api.get("/docs")
    assert docs.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]
    assert docs.headers["x-content-type-options"] == "nosniff"
    api.cookies.clear()


# --- tenant isolation --------------------------------------------------------------------


async def test_a_seller_sees_and_touches_nothing_of_another_seller(
    module_system: System, api: httpx.AsyncClient
) -> None:
    gateway = module_system.gateway_url
    victim, intruder = await new_seller(api), await new_seller(api)
    placed = [(await victim.place_order()).json() for _ in range(3)]
    order_id, key = placed[0]["order"]["id"], placed[0]["customer_key"]
    own_order = (await intruder.place_order()).json()
    product_id = victim.products[0]["id"]
    victim_ids = {victim.seller["id"], product_id, order_id, *(p["order"]["id"] for p in placed)}
    as_intruder = {**intruder.auth, "X-Seller-Id": victim.seller["id"], "X-Internal-Token": "guess"}
    cursor = (await api.get("/api/seller/orders", params={"limit": 1}, headers=victim.auth)).json()[
        "next_cursor"
    ]

    calls = [
        ("GET", "/api/seller", None, {200}),
        ("GET", "/api/seller/products", None, {200}),
        ("GET", f"/api/seller/products/{product_id}", None, {404}),
        ("PATCH", f"/api/seller/products/{product_id}", {"name": "Mine now"}, {404}),
        ("DELETE", f"/api/seller/products/{product_id}", None, {404}),
        ("GET", "/api/seller/orders", None, {200}),
        ("GET", f"/api/seller/orders?cursor={cursor}", None, {200, 422}),
        ("GET", "/api/seller/orders?status=pending&limit=200", None, {200}),
        ("GET", f"/api/seller/orders/{order_id}", None, {404}),
        ("POST", f"/api/seller/orders/{order_id}/status", {"status": "rejected", "reason": "x"}, {404}),
        ("POST", f"/api/seller/orders/{order_id}/payment", {"status": "received"}, {404}),
        ("GET", f"/api/orders/{order_id}?key={own_order['customer_key']}", None, {404}),
        ("GET", f"/api/orders/{order_id}", None, {404}),
    ]
    api.cookies.clear()  # signup set a session cookie; only the intruder's token may speak here
    for method, path, body, statuses in calls:
        response = await api.request(method, path, json=body, headers=as_intruder)
        assert response.status_code in statuses, (method, path, response.status_code, response.text)
        leaked = [value for value in victim_ids if value in response.text]
        assert not leaked, (method, path, leaked)
        anonymous = await api.request(method, path, json=body)
        if path.startswith("/api/seller"):
            assert anonymous.status_code == 401, (method, path, anonymous.status_code)

    untouched = await api.get(f"/api/seller/orders/{order_id}", headers=victim.auth)
    assert untouched.json()["version"] == 1 and untouched.json()["status"] == "pending"
    assert (await api.get(f"/api/seller/products/{product_id}", headers=victim.auth)).json()[
        "name"
    ] == "Masala Dosa"

    # Sockets: the intruder's dashboard carries only its own events, replay included.
    dashboard, subscribed = await seller_socket(gateway, intruder, last_seq=0)
    assert subscribed["seller_id"] == intruder.seller["id"]
    replay = await dashboard.recv_events(1)
    assert replay[0]["order"]["id"] == own_order["order"]["id"]
    await victim.place_order()
    await victim.set_status(order_id, "accepted")
    assert await dashboard.nothing_more(within=1.0)
    await dashboard.close()
    for frame_key in (own_order["customer_key"], intruder.token, key[:-1] + ("A" if key[-1] != "A" else "B")):
        tracker = await Socket.open(gateway, f"/ws/orders/{order_id}")
        await tracker.send({"type": "subscribe", "key": frame_key})
        assert await tracker.closed_with(timeout=5) == 4404


async def test_customer_keys_are_long_random_and_unguessable(api: httpx.AsyncClient) -> None:
    seller = await new_seller(api, realtime=False)
    keys = [(await seller.place_order()).json()["customer_key"] for _ in range(20)]
    assert len(set(keys)) == len(keys)
    for key in keys:
        assert re.fullmatch(r"[A-Za-z0-9_-]+", key), key
        assert len(key) * 6 >= 128, f"{key!r} carries fewer than 128 bits"


# --- where the services listen -----------------------------------------------------------


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket listening on `port` (IPv4 and IPv6), from /proc/net."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.add(address)
    return found


async def test_every_service_listens_on_loopback_only(module_system: System) -> None:
    loopback = "0100007F"  # 127.0.0.1, as /proc/net/tcp writes it
    for name, process in module_system.processes.items():
        assert listening_addresses(process.port) == {loopback}, name
    async with httpx.AsyncClient(timeout=5) as client:
        for name in ("catalog", "checkout", "notifier"):
            response = await client.get(module_system[name].url + "/api/seller", headers={"X-Seller-Id": "x"})
            assert response.status_code == 403, (name, response.text)
