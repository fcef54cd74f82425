"""The HTML pages: server-rendered shells whose ES modules talk only to the public API.

The server renders the frame of each page (labels, forms, navigation) and hands the page its
few facts in a JSON script tag; the data itself comes from `/api/...` and `/ws/...` in the
browser, with the session cookie. Every page response carries a strict Content-Security-Policy
(no inline script, no eval) and the other security headers.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from services.gateway.config import Settings, get_settings
from shared.contract import SLUG_PATTERN
from shared.security import seller_id_from_token

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
SESSION_COOKIE = "santhai_session"
ORDER_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,100}$")
SAFE_NEXT_PATTERN = re.compile(r"^/(?!/)[A-Za-z0-9/_\-.?=&%]*$")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "media-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # same-origin: the tracking page's URL carries the customer key, so it never leaves the site
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cache-Control": "no-store",
}

templates = Jinja2Templates(directory=WEB_DIR / "templates")
router = APIRouter(include_in_schema=False)


def with_security_headers(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


def _settings(request: Request) -> Settings:
    """The app's own settings (the gateway keeps them in app.state.gateway), else the environment's."""
    settings = getattr(getattr(request.app.state, "gateway", None), "settings", None)
    return settings if isinstance(settings, Settings) else get_settings()


def session_seller_id(request: Request) -> str | None:
    """The seller whose valid session cookie came with this request, if any."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    return seller_id_from_token(_settings(request).secret_key, token)


def safe_next(value: str | None, default: str = "/seller") -> str:
    """A post-login destination on this site only (no scheme, no `//host`)."""
    if value and len(value) <= 500 and SAFE_NEXT_PATTERN.match(value):
        return value
    return default


def render(
    request: Request,
    template: str,
    *,
    title: str,
    script: str | None,
    data: dict[str, Any] | None = None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    response = templates.TemplateResponse(
        request,
        template,
        {"title": title, "script": script, "data": data or {}, **context},
        status_code=status_code,
    )
    return with_security_headers(response)


def redirect(url: str) -> Response:
    return with_security_headers(RedirectResponse(url, status_code=303))


def not_found(request: Request, message: str) -> Response:
    return render(request, "not_found.html", title="Not found", script=None, message=message, status_code=404)


def seller_page(request: Request, template: str, *, title: str, script: str, active: str) -> Response:
    """A seller page for the logged-in seller, or a redirect to /login that comes back here."""
    seller_id = session_seller_id(request)
    if seller_id is None:
        return redirect(f"/login?next={quote(request.url.path)}")
    return render(
        request,
        template,
        title=title,
        script=script,
        data={"seller_id": seller_id},
        seller_nav=True,
        active=active,
    )


# --- customer pages -------------------------------------------------------------------


@router.get("/")
async def home(request: Request) -> Response:
    return redirect("/seller" if session_seller_id(request) else "/login")


@router.get("/s/{slug}")
async def storefront(request: Request, slug: str) -> Response:
    if not re.fullmatch(SLUG_PATTERN, slug):
        return not_found(request, "There is no store at this address.")
    return render(request, "storefront.html", title="Order", script="page-storefront.js", data={"slug": slug})


@router.get("/o/{order_id}")
async def order_tracking(request: Request, order_id: str) -> Response:
    if not ORDER_ID_PATTERN.match(order_id):
        return not_found(request, "There is no order at this address.")
    return render(
        request, "tracking.html", title="Your order", script="page-tracking.js", data={"order_id": order_id}
    )


# --- seller sign-in -------------------------------------------------------------------


@router.get("/login")
async def login(request: Request, next: str | None = None) -> Response:
    destination = safe_next(next)
    if session_seller_id(request):
        return redirect(destination)
    return render(request, "login.html", title="Log in", script="page-login.js", data={"next": destination})


@router.get("/signup")
async def signup(request: Request) -> Response:
    if session_seller_id(request):
        return redirect("/seller")
    return render(request, "signup.html", title="Sign up", script="page-signup.js", data={"next": "/seller"})


# --- seller pages ---------------------------------------------------------------------


@router.get("/seller")
async def seller_information(request: Request) -> Response:
    return seller_page(
        request, "seller.html", title="Seller Information", script="page-seller.js", active="seller"
    )


@router.get("/seller/products")
async def seller_products(request: Request) -> Response:
    return seller_page(
        request, "products.html", title="Products", script="page-products.js", active="products"
    )


@router.get("/seller/orders")
async def seller_orders(request: Request) -> Response:
    return seller_page(request, "orders.html", title="Orders", script="page-orders.js", active="orders")


@router.get("/seller/live")
async def seller_live(request: Request) -> Response:
    return seller_page(
        request,
        "live.html",
        title="Real-Time Orders Dashboard",
        script="page-live.js",
        active="live",
    )
