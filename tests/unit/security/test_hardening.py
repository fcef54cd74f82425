"""Unit tests of the hardening the reliability tests led to, and of the security rules that
need no running system."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from services.checkout.db.transactions import CUSTOMER_KEY_BYTES
from services.checkout.domain.custom_fields import SAFE_INTEGER, snapshot_custom_fields
from services.gateway.api.body import json_problem
from services.notifier.domain.frames import MalformedFrame, decode_frame, seller_event
from shared.contract import CustomField, LoginIn
from shared.service import _database_down
from shared.settings import DEV_SECRET_KEY, BaseServiceSettings

ROOT = Path(__file__).resolve().parents[3]


# --- JSON that only Python accepts ------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": NaN}',
        b'{"price": Infinity}',
        b"[-Infinity]",
        b'{"n": 1e400}',
        b'{"name": "a\\ud800b"}',
        b'{"\\udfff": 1}',
        b'["ok", {"deep": ["\\ud83c"]}]',
    ],
)
def test_the_gateway_refuses_json_only_python_would_read(body: bytes) -> None:
    assert json_problem(body) is not None


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b'{"name": "Asha"}',
        b'{"emoji": "\\ud83c\\udf5b", "raw": "\xf0\x9f\x8d\x9b"}',  # a pair, escaped and raw
        b'{"escaped backslash": "\\\\ud800"}',  # the text \ud800, not a surrogate
        b'{"n": 1e300, "m": -2.5, "big": 123456789012345678901234567890}',
        b"{not json",  # malformed: the service answers it (400/422)
        b"[" * 100_000,
    ],
)
def test_the_gateway_passes_everything_else_on(body: bytes) -> None:
    assert json_problem(body) is None


# --- numbers and frames -------------------------------------------------------------------


def test_a_number_field_refuses_integers_no_browser_can_hold() -> None:
    field = CustomField(key="n", label="N", type="number")
    for value in (SAFE_INTEGER, -SAFE_INTEGER, 2.5e300):
        assert snapshot_custom_fields([field], {"n": value}, ("items", 0))[1] == []
    for value in (SAFE_INTEGER + 1, 10**30, -(2**64)):
        problems = snapshot_custom_fields([field], {"n": value}, ("items", 0))[1]
        assert [p.loc for p in problems] == [("items", 0, "n")]


def test_the_notifier_can_still_send_an_order_logged_with_a_huge_integer() -> None:
    text = seller_event("order.created", 1, {"id": "o", "n": 10**30})
    assert json.loads(text)["order"]["n"] == 10**30


@pytest.mark.parametrize(
    "text", ['{"type":"subscribe","token":"\\ud800"}', '{"type":"subscribe","k":["\\udc00"]}']
)
def test_the_notifier_refuses_a_frame_with_half_a_surrogate_pair(text: str) -> None:
    with pytest.raises(MalformedFrame):
        decode_frame({"type": "websocket.receive", "text": text})


def test_the_notifier_takes_a_frame_with_a_whole_surrogate_pair() -> None:
    frame = decode_frame(
        {"type": "websocket.receive", "text": '{"type":"subscribe","token":"\\ud83c\\udf5b"}'}
    )
    assert frame["token"] == "🍛"


def test_a_login_email_with_a_control_character_is_refused() -> None:
    with pytest.raises(ValidationError):
        LoginIn(email="a\x00@example.com", password="whatever")
    assert LoginIn(email=" Someone@Example.com ", password="x").email == "Someone@Example.com"


# --- database outages ---------------------------------------------------------------------


class _DriverError(Exception):
    def __init__(self, sqlstate: str | None) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("sqlstate", "down"),
    [
        ("57P03", True),  # cannot connect now: the database is starting up or shutting down
        ("57P01", True),  # admin shutdown
        ("08006", True),  # connection failure
        ("53300", True),  # too many connections
        ("23505", False),  # a unique violation is a bug or a race, not an outage
        ("22P02", False),
        (None, False),
    ],
)
def test_driver_errors_that_mean_the_database_is_away_are_503(sqlstate: str | None, down: bool) -> None:
    error = DBAPIError("SELECT 1", None, _DriverError(sqlstate))
    assert _database_down(error) is down


# --- secrets, keys, listening addresses -----------------------------------------------------


@pytest.mark.parametrize("secret", [None, DEV_SECRET_KEY, "too-short"])
def test_production_refuses_a_default_or_weak_secret(
    secret: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("APP_ENV", "prod")
    if secret is not None:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        BaseServiceSettings(_env_file=None)


def test_services_listen_on_loopback_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BIND_HOST", raising=False)
    assert BaseServiceSettings(_env_file=None).bind_host == "127.0.0.1"


def test_customer_keys_carry_at_least_128_bits() -> None:
    assert CUSTOMER_KEY_BYTES * 8 >= 128


def test_the_customer_key_is_compared_in_constant_time() -> None:
    """Wherever checkout looks at a presented key, it is through hmac.compare_digest, never ==."""
    source = (ROOT / "services/checkout/api/storefront.py").read_text()
    tree = ast.parse(source)
    compared = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "hmac.compare_digest"
    ]
    assert any("customer_key" in ast.unparse(node) for node in compared)
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops):
            assert "key" not in ast.unparse(node).lower(), ast.unparse(node)
