from __future__ import annotations

import pytest

from services.gateway.domain.routing import Limit, Upstream, is_safe_path, limit_for, resolve, sets_session

CATALOG, CHECKOUT = Upstream.CATALOG, Upstream.CHECKOUT


@pytest.mark.parametrize(
    ("path", "upstream", "template", "seller_only"),
    [
        ("/api/auth/signup", CATALOG, "/api/auth/signup", False),
        ("/api/auth/login", CATALOG, "/api/auth/login", False),
        ("/api/seller", CATALOG, "/api/seller", True),
        ("/api/seller/products", CATALOG, "/api/seller/products", True),
        ("/api/seller/products/p1", CATALOG, "/api/seller/products/{id}", True),
        ("/api/seller/orders", CHECKOUT, "/api/seller/orders", True),
        ("/api/seller/orders/o1", CHECKOUT, "/api/seller/orders/{id}", True),
        ("/api/seller/orders/o1/status", CHECKOUT, "/api/seller/orders/{id}/status", True),
        ("/api/seller/orders/o1/payment", CHECKOUT, "/api/seller/orders/{id}/payment", True),
        ("/api/storefronts/asha-kitchen", CATALOG, "/api/storefronts/{slug}", False),
        ("/api/storefronts/asha-kitchen/qr.svg", CATALOG, "/api/storefronts/{slug}/qr.svg", False),
        ("/api/storefronts/asha-kitchen/qr.png", CATALOG, "/api/storefronts/{slug}/qr.png", False),
        ("/api/storefronts/asha-kitchen/orders", CHECKOUT, "/api/storefronts/{slug}/orders", False),
        ("/api/orders/o1", CHECKOUT, "/api/orders/{order_id}", False),
        ("/api/seller/something-new", CATALOG, "/api/seller/…", True),
        ("/api/seller/orders/o1/other", CHECKOUT, "/api/seller/orders/…", True),
    ],
)
def test_contract_paths_resolve(path: str, upstream: Upstream, template: str, seller_only: bool) -> None:
    route = resolve(path)
    assert route is not None
    assert (route.upstream, route.template, route.seller_only) == (upstream, template, seller_only)


@pytest.mark.parametrize(
    "path",
    [
        "/api/",
        "/api/unknown",
        "/api/sellers",
        "/api/auth/logout-ish",
        "/api/auth",
        "/api/storefronts",
        "/api/orders",
        "/api/seller/products/../../internal/sellers/1",
        "/api/seller/./products",
        "/api/storefronts/x/../../seller",
        "/api/seller//products",
        "/api/seller\\products",
        "/api/orders/a\x00b",
        "/internal/sellers/1",
        "/apix/seller",
    ],
)
def test_unknown_or_unsafe_paths_do_not_resolve(path: str) -> None:
    assert resolve(path) is None


def test_is_safe_path() -> None:
    assert is_safe_path("/api/storefronts/asha%20kitchen")
    assert not is_safe_path("/api/..")


def test_limits_apply_to_the_posts_they_name() -> None:
    assert limit_for("POST", resolve("/api/auth/login")) is Limit.LOGIN  # type: ignore[arg-type]
    assert limit_for("post", resolve("/api/auth/signup")) is Limit.SIGNUP  # type: ignore[arg-type]
    assert limit_for("POST", resolve("/api/storefronts/s/orders")) is Limit.CHECKOUT  # type: ignore[arg-type]
    assert limit_for("GET", resolve("/api/storefronts/s")) is None  # type: ignore[arg-type]
    assert limit_for("GET", resolve("/api/seller/orders")) is None  # type: ignore[arg-type]


def test_only_login_and_signup_start_a_session() -> None:
    assert sets_session("POST", resolve("/api/auth/login"))  # type: ignore[arg-type]
    assert sets_session("POST", resolve("/api/auth/signup"))  # type: ignore[arg-type]
    assert not sets_session("GET", resolve("/api/auth/login"))  # type: ignore[arg-type]
    assert not sets_session("POST", resolve("/api/storefronts/s/orders"))  # type: ignore[arg-type]
