"""Idempotency keys: the accepted shape and the fingerprint of a request body."""

from __future__ import annotations

import hashlib
import json
from typing import Any

# 1 to 255 printable ASCII characters (space included, as in the contract).
KEY_PATTERN = r"^[\x20-\x7e]{1,255}$"


def canonical_json(value: Any) -> str:
    """One text per JSON value: sorted keys, no spaces, ASCII only (so even a lone surrogate
    in a string encodes)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def request_hash(body: Any) -> str:
    """Equal for JSON-equal bodies, whatever their key order or spacing."""
    return hashlib.sha256(canonical_json(body).encode("ascii")).hexdigest()
