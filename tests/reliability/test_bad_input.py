"""Hostile and odd input through the gateway: body limits, malformed JSON, and unicode, control
characters and long strings in every text field. Never a 5xx; text is stored and returned
exactly (after trimming) or refused with 422."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from scripts.system import System
from tests.e2e.client import Seller, new_seller, order_body, seller_socket

pytestmark = pytest.mark.timeout(600)

ACCEPTED = {
    "unicode": "  Ünïcødé 🍛 தோசை 漢字 עברית e\u0301 \u200d ",
    "markup": "<img src=x onerror=alert(1)> & \"q\" 'r' \\ %s {0}",
}
REFUSED = {
    "NUL": "a\x00b",
    "ESC": "a\x1b[31mb",
    "DEL": "a\x7fb",
    "C1 control": "a\x85b",
}
# Valid JSON (`"a\ud800b"`) but not Unicode text: malformed JSON to the gateway (400).
LONE_SURROGATE = "a\ud800b"
JSON_ENDPOINTS = [
    ("POST", "/api/auth/signup", False),
    ("POST", "/api/auth/login", False),
    ("PATCH", "/api/seller", True),
    ("POST", "/api/seller/products", True),
    ("PATCH", "/api/seller/products/{product}", True),
    ("POST", "/api/storefronts/{slug}/orders", False),
    ("POST", "/api/seller/orders/{order}/status", True),
    ("POST", "/api/seller/orders/{order}/payment", True),
]


def encode(body: Any) -> bytes:
    """JSON with \\u escapes, so even a lone surrogate can be sent (as JSON allows)."""
    return json.dumps(body, ensure_ascii=True).encode()


@dataclass
class Shop:
    api: httpx.AsyncClient
    seller: Seller

    async def send(self, method: str, path: str, body: Any, *, auth: bool = True) -> httpx.Response:
        headers = {"Content-Type": "application/json", **(self.seller.auth if auth else {})}
        return await self.api.request(method, path, content=encode(body), headers=headers)

    async def order(self) -> dict[str, Any]:
        response = await self.seller.place_order()
        assert response.status_code == 201, response.text
        return dict(response.json()["order"])


@pytest.fixture(scope="module")
async def shop(module_system: System) -> AsyncIterator[Shop]:
    async with httpx.AsyncClient(base_url=module_system.gateway_url, timeout=30) as api:
        yield Shop(api, await new_seller(api))


# --- every text field --------------------------------------------------------------------

# A field: its longest length and a coroutine that sends a value and returns (response, the
# value as the server returned it, or None when refused).
Sent = tuple[httpx.Response, Any]
Sender = Callable[[Shop, str], Awaitable[Sent]]


def _returned(response: httpx.Response, pick: Callable[[Any], Any]) -> Sent:
    return response, pick(response.json()) if response.is_success else None


async def _signup_business_name(shop: Shop, value: str) -> Sent:
    body = {
        "email": f"{id(value)}-{len(value)}@example.com",
        "password": "long enough",
        "business_name": value,
    }
    return _returned(
        await shop.send("POST", "/api/auth/signup", body, auth=False), lambda b: b["seller"]["business_name"]
    )


def _seller_patch(field: str) -> Sender:
    async def send(shop: Shop, value: str) -> Sent:
        return _returned(await shop.send("PATCH", "/api/seller", {field: value}), lambda b: b[field])

    return send


def _product(field: str) -> Sender:
    async def send(shop: Shop, value: str) -> Sent:
        body = {"name": "Idli", "price_cents": 300, field: value}
        return _returned(await shop.send("POST", "/api/seller/products", body), lambda b: b[field])

    return send


async def _field_label(shop: Shop, value: str) -> Sent:
    body = {
        "name": "Idli",
        "price_cents": 300,
        "custom_fields": [{"key": "k", "label": value, "type": "checkbox"}],
    }
    response = await shop.send("POST", "/api/seller/products", body)
    return _returned(response, lambda b: b["custom_fields"][0]["label"])


async def _field_option(shop: Shop, value: str) -> Sent:
    field = {"key": "k", "label": "Pick", "type": "select", "options": [value, "other"]}
    response = await shop.send(
        "POST", "/api/seller/products", {"name": "Idli", "price_cents": 300, "custom_fields": [field]}
    )
    return _returned(response, lambda b: b["custom_fields"][0]["options"][0])


def _checkout(*path: str) -> Sender:
    async def send(shop: Shop, value: str) -> Sent:
        body = order_body(shop.seller.products)
        target = body
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
        response = await shop.send("POST", f"/api/storefronts/{shop.seller.slug}/orders", body, auth=False)

        def pick(answer: Any) -> Any:
            found = answer["order"]
            for step in path[:-1]:
                found = found[step]
            return found[path[-1]]

        return _returned(response, pick)

    return send


async def _custom_text_value(shop: Shop, value: str) -> Sent:
    body = order_body(shop.seller.products)
    body["items"][1]["custom_fields"]["message"] = value
    response = await shop.send("POST", f"/api/storefronts/{shop.seller.slug}/orders", body, auth=False)
    return _returned(response, lambda b: b["order"]["items"][1]["custom_fields"][0]["value"])


async def _reason(shop: Shop, value: str) -> Sent:
    order = await shop.order()
    body = {"status": "rejected", "reason": value}
    response = await shop.send("POST", f"/api/seller/orders/{order['id']}/status", body)
    return _returned(response, lambda b: b["history"][-1]["reason"])


TEXT_FIELDS: dict[str, tuple[int, Sender]] = {
    "signup business_name": (100, _signup_business_name),
    "seller business_name": (100, _seller_patch("business_name")),
    "seller phone": (30, _seller_patch("phone")),
    "seller zelle_handle": (100, _seller_patch("zelle_handle")),
    "product name": (120, _product("name")),
    "product description": (2000, _product("description")),
    "custom field label": (100, _field_label),
    "select option": (100, _field_option),
    "customer name": (100, _checkout("customer", "name")),
    "address line1": (200, _checkout("delivery_address", "line1")),
    "address line2": (200, _checkout("delivery_address", "line2")),
    "city": (200, _checkout("delivery_address", "city")),
    "postal code": (20, _checkout("delivery_address", "postal_code")),
    "instructions": (500, _checkout("delivery_address", "instructions")),
    "custom text value": (40, _custom_text_value),
    "status reason": (500, _reason),
}


def cases(max_length: int) -> list[tuple[str, str, int | None]]:
    """(what, value, the refusal expected or None when it must be kept) for a field of
    `max_length` characters."""
    fit = [
        (name, value[:max_length] if len(value.strip()) > max_length else value, None)
        for name, value in ACCEPTED.items()
    ]
    return [
        *fit,
        *((name, value, 422) for name, value in REFUSED.items()),
        ("lone surrogate", LONE_SURROGATE, 400),
        ("exactly the longest, in emoji", "🍛" * max_length, None),
        ("one over the longest", "x" * (max_length + 1), 422),
        ("10,000 characters", "é" * 10_000, 422),
    ]


async def test_every_text_field_keeps_unicode_and_refuses_control_characters(shop: Shop) -> None:
    wrong: list[str] = []
    for field, (max_length, send) in TEXT_FIELDS.items():
        for what, value, refusal in cases(max_length):
            response, returned = await send(shop, value)
            if response.status_code >= 500:
                wrong.append(f"{field} / {what}: {response.status_code} {response.text[:120]}")
            elif refusal is None and returned != value.strip():
                wrong.append(f"{field} / {what}: {response.status_code}, returned {returned!r}")
            elif refusal is not None and response.status_code != refusal:
                wrong.append(f"{field} / {what}: {response.status_code}, expected {refusal}")
    assert not wrong, "\n".join(wrong)


async def test_the_customer_phone_keeps_unicode_and_refuses_control_characters(shop: Shop) -> None:
    send = _checkout("customer", "phone")
    response, returned = await send(shop, " +1 (555) 0100 ☎ ")
    assert response.status_code == 201 and returned == "+1 (555) 0100 ☎", response.text
    for name, bad in REFUSED.items():
        response, _ = await send(shop, "+1 555 0100" + bad)
        assert response.status_code == 422, (name, response.text)
    response, _ = await send(shop, "+1 555 0100" + LONE_SURROGATE)
    assert response.status_code == 400, response.text


async def test_credentials_with_odd_text_are_refused_cleanly(shop: Shop) -> None:
    samples = [*ACCEPTED.values(), *REFUSED.values(), LONE_SURROGATE, "x" * 10_000]
    for value in samples:
        for body in (
            {"email": value, "password": "long enough"},
            {"email": "someone@example.com", "password": value},
        ):
            login = await shop.send("POST", "/api/auth/login", body, auth=False)
            assert login.status_code in (400, 401, 422), (value, login.status_code, login.text)
            signup = await shop.send("POST", "/api/auth/signup", {**body, "business_name": "Odd"}, auth=False)
            assert signup.status_code in (201, 400, 409, 422), (value, signup.status_code, signup.text)


async def test_a_huge_number_in_a_custom_field_is_refused_or_delivered(
    shop: Shop, module_system: System
) -> None:
    """JSON allows any integer; one beyond 64 bits must not break checkout or the sockets."""
    field = {"key": "count", "label": "How many", "type": "number"}
    body = {"name": "Vadai", "price_cents": 100, "custom_fields": [field]}
    product = await shop.send("POST", "/api/seller/products", body)
    assert product.status_code == 201, product.text
    dashboard, _ = await seller_socket(module_system.gateway_url, shop.seller)
    order = order_body(shop.seller.products)
    for count in (10**30, -(10**30), 2**63, 1e308):
        order["items"] = [
            {"product_id": product.json()["id"], "quantity": 1, "custom_fields": {"count": count}}
        ]
        response = await shop.send("POST", f"/api/storefronts/{shop.seller.slug}/orders", order, auth=False)
        assert response.status_code in (201, 422), response.text
        if response.status_code == 201:
            event = await dashboard.recv(timeout=5)
            assert event["order"]["id"] == response.json()["order"]["id"], event
    await dashboard.close()


# --- bodies: size and shape --------------------------------------------------------------


async def _paths(shop: Shop) -> dict[str, str]:
    order = await shop.order()
    return {"product": shop.seller.products[0]["id"], "slug": shop.seller.slug, "order": order["id"]}


@pytest.mark.parametrize(("method", "template", "auth"), JSON_ENDPOINTS)
async def test_bodies_over_64_kib_are_413(shop: Shop, method: str, template: str, auth: bool) -> None:
    path = template.format(**await _paths(shop))
    headers = {"Content-Type": "application/json", **(shop.seller.auth if auth else {})}
    big = encode({"name": "x" * (64 * 1024)})
    sized = await shop.api.request(method, path, content=big, headers=headers)
    assert sized.status_code == 413, sized.text

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(big), 8192):
            yield big[start : start + 8192]

    chunked = await shop.api.request(method, path, content=chunks(), headers=headers)
    assert chunked.status_code == 413, chunked.text
    at_limit = await shop.api.request(method, path, content=b" " * (64 * 1024 - 2) + b"{}", headers=headers)
    assert at_limit.status_code != 413 and at_limit.status_code < 500, at_limit.text


MALFORMED = [
    b"{",
    b"not json",
    b"\xff\xfe\x00garbage",
    b'{"a": 1,}',
    b"[1, 2",
    b"{" * 5000 + b"}" * 5000,
    b"",
    b"nul\x00l",
]


@pytest.mark.parametrize(("method", "template", "auth"), JSON_ENDPOINTS)
async def test_malformed_json_is_400_or_422(shop: Shop, method: str, template: str, auth: bool) -> None:
    path = template.format(**await _paths(shop))
    headers = {"Content-Type": "application/json", **(shop.seller.auth if auth else {})}
    for body in MALFORMED:
        response = await shop.api.request(method, path, content=body, headers=headers)
        assert response.status_code in (400, 422), (body[:20], response.status_code, response.text)
        assert "detail" in response.json()
    wrong_shapes: list[Any] = [[], "text", 42, None, {"items": "x"}, {"customer": []}]
    for shape in wrong_shapes:
        response = await shop.send(method, path, shape, auth=auth)
        assert response.status_code in (400, 409, 422) or (
            method == "PATCH" and response.status_code == 200 and shape == {}
        ), (shape, response.status_code, response.text)
