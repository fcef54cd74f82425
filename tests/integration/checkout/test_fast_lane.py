"""Placing an order in the fast lane (`shared.fastlane`): a checkout the route would take is
placed there; every other request gets exactly the answer the route gives (FastAPI's 422
included), which a checkout without the lane shows."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.checkout.api import storefront
from services.checkout.main import create_app as create_checkout
from shared.fastlane import FastLaneMiddleware
from tests.servers import serve

from .conftest import Stack, internal_client


def refused_requests(cart: dict[str, Any]) -> list[tuple[dict[str, str], bytes]]:
    body = json.dumps(cart).encode()
    json_type = {"Content-Type": "application/json"}
    return [
        (json_type, b'{"customer": '),  # malformed
        (json_type, b""),
        (json_type, b"[1, 2]"),
        (json_type, json.dumps({**cart, "payment_method": "cheque"}).encode()),
        (json_type, json.dumps({**cart, "items": []}).encode()),  # the domain's 422
        ({"Content-Type": "text/plain"}, body),
        ({**json_type, "Idempotency-Key": "tab\there"}, body),
        ({**json_type, "Idempotency-Key": "x" * 256}, body),
    ]


async def test_what_the_lane_does_not_take_is_answered_as_the_route_does(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = await stack.catalog.open_shop()
    requests = refused_requests(shop.cart())
    path = f"/api/storefronts/{shop.slug}/orders"
    with_lane = [await stack.checkout.client.post(path, content=body, headers=h) for h, body in requests]

    monkeypatch.setattr(storefront, "lanes", lambda _runtime: [])
    app = create_checkout(stack.checkout.settings)
    assert not [m for m in app.user_middleware if m.cls is FastLaneMiddleware]
    async with serve(app) as url, internal_client(url) as route_only:
        without = [await route_only.post(path, content=body, headers=h) for h, body in requests]
    assert [(r.status_code, r.json()) for r in with_lane] == [(r.status_code, r.json()) for r in without]
    assert {r.status_code for r in with_lane} == {422}
    listing = await stack.checkout.client.get("/api/seller/orders", headers={"X-Seller-Id": shop.seller_id})
    assert listing.json()["orders"] == []  # nothing placed by any of them


async def test_a_checkout_in_the_lane_is_placed_once_with_its_key(stack: Stack) -> None:
    shop = await stack.catalog.open_shop()
    first = await stack.checkout.place(shop, key="lane-key")
    again = await stack.checkout.place(shop, key="lane-key")
    assert first.status_code == 201
    assert (again.status_code, again.json()) == (200, first.json())
    other_body = await stack.checkout.place(
        shop, body={**shop.cart(), "payment_method": "zelle"}, key="lane-key"
    )
    assert other_body.status_code == 422
    assert other_body.json()["detail"][0]["type"] == "idempotency_key_reused"
