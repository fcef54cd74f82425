"""The frames of the two sockets: what a client may send (validated here, without I/O) and
the JSON text of what the server sends."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import orjson

MAX_FRAME_BYTES = 4096
# Frames a client may send after subscribing; they keep a connection warm and are ignored.
KEEPALIVE_TYPES = frozenset({"heartbeat", "ping"})

HEARTBEAT = '{"type":"heartbeat"}'


class CloseCode(IntEnum):
    MALFORMED = 4400
    NOT_AUTHENTICATED = 4401
    FORBIDDEN = 4403  # real-time orders are off for the seller
    NOT_FOUND = 4404
    INTERNAL_ERROR = 1011
    TRY_AGAIN_LATER = 1013  # a dependency is unavailable, or the client is too slow


class MalformedFrame(ValueError):
    """A frame the server refuses: the socket is closed with 4400."""


@dataclass(frozen=True, slots=True)
class SellerSubscribe:
    token: str | None
    last_seq: int | None


@dataclass(frozen=True, slots=True)
class OrderSubscribe:
    key: str


# --- client frames ---------------------------------------------------------------------


def decode_frame(message: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON object carried by one ASGI `websocket.receive` message."""
    text = message.get("text")
    if not isinstance(text, str):
        raise MalformedFrame("only JSON text frames are accepted")
    if len(text) > MAX_FRAME_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
        raise MalformedFrame(f"frames are limited to {MAX_FRAME_BYTES} bytes")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise MalformedFrame("a frame must be JSON") from exc
    if not isinstance(value, dict):
        raise MalformedFrame("a frame must be a JSON object")
    if "\\u" in text and _has_lone_surrogate(value):
        raise MalformedFrame("a frame must be Unicode text (an unpaired \\uD800-\\uDFFF is not)")
    return value


def _has_lone_surrogate(value: dict[str, Any]) -> bool:
    """JSON may escape half a surrogate pair; no token, key or encoder downstream can use it."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def parse_seller_subscribe(frame: Mapping[str, Any]) -> SellerSubscribe:
    """`{"type": "subscribe", "token"?: str, "last_seq"?: int}`."""
    _expect_subscribe(frame)
    token = frame.get("token")
    if token is not None and not isinstance(token, str):
        raise MalformedFrame("token must be a string")
    last_seq = frame.get("last_seq")
    if last_seq is not None and (not isinstance(last_seq, int) or isinstance(last_seq, bool)):
        raise MalformedFrame("last_seq must be an integer")
    return SellerSubscribe(token=token, last_seq=last_seq)


def parse_order_subscribe(frame: Mapping[str, Any]) -> OrderSubscribe:
    """`{"type": "subscribe", "key": str}`; a missing key counts as a wrong one."""
    _expect_subscribe(frame)
    key = frame.get("key")
    if key is not None and not isinstance(key, str):
        raise MalformedFrame("key must be a string")
    return OrderSubscribe(key=key or "")


def check_followup(frame: Mapping[str, Any]) -> None:
    """After subscribing, a client has nothing to say but keepalives."""
    if frame.get("type") not in KEEPALIVE_TYPES:
        raise MalformedFrame("unexpected frame after subscribing")


def _expect_subscribe(frame: Mapping[str, Any]) -> None:
    if frame.get("type") != "subscribe":
        raise MalformedFrame('the first frame must be {"type": "subscribe", ...}')


# --- server frames ---------------------------------------------------------------------


def _dump(value: dict[str, Any]) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # an integer beyond 64 bits (orjson's limit) in an order logged before
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def seller_subscribed(seller_id: str, head_seq: int) -> str:
    return _dump({"type": "subscribed", "seller_id": seller_id, "head_seq": head_seq})


def reset(head_seq: int) -> str:
    return _dump({"type": "reset", "head_seq": head_seq})


def seller_event(socket_type: str, seq: int, order: dict[str, Any]) -> str:
    return _dump({"type": socket_type, "seq": seq, "order": order})


def order_subscribed(customer_order: dict[str, Any]) -> str:
    return _dump({"type": "subscribed", "order": customer_order})


def order_updated(customer_order: dict[str, Any]) -> str:
    return _dump({"type": "order.updated", "order": customer_order})
