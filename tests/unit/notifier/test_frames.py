"""Validation of what clients send on the sockets, and the shape of what the server sends."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.notifier.domain.frames import (
    HEARTBEAT,
    MAX_FRAME_BYTES,
    MalformedFrame,
    OrderSubscribe,
    SellerSubscribe,
    check_followup,
    decode_frame,
    order_updated,
    parse_order_subscribe,
    parse_seller_subscribe,
    reset,
    seller_event,
    seller_subscribed,
)


def text(value: str) -> dict[str, Any]:
    return {"type": "websocket.receive", "text": value}


def test_a_json_object_is_decoded() -> None:
    assert decode_frame(text('{"type": "subscribe"}')) == {"type": "subscribe"}


def test_exactly_the_limit_is_accepted() -> None:
    frame = json.dumps({"type": "subscribe", "token": ""})
    padded = frame[:-1] + " " * (MAX_FRAME_BYTES - len(frame)) + "}"
    assert len(padded.encode()) == MAX_FRAME_BYTES
    assert decode_frame(text(padded))["type"] == "subscribe"


def test_the_limit_counts_utf8_bytes_not_characters() -> None:
    value = json.dumps({"type": "subscribe", "token": "é" * 2100}, ensure_ascii=False)
    assert len(value) < MAX_FRAME_BYTES < len(value.encode())
    with pytest.raises(MalformedFrame):
        decode_frame(text(value))


@pytest.mark.parametrize(
    "message",
    [
        {"type": "websocket.receive", "bytes": b'{"type": "subscribe"}'},
        text("{" + " " * MAX_FRAME_BYTES + "}"),
        text("not json"),
        text('{"type": "subscribe"'),
        text("[1, 2]"),
        text('"subscribe"'),
        text("null"),
        text("[" * 2000 + "]" * 2000),
    ],
)
def test_binary_oversized_and_non_object_frames_are_malformed(message: dict[str, Any]) -> None:
    with pytest.raises(MalformedFrame):
        decode_frame(message)


def test_seller_subscribe_with_and_without_optional_fields() -> None:
    assert parse_seller_subscribe({"type": "subscribe"}) == SellerSubscribe(token=None, last_seq=None)
    assert parse_seller_subscribe({"type": "subscribe", "token": "t", "last_seq": 0, "extra": 1}) == (
        SellerSubscribe(token="t", last_seq=0)
    )
    assert parse_seller_subscribe({"type": "subscribe", "last_seq": -3}).last_seq == -3


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "subcribe"},
        {"token": "t"},
        {"type": "subscribe", "token": 5},
        {"type": "subscribe", "last_seq": "3"},
        {"type": "subscribe", "last_seq": 3.0},
        {"type": "subscribe", "last_seq": True},
        {"type": ["subscribe"]},
    ],
)
def test_seller_subscribe_of_the_wrong_shape_is_malformed(frame: dict[str, Any]) -> None:
    with pytest.raises(MalformedFrame):
        parse_seller_subscribe(frame)


def test_order_subscribe() -> None:
    assert parse_order_subscribe({"type": "subscribe", "key": "k"}) == OrderSubscribe(key="k")
    assert parse_order_subscribe({"type": "subscribe"}) == OrderSubscribe(key="")
    with pytest.raises(MalformedFrame):
        parse_order_subscribe({"type": "subscribe", "key": 42})
    with pytest.raises(MalformedFrame):
        parse_order_subscribe({"type": "hello", "key": "k"})


def test_only_keepalives_may_follow_a_subscription() -> None:
    check_followup({"type": "heartbeat"})
    check_followup({"type": "ping"})
    for frame in ({"type": "subscribe"}, {"type": "order.updated"}, {}):
        with pytest.raises(MalformedFrame):
            check_followup(frame)


def test_server_frames() -> None:
    order = {"id": "o1", "version": 2}
    assert json.loads(HEARTBEAT) == {"type": "heartbeat"}
    assert json.loads(seller_subscribed("s1", 4)) == {"type": "subscribed", "seller_id": "s1", "head_seq": 4}
    assert json.loads(reset(9)) == {"type": "reset", "head_seq": 9}
    assert json.loads(seller_event("order.created", 3, order)) == {
        "type": "order.created",
        "seq": 3,
        "order": order,
    }
    assert json.loads(order_updated(order)) == {"type": "order.updated", "order": order}
