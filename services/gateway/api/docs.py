"""The public contract as OpenAPI: every HTTP endpoint with its request and response models.

The operations below are declarations only: the gateway answers these paths by forwarding
them (api/proxy.py), or the pages router serves them, so no request ever reaches these
functions. Their signatures and docstrings are what `/openapi.json` and `/docs` show.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Query
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, Response
from fastapi.security import APIKeyCookie, HTTPBearer

from services.gateway.domain.credentials import SESSION_COOKIE
from shared.contract import (
    CheckoutIn,
    CheckoutOut,
    ConflictOut,
    CustomerOrder,
    ErrorOut,
    LoginIn,
    Order,
    OrderList,
    OrderStatus,
    PaymentChangeIn,
    Product,
    ProductIn,
    ProductList,
    ProductPatch,
    Seller,
    SellerPatch,
    SignupIn,
    SignupOut,
    StatusChangeIn,
    Storefront,
    TokenOut,
)

TITLE = "Santhai Real-Time Orders"
VERSION = "1.0.0"
DESCRIPTION = """\
The public API of Santhai's gateway. Errors are `{"detail": ...}`; `429` and `503` carry
`Retry-After`. Sellers authenticate with `Authorization: Bearer <access_token>` or the
`santhai_session` cookie set at login; a POST, PATCH or DELETE authenticated by the cookie must
name the gateway's own origin in `Origin` (or, lacking it, `Referer`), else `403`.

WebSockets (JSON text frames, not describable in OpenAPI):

- `/ws/seller`: first frame `{"type": "subscribe", "token"?: "...", "last_seq"?: n}` →
  `{"type": "subscribed", "seller_id", "head_seq"}`, replayed and live
  `{"type": "order.created" | "order.updated", "seq", "order"}`, `{"type": "reset", "head_seq"}`,
  `{"type": "heartbeat"}`. Close codes 4400 (malformed or over 4 KiB), 4401, 4403, 1012.
- `/ws/orders/{order_id}`: first frame `{"type": "subscribe", "key": "<customer_key>"}` →
  `{"type": "subscribed", "order"}`, then `{"type": "order.updated", "order"}`. Close codes 4400,
  4401, 4404, 1012.
"""

TAGS = [
    {"name": "sellers", "description": "Sign up, log in, the seller's profile"},
    {"name": "products", "description": "The seller's menu"},
    {"name": "storefront", "description": "Public storefront and checkout, no login"},
    {"name": "orders", "description": "The seller's orders"},
    {"name": "operations", "description": "Health, readiness and metrics"},
    {"name": "pages", "description": "HTML pages"},
]

bearer = HTTPBearer(auto_error=False, description="The access_token from signup or login")
session_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="Set by login and signup")
SELLER_AUTH = [Depends(bearer), Depends(session_cookie)]
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}

_ERRORS: dict[int, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Malformed request"},
    401: {"model": ErrorOut, "description": "No or bad credentials"},
    403: {"model": ErrorOut, "description": "Cross-site request, or not allowed"},
    404: {"model": ErrorOut, "description": "Unknown, or not yours"},
    409: {"model": ErrorOut, "description": "State conflict"},
    413: {"model": ErrorOut, "description": "Body over 64 KiB"},
    429: {"model": ErrorOut, "description": "Rate limited", "headers": RETRY_AFTER},
    503: {
        "model": ErrorOut,
        "description": "A service needed for this request is down",
        "headers": RETRY_AFTER,
    },
}


def errors(*codes: int, **overrides: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    documented: dict[int | str, dict[str, Any]] = {code: _ERRORS[code] for code in (*codes, 503)}
    documented.update({code.removeprefix("r"): spec for code, spec in overrides.items()})
    return documented


def conflict_with_order() -> dict[str, Any]:
    return {"model": ConflictOut, "description": "Invalid transition or stale expected_version"}


docs = APIRouter()
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Repeats answer 200 with the same order",
    ),
]


# --- sellers -------------------------------------------------------------------------


@docs.post(
    "/api/auth/signup",
    response_model=SignupOut,
    tags=["sellers"],
    status_code=201,
    responses=errors(409, 413, 429),
)
def signup(body: SignupIn) -> None:
    """Create a seller account; also sets the session cookie."""


@docs.post("/api/auth/login", response_model=TokenOut, tags=["sellers"], responses=errors(401, 413, 429))
def login(body: LoginIn) -> None:
    """Exchange email and password for an access token; also sets the session cookie."""


@docs.get(
    "/api/seller", response_model=Seller, tags=["sellers"], dependencies=SELLER_AUTH, responses=errors(401)
)
def get_seller() -> None:
    """The authenticated seller."""


@docs.patch(
    "/api/seller",
    response_model=Seller,
    tags=["sellers"],
    dependencies=SELLER_AUTH,
    responses=errors(401, 403, 413),
)
def patch_seller(body: SellerPatch) -> None:
    """Change the seller's settings; turning real-time orders off closes the live sockets (4403)."""


# --- products ------------------------------------------------------------------------


@docs.post(
    "/api/seller/products",
    response_model=Product,
    tags=["products"],
    status_code=201,
    dependencies=SELLER_AUTH,
    responses=errors(401, 403, 413),
)
def create_product(body: ProductIn) -> None:
    """Add a product to the seller's menu."""


@docs.get(
    "/api/seller/products",
    response_model=ProductList,
    tags=["products"],
    dependencies=SELLER_AUTH,
    responses=errors(401),
)
def list_products() -> None:
    """The seller's products."""


@docs.get(
    "/api/seller/products/{id}",
    response_model=Product,
    tags=["products"],
    dependencies=SELLER_AUTH,
    responses=errors(401, 404),
)
def get_product(id: str) -> None:
    """One of the seller's products."""


