"""The seller order list's keyset cursor: opaque to clients, tied to the filter it came from."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

MAX_CURSOR_LENGTH = 512


class InvalidCursor(ValueError):
    """Not a cursor this service issued for this filter."""


@dataclass(frozen=True)
class Cursor:
    """The last order of a page: the next page starts strictly after it (newest first)."""

    created_at: datetime
    order_id: str
    status: str | None


def encode_cursor(cursor: Cursor) -> str:
    payload = {"t": cursor.created_at.isoformat(), "i": cursor.order_id, "s": cursor.status}
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(text: str, status: str | None) -> Cursor:
    """The cursor in `text`, which must belong to the list filtered by `status`."""
    if not text or len(text) > MAX_CURSOR_LENGTH:
        raise InvalidCursor("malformed cursor")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        payload = json.loads(raw)
        created_at = datetime.fromisoformat(payload["t"])
        order_id = payload["i"]
        cursor_status = payload["s"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise InvalidCursor("malformed cursor") from exc
    if created_at.tzinfo is None or not isinstance(order_id, str) or not order_id:
        raise InvalidCursor("malformed cursor")
    if cursor_status != status:
        raise InvalidCursor("this cursor belongs to a different status filter")
    return Cursor(created_at, order_id, status)
