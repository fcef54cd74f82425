"""Which service answers a public /api path, whether it needs a seller, and which limit applies.

The services serve the public paths themselves; the gateway forwards by prefix (see
docs/architecture.md). Paths with `.`/`..` segments are refused outright: an HTTP client would
normalise them away and reach a path the prefix check never saw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Upstream(Enum):
    CATALOG = "catalog"
    CHECKOUT = "checkout"


class Limit(Enum):
    LOGIN = "login"
    SIGNUP = "signup"
    CHECKOUT = "checkout"


@dataclass(frozen=True)
class ApiRoute:
    template: str  # the contract's path template, or the prefix it fell under (metrics label)
    upstream: Upstream
    seller_only: bool


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    route: ApiRoute


def _rule(pattern: str, template: str, upstream: Upstream, *, seller_only: bool = False) -> _Rule:
    return _Rule(re.compile(pattern), ApiRoute(template, upstream, seller_only))


SEGMENT = r"[^/]+"
CATALOG, CHECKOUT = Upstream.CATALOG, Upstream.CHECKOUT

# First match wins: the contract's own templates, then the prefixes that forward anything below.
RULES: tuple[_Rule, ...] = (
    _rule(r"/api/auth/signup", "/api/auth/signup", CATALOG),
    _rule(r"/api/auth/login", "/api/auth/login", CATALOG),
    _rule(r"/api/seller/orders", "/api/seller/orders", CHECKOUT, seller_only=True),
    _rule(rf"/api/seller/orders/{SEGMENT}", "/api/seller/orders/{id}", CHECKOUT, seller_only=True),
    _rule(
        rf"/api/seller/orders/{SEGMENT}/status", "/api/seller/orders/{id}/status", CHECKOUT, seller_only=True
    ),
    _rule(
        rf"/api/seller/orders/{SEGMENT}/payment",
        "/api/seller/orders/{id}/payment",
        CHECKOUT,
        seller_only=True,
    ),
    _rule(r"/api/seller/orders/.+", "/api/seller/orders/…", CHECKOUT, seller_only=True),
    _rule(r"/api/seller", "/api/seller", CATALOG, seller_only=True),
    _rule(r"/api/seller/products", "/api/seller/products", CATALOG, seller_only=True),
    _rule(rf"/api/seller/products/{SEGMENT}", "/api/seller/products/{id}", CATALOG, seller_only=True),
    _rule(r"/api/seller/.+", "/api/seller/…", CATALOG, seller_only=True),
    _rule(rf"/api/storefronts/{SEGMENT}/orders", "/api/storefronts/{slug}/orders", CHECKOUT),
    _rule(rf"/api/storefronts/{SEGMENT}/orders/.+", "/api/storefronts/{slug}/orders/…", CHECKOUT),
    _rule(rf"/api/storefronts/{SEGMENT}", "/api/storefronts/{slug}", CATALOG),
    _rule(rf"/api/storefronts/{SEGMENT}/qr\.svg", "/api/storefronts/{slug}/qr.svg", CATALOG),
    _rule(rf"/api/storefronts/{SEGMENT}/qr\.png", "/api/storefronts/{slug}/qr.png", CATALOG),
    _rule(r"/api/storefronts/.+", "/api/storefronts/…", CATALOG),
    _rule(rf"/api/orders/{SEGMENT}", "/api/orders/{order_id}", CHECKOUT),
    _rule(r"/api/orders/.+", "/api/orders/…", CHECKOUT),
)

LIMITED: dict[tuple[str, str], Limit] = {
    ("POST", "/api/auth/login"): Limit.LOGIN,
    ("POST", "/api/auth/signup"): Limit.SIGNUP,
    ("POST", "/api/storefronts/{slug}/orders"): Limit.CHECKOUT,
}

AUTH_TEMPLATES = frozenset({"/api/auth/login", "/api/auth/signup"})


def is_safe_path(path: str) -> bool:
    """No dot segments, empty segments, backslashes or control characters."""
    if "\\" in path or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in path):
        return False
    segments = path.split("/")[1:]
    return all(segment not in ("", ".", "..") for segment in segments)


def resolve(path: str) -> ApiRoute | None:
    """The route of a decoded request path, or None when no service answers it (404)."""
    if not path.startswith("/api/") or not is_safe_path(path):
        return None
    for rule in RULES:
        if rule.pattern.fullmatch(path):
            return rule.route
    return None


def limit_for(method: str, route: ApiRoute) -> Limit | None:
    return LIMITED.get((method.upper(), route.template))


def sets_session(method: str, route: ApiRoute) -> bool:
    """Login and signup answer with an access token the gateway turns into the session cookie."""
    return method.upper() == "POST" and route.template in AUTH_TEMPLATES
