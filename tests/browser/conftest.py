"""Browser tests: headless Debian Chromium driven by Playwright (sync API) against the whole
system started as real processes (`make_system` in tests/conftest.py).

The pages run under a strict Content-Security-Policy, so the tests never use
`page.wait_for_function` (it needs eval); they wait with `expect(...)` or poll `page.evaluate`.
"""

from __future__ import annotations

import itertools
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, Playwright, expect, sync_playwright

from scripts.system import System

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}}
PASSWORD = "correct horse battery"


expect.set_options(timeout=10_000)


@pytest.fixture
def playwright_driver(system: System) -> Iterator[Playwright]:
    """Playwright for one test, started after (and stopped before) that test's system.

    Playwright's sync API keeps its own event loop marked as running on this thread while it is
    open, and the system fixtures use asyncio.run to create and drop databases, so the two must
    not overlap: depending on `system` orders them.
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium", pytrace=False)
    with sync_playwright() as driver:
        yield driver


def launch(driver: Playwright, *extra_args: str) -> Browser:
    return driver.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args], headless=True)


@pytest.fixture
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    chromium = launch(playwright_driver)
    try:
        yield chromium
    finally:
        chromium.close()


@dataclass
class PageProblems:
    """Uncaught errors and CSP violations seen by the pages of a test: there must be none."""

    seen: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> Page:
        page.on("pageerror", lambda error: self.seen.append(f"{page.url}: uncaught {error}"))
        page.on("console", lambda message: self._console(page, message.type, message.text))
        page.on("dialog", lambda dialog: self._dialog(page, dialog))
        return page

    def _dialog(self, page: Page, dialog: Dialog) -> None:
        # An alert() would mean customer text ran as script: the XSS test relies on this.
        self.seen.append(f"{page.url}: dialog {dialog.type} {dialog.message!r}")
        dialog.dismiss()

    def _console(self, page: Page, kind: str, text: str) -> None:
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.seen.append(f"{page.url}: CSP: {text}")
        elif kind == "error" and not _expected_console_error(text):
            self.seen.append(f"{page.url}: console error: {text}")


def _expected_console_error(text: str) -> bool:
    # A socket the test broke on purpose, and the HTTP errors a page handles itself (422 shown beside
    # a field, 409 on a stale card, 404 for a missing order) are reported by Chromium as errors.
    return "WebSocket connection" in text or "Failed to load resource" in text


@pytest.fixture
def problems() -> Iterator[PageProblems]:
    found = PageProblems()
    yield found
    assert not found.seen, "\n".join(found.seen)


@dataclass
class Seller:
    base_url: str
    email: str
    token: str
    slug: str
    id: str
    business_name: str
    products: dict[str, str] = field(default_factory=dict)  # name → id

    def api(self) -> httpx.Client:
        auth = {"Authorization": f"Bearer {self.token}"}
        return httpx.Client(base_url=self.base_url, headers=auth, timeout=15)


_emails = itertools.count()


def create_seller(
    base_url: str, *, business_name: str = "Dosa Corner", realtime: bool = True, products: bool = True
) -> Seller:
    """A seller made through the public API (bearer token), with the demo menu."""
    email = f"seller-{uuid.uuid4().hex[:8]}-{next(_emails)}@example.com"
    with httpx.Client(base_url=base_url, timeout=15) as client:
        response = client.post(
            "/api/auth/signup", json={"email": email, "password": PASSWORD, "business_name": business_name}
        )
        assert response.status_code == 201, response.text
        body = response.json()
    seller = Seller(
        base_url=base_url,
        email=email,
        token=body["access_token"],
        slug=body["seller"]["slug"],
        id=body["seller"]["id"],
        business_name=business_name,
    )
    with seller.api() as client:
        patch = {
            "realtime_enabled": realtime,
            "phone": "+1 555 0199",
            "payment_methods": ["cod", "zelle"],
            "zelle_handle": "pay@dosacorner.example",
        }
        response = client.patch("/api/seller", json=patch)
        assert response.status_code == 200, response.text
        if products:
            for product in DEMO_MENU:
                response = client.post("/api/seller/products", json=product)
                assert response.status_code == 201, response.text
                seller.products[product["name"]] = response.json()["id"]
    return seller


DEMO_MENU: list[dict[str, Any]] = [
    {
        "name": "Masala Dosa",
        "description": "Crisp rice crêpe with spiced potato, sambar and chutney.",
        "price_cents": 450,
        "custom_fields": [
            {
                "key": "spice",
                "label": "Spice level",
                "type": "select",
                "required": True,
                "options": ["Mild", "Medium", "Hot"],
            },
            {"key": "note", "label": "Note for the kitchen", "type": "text", "max_length": 80},
        ],
    },
    {"name": "Filter Coffee", "description": "South Indian coffee with hot milk.", "price_cents": 200},
    {
        "name": "Mango Lassi",
        "price_cents": 300,
        "custom_fields": [
            {"key": "sugar", "label": "Spoons of sugar", "type": "number", "min": 0, "max": 3},
            {"key": "ice", "label": "Extra ice", "type": "checkbox"},
        ],
    },
    {"name": "Idli (2 pcs)", "price_cents": 350, "available": False},
]

_customers = itertools.count(1)


def place_order(
    seller: Seller,
    *,
    name: str | None = None,
    items: list[dict[str, Any]] | None = None,
    address: dict[str, str] | None = None,
    payment_method: str = "cod",
    key: str | None = None,
) -> dict[str, Any]:
    """An order placed the way a customer's phone does (no credentials), answered 201."""
    body = {
        "customer": {"name": name or f"Customer {next(_customers)}", "phone": "+1 555 0100"},
        "delivery_address": address or {"line1": "12 Main St", "city": "Springfield", "postal_code": "12345"},
        "payment_method": payment_method,
        "items": items or [{"product_id": seller.products["Filter Coffee"], "quantity": 1}],
    }
    headers = {"Idempotency-Key": key or uuid.uuid4().hex}
    with httpx.Client(base_url=seller.base_url, timeout=15) as client:
        response = client.post(f"/api/storefronts/{seller.slug}/orders", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def set_status(seller: Seller, order_id: str, status: str) -> dict[str, Any]:
    with seller.api() as client:
        response = client.post(f"/api/seller/orders/{order_id}/status", json={"status": status})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def log_in(context: BrowserContext, seller: Seller, next_path: str = "/seller/live") -> Page:
    """Log in through the login page (which sets the session cookie) and open `next_path`."""
    page = context.new_page()
    page.goto(f"/login?next={next_path}")
    page.get_by_label("Email").fill(seller.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))
    return page


def order_card(page: Page, token: str) -> Any:
    """The dashboard card of the order with this exact token number."""
    return page.locator("article.order-card").filter(
        has=page.locator(".token").get_by_text(token, exact=True)
    )


def poll(
    predicate: Callable[[], Any], *, page: Page | None = None, timeout: float = 10, message: str = "condition"
) -> Any:
    """Wait for `predicate()` to return something truthy (checked from the test, not in the page).

    Playwright's sync API delivers events (such as a routed WebSocket's frames) only while the
    test is inside a Playwright call, so with a `page` the wait between checks is one.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        if page is not None:
            page.wait_for_timeout(50)
        else:
            time.sleep(0.05)


def screenshot(page: Page, name: str, *, full_page: bool = False) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=full_page)
    return path