@docs.patch(
    "/api/seller/products/{id}",
    response_model=Product,
    tags=["products"],
    dependencies=SELLER_AUTH,
    responses=errors(401, 403, 404, 413),
)
def patch_product(id: str, body: ProductPatch) -> None:
    """Change some of a product's fields."""


@docs.delete(
    "/api/seller/products/{id}",
    tags=["products"],
    status_code=204,
    response_class=Response,
    dependencies=SELLER_AUTH,
    responses=errors(401, 403, 404),
)
def delete_product(id: str) -> None:
    """Remove a product from the menu."""


# --- storefront ----------------------------------------------------------------------


@docs.get("/api/storefronts/{slug}", response_model=Storefront, tags=["storefront"], responses=errors(404))
def get_storefront(slug: str) -> None:
    """A seller's public storefront: contact, payment methods and products."""


@docs.get(
    "/api/storefronts/{slug}/qr.svg",
    tags=["storefront"],
    response_class=Response,
    responses={
        200: {"content": {"image/svg+xml": {}}, "description": "QR code of the storefront URL"},
        **errors(404),
    },
)
def storefront_qr_svg(slug: str) -> None:
    """A QR code (SVG) that encodes the seller's storefront_url."""


@docs.get(
    "/api/storefronts/{slug}/qr.png",
    tags=["storefront"],
    response_class=Response,
    responses={
        200: {"content": {"image/png": {}}, "description": "QR code of the storefront URL"},
        **errors(404),
    },
)
def storefront_qr_png(slug: str) -> None:
    """A QR code (PNG) that encodes the seller's storefront_url."""


@docs.post(
    "/api/storefronts/{slug}/orders",
    response_model=CheckoutOut,
    tags=["storefront"],
    status_code=201,
    responses=errors(
        404, 409, 413, 429, r200={"model": CheckoutOut, "description": "A repeat of an Idempotency-Key"}
    ),
)
def place_order(slug: str, body: CheckoutIn, idempotency_key: IdempotencyKey = None) -> None:
    """Place an order; prices and totals come from the catalog. Repeats with the same key answer 200."""


@docs.get("/api/orders/{order_id}", response_model=CustomerOrder, tags=["storefront"], responses=errors(404))
def get_customer_order(order_id: str, key: Annotated[str, Query(description="The customer_key")]) -> None:
    """The customer's view of an order; a wrong or missing key answers 404."""


# --- seller's orders -----------------------------------------------------------------


@docs.get(
    "/api/seller/orders",
    response_model=OrderList,
    tags=["orders"],
    dependencies=SELLER_AUTH,
    responses=errors(401),
)
def list_orders(
    status: OrderStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> None:
    """The seller's orders, newest first, with a keyset cursor and the event head_seq of the same snapshot."""


@docs.get(
    "/api/seller/orders/{id}",
    response_model=Order,
    tags=["orders"],
    dependencies=SELLER_AUTH,
    responses=errors(401, 404),
)
def get_order(id: str) -> None:
    """One of the seller's orders."""


@docs.post(
    "/api/seller/orders/{id}/status",
    response_model=Order,
    tags=["orders"],
    dependencies=SELLER_AUTH,
    responses=errors(401, 403, 404, 413, r409=conflict_with_order()),
)
def change_status(id: str, body: StatusChangeIn) -> None:
    """Move an order to its next status."""


@docs.post(
    "/api/seller/orders/{id}/payment",
    response_model=Order,
    tags=["orders"],
    dependencies=SELLER_AUTH,
    responses=errors(401, 403, 404, 413, r409=conflict_with_order()),
)
def record_payment(id: str, body: PaymentChangeIn) -> None:
    """Record that the payment was received."""


# --- operations and pages ------------------------------------------------------------


@docs.get(
    "/metrics",
    tags=["operations"],
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
def metrics() -> None:
    """The gateway's own Prometheus metrics."""


@docs.get("/s/{slug}", tags=["pages"], response_class=HTMLResponse)
def storefront_page(slug: str) -> None:
    """The storefront a QR code opens: products, cart (kept across reloads) and checkout."""


@docs.get("/o/{order_id}", tags=["pages"], response_class=HTMLResponse)
def tracking_page(order_id: str, key: Annotated[str, Query(description="The customer_key")]) -> None:
    """The customer's live order tracking page, also the order confirmation."""


@docs.get("/login", tags=["pages"], response_class=HTMLResponse)
def login_page() -> None:
    """Seller login."""


@docs.get("/signup", tags=["pages"], response_class=HTMLResponse)
def signup_page() -> None:
    """Seller sign-up."""


@docs.get("/seller", tags=["pages"], response_class=HTMLResponse)
def seller_page() -> None:
    """Seller Information: profile, Enable Real-Time Orders, payment methods, the QR code to print."""


@docs.get("/seller/products", tags=["pages"], response_class=HTMLResponse)
def products_page() -> None:
    """The seller's products."""


@docs.get("/seller/orders", tags=["pages"], response_class=HTMLResponse)
def orders_page() -> None:
    """The seller's order list (no WebSocket needed)."""


@docs.get("/seller/live", tags=["pages"], response_class=HTMLResponse)
def live_page() -> None:
    """The Real-Time Orders Dashboard."""


def contract_openapi(app: FastAPI) -> dict[str, Any]:
    """The app's documented routes plus the declarations above, without internal paths."""
    schema = get_openapi(
        title=TITLE, version=VERSION, description=DESCRIPTION, tags=TAGS, routes=[*app.routes, *docs.routes]
    )
    schema["paths"] = {path: ops for path, ops in schema["paths"].items() if not path.startswith("/internal")}
    return schema
