"""Canonical request hashing, the Idempotency-Key shape, and the order list cursor."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime

import pytest

from services.checkout.domain.cursor import Cursor, InvalidCursor, decode_cursor, encode_cursor
from services.checkout.domain.idempotency import KEY_PATTERN, canonical_json, request_hash


def test_json_equal_bodies_hash_equal() -> None:
    a = {"customer": {"name": "Asha", "phone": "1"}, "items": [{"product_id": "p", "quantity": 2}]}
    b = {"items": [{"quantity": 2, "product_id": "p"}], "customer": {"phone": "1", "name": "Asha"}}
    assert request_hash(a) == request_hash(b)
    assert (
        canonical_json(b)
        == '{"customer":{"name":"Asha","phone":"1"},"items":[{"product_id":"p","quantity":2}]}'
    )


def test_different_bodies_hash_differently() -> None:
    base = {"items": [{"product_id": "p", "quantity": 2}]}
    for other in (
        {"items": [{"product_id": "p", "quantity": 3}]},
        {"items": [{"product_id": "p", "quantity": 2}], "note": None},
        {"items": [{"product_id": "p", "quantity": "2"}]},
        {"items": [{"product_id": "p", "quantity": 2}, {"product_id": "p", "quantity": 2}]},
    ):
        assert request_hash(other) != request_hash(base)


def test_list_order_matters_and_any_text_hashes() -> None:
    assert request_hash([1, 2]) != request_hash([2, 1])
    assert len(request_hash({"name": "Åsa \ud800 <b>"})) == 64


@pytest.mark.parametrize("key", ["a", "x" * 255, "order 1/2?#&=~", "550e8400-e29b-41d4-a716-446655440000"])
def test_accepted_keys(key: str) -> None:
    assert re.fullmatch(KEY_PATTERN, key)


@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9", "tab\there", "new\nline", "\x7f"])
def test_refused_keys(key: str) -> None:
    assert not re.fullmatch(KEY_PATTERN, key)


def test_a_cursor_round_trips_to_the_microsecond() -> None:
    cursor = Cursor(datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC), "abc", "pending")
    text = encode_cursor(cursor)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", text)
    assert decode_cursor(text, "pending") == cursor


@pytest.mark.parametrize("text", ["", "!!!", "bm90IGpzb24", "W10", "e30", "x" * 600, "not-a-cursor"])
def test_malformed_cursors(text: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(text, None)


def test_a_cursor_without_a_time_zone_is_malformed() -> None:
    text = base64.urlsafe_b64encode(b'{"t":"2025-03-01T12:00:00","i":"a","s":null}').decode().rstrip("=")
    with pytest.raises(InvalidCursor):
        decode_cursor(text, None)


def test_a_cursor_belongs_to_its_filter() -> None:
    text = encode_cursor(Cursor(datetime(2025, 3, 1, tzinfo=UTC), "abc", None))
    with pytest.raises(InvalidCursor):
        decode_cursor(text, "pending")
