"""Property-based tests (hypothesis) against the running system through the gateway: whatever
a client sends, the answer is never a 5xx, and text is kept exactly (after trimming) or refused."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scripts.system import System
from tests.e2e.client import PRODUCTS, order_body

pytestmark = pytest.mark.timeout(600)

EXAMPLES = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure here is a bug, not bad luck
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
NO_SURROGATES = st.characters(exclude_categories=["Cs"])  # what a URL can carry at all
# Every code point, surrogates and control characters included.
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=300)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(ANY_TEXT, children, max_size=5),
    max_leaves=20,
)


class SyncShop:
    def __init__(self, api: httpx.Client) -> None:
        self.api = api
        suffix = uuid.uuid4().hex[:8]
        signup = api.post(
            "/api/auth/signup",
            json={"email": f"prop-{suffix}@example.com", "password": "long enough", "business_name": "Props"},
        )
        assert signup.status_code == 201, signup.text
        self.slug = signup.json()["seller"]["slug"]
        self.auth = {"Authorization": f"Bearer {signup.json()['access_token']}"}
        self.products = []
        for product in PRODUCTS:
            created = api.post("/api/seller/products", json=product, headers=self.auth)
            assert created.status_code == 201, created.text
            self.products.append(created.json())

    def send(self, method: str, path: str, body: Any, **headers: str) -> httpx.Response:
        content = json.dumps(body, ensure_ascii=True).encode()  # \\u escapes carry any code point
        return self.api.request(
            method, path, content=content, headers={"Content-Type": "application/json", **headers}
        )


@pytest.fixture(scope="module")
def shop(module_system: System) -> Iterator[SyncShop]:
    with httpx.Client(base_url=module_system.gateway_url, timeout=30) as api:
        yield SyncShop(api)


def assert_no_server_error(response: httpx.Response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json"), response.headers
    if response.status_code >= 400:
        assert "detail" in response.json()


@EXAMPLES
@given(body=JSON_VALUES)
def test_any_json_as_a_checkout_is_answered_without_a_5xx(shop: SyncShop, body: Any) -> None:
    response = shop.send("POST", f"/api/storefronts/{shop.slug}/orders", body)
    assert_no_server_error(response)
    assert response.status_code in (400, 422), response.text


@EXAMPLES
@given(
    field=st.sampled_from(
        [
            ("customer", "name"),
            ("delivery_address", "line1"),
            ("delivery_address", "line2"),
            ("delivery_address", "city"),
            ("delivery_address", "postal_code"),
            ("delivery_address", "instructions"),
        ]
    ),
    text=ANY_TEXT,
)
def test_any_text_in_a_checkout_field_is_kept_or_refused(
    shop: SyncShop, field: tuple[str, str], text: str
) -> None:
    body = order_body(shop.products)
    body[field[0]][field[1]] = text
    response = shop.send("POST", f"/api/storefronts/{shop.slug}/orders", body)
    assert_no_server_error(response)
    if response.status_code == 201:
        assert response.json()["order"][field[0]][field[1]] == text.strip()
    else:
        assert response.status_code in (400, 422), response.text


@EXAMPLES
@given(name=ANY_TEXT, description=ANY_TEXT, label=ANY_TEXT, extra=JSON_VALUES)
def test_any_product_is_kept_or_refused(
    shop: SyncShop, name: str, description: str, label: str, extra: Any
) -> None:
    body = {
        "name": name,
        "description": description,
        "price_cents": 100,
        "custom_fields": [{"key": "k", "label": label, "type": "text"}],
    }
    response = shop.send("POST", "/api/seller/products", body, **shop.auth)
    assert_no_server_error(response)
    if response.status_code == 201:
        product = response.json()
        assert (product["name"], product["description"]) == (name.strip(), description.strip())
        assert product["custom_fields"][0]["label"] == label.strip()
        patched = shop.send("PATCH", f"/api/seller/products/{product['id']}", extra, **shop.auth)
        assert_no_server_error(patched)
        shop.api.delete(f"/api/seller/products/{product['id']}", headers=shop.auth)


@EXAMPLES
@given(
    changes=st.dictionaries(
        st.sampled_from(
            [
                "business_name",
                "phone",
                "realtime_enabled",
                "accepting_orders",
                "payment_methods",
                "zelle_handle",
                "currency",
                "timezone",
                "unknown",
            ]
        ),
        JSON_VALUES,
        max_size=4,
    )
)
def test_any_seller_patch_is_answered_without_a_5xx(shop: SyncShop, changes: dict[str, Any]) -> None:
    response = shop.send("PATCH", "/api/seller", changes, **shop.auth)
    assert_no_server_error(response)
    restore = shop.send(
        "PATCH", "/api/seller", {"accepting_orders": True, "payment_methods": ["cod"]}, **shop.auth
    )
    assert restore.status_code == 200, restore.text


@EXAMPLES
@given(
    params=st.dictionaries(
        st.sampled_from(["status", "limit", "cursor", "key", "after"]),
        st.text(alphabet=NO_SURROGATES, max_size=80),
        max_size=3,
    ),
    segment=st.text(alphabet=NO_SURROGATES, min_size=1, max_size=60),
)
def test_any_path_and_query_is_answered_without_a_5xx(
    shop: SyncShop, params: dict[str, str], segment: str
) -> None:
    segment = quote(segment, safe="")
    for path in (
        "/api/seller/orders",
        f"/api/seller/orders/{segment}",
        f"/api/seller/products/{segment}",
        f"/api/orders/{segment}",
        f"/api/storefronts/{segment}",
        f"/api/storefronts/{segment}/qr.svg",
    ):
        response = shop.api.get(path, params=params, headers=shop.auth)
        assert response.status_code < 500, (path, params, response.status_code, response.text[:200])


@EXAMPLES
@given(
    key=st.text(
        alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
        max_size=300,
    )
)
def test_any_idempotency_key_is_answered_without_a_5xx(shop: SyncShop, key: str) -> None:
    key = key.strip(" \t")  # HTTP itself has no way to send surrounding white space
    response = shop.api.post(
        f"/api/storefronts/{shop.slug}/orders",
        json=order_body(shop.products),
        headers={b"Idempotency-Key": key.encode("latin-1")} if key else {},
    )
    assert_no_server_error(response)
    printable = len(key) <= 255 and all(" " <= ch <= "~" for ch in key)
    assert response.status_code in ((200, 201) if printable else (422,)), (key, response.text)
