"""Rules of the WebSocket pipe that need no I/O: frame limits and close codes."""

from __future__ import annotations

MAX_CLIENT_FRAME_BYTES = 4096
MALFORMED_FRAME = 4400
SERVICE_RESTART = 1012
NORMAL_CLOSURE = 1000
FOREIGN_ORIGIN = 4403
NOT_AUTHENTICATED = 4401
# The contract's limit for the first (subscribe) frame, counted from the client's connection:
# also while the link to a notifier is being opened.
SUBSCRIBE_WITHIN_S = 5.0

# Codes a peer may not put in a Close frame (RFC 6455 §7.4.1) or that mean the notifier is gone.
_GONE = frozenset({1001, 1006, 1015})


def client_frame_problem(text: str | None) -> str | None:
    """Why a client's frame is refused (binary or over 4 KiB of UTF-8), or None when it may pass."""
    if text is None:
        return "binary frames are not accepted"
    # A str of n characters is at most 4n bytes of UTF-8: encode only when it could be too long.
    if len(text) * 4 > MAX_CLIENT_FRAME_BYTES and len(text.encode("utf-8")) > MAX_CLIENT_FRAME_BYTES:
        return f"frame over {MAX_CLIENT_FRAME_BYTES} bytes"
    return None


def _sendable(code: int) -> bool:
    return code in (1000, 1002, 1003) or 1007 <= code <= 1014 or 3000 <= code <= 4999


def client_close_code(upstream_code: int | None) -> int:
    """The code the client's socket closes with once the notifier's side has closed.

    The notifier's own codes (4400, 4401, 4403, 4404, 1008, 1013, …) pass through; a lost,
    abnormal or going-away notifier becomes 1012 so the client reconnects at once.
    """
    if upstream_code is None or upstream_code in _GONE:
        return SERVICE_RESTART
    if upstream_code == 1005:  # a Close frame without a code: a plain normal closure
        return NORMAL_CLOSURE
    return upstream_code if _sendable(upstream_code) else SERVICE_RESTART


def rotation(count: int, start: int) -> list[int]:
    """Indexes of `count` notifiers to try, round robin from `start`."""
    return [(start + offset) % count for offset in range(count)]
