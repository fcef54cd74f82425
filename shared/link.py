"""The link between the gateway and a notifier: one WebSocket that carries many client sockets.

The gateway keeps one link per notifier (not one socket per client), so a client costs it one
descriptor instead of two, and the notifier no socket at all. Each client is a *channel*, numbered
by the gateway, and every link frame is a text frame of one line of header and the body:

- `O<channel>\\n<JSON>`: the gateway opens a channel for a client socket (`ChannelOpen`);
- `F<channel>\\n<text>`: one text frame of the client's, either way, passed on as it is;
- `C<channel>\\n<code> <reason>`: the channel is over: from the notifier, close the client with
  that code; from the gateway, the client has gone (its close code).

Frames for a channel the receiver does not know (any more) are ignored: either side may end a
channel while the other's frames for it are on the way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

LINK_PATH = "/ws/link"

OPEN = "O"
FRAME = "F"
CLOSE = "C"

Op = Literal["O", "F", "C"]


class BadLinkFrame(ValueError):
    """A link frame that does not follow the format (a bug on the other side)."""


@dataclass(frozen=True, slots=True)
class ChannelOpen:
    """What the notifier needs to know of a client socket. `path` is the client's socket path
    (`/ws/seller` or `/ws/orders/<id>`); `seller_id` is set for a seller signed in with the
    session cookie (the gateway checked it), like the seller header of an internal request."""

    path: str
    seller_id: str | None = None
    request_id: str = ""

    def encode(self) -> str:
        return json.dumps({"path": self.path, "seller_id": self.seller_id, "request_id": self.request_id})

    @classmethod
    def decode(cls, body: str) -> ChannelOpen:
        try:
            value = json.loads(body)
            path, seller_id, request_id = value["path"], value["seller_id"], value["request_id"]
        except (ValueError, TypeError, KeyError) as exc:
            raise BadLinkFrame(f"unreadable channel opening: {exc!r}") from exc
        if not isinstance(path, str) or not isinstance(request_id, str):
            raise BadLinkFrame("unreadable channel opening")
        if seller_id is not None and not isinstance(seller_id, str):
            raise BadLinkFrame("unreadable channel opening")
        return cls(path, seller_id, request_id)


def open_frame(channel: int, opening: ChannelOpen) -> str:
    return f"{OPEN}{channel}\n{opening.encode()}"


def text_frame(channel: int, text: str) -> str:
    return f"{FRAME}{channel}\n{text}"


def close_frame(channel: int, code: int, reason: str = "") -> str:
    return f"{CLOSE}{channel}\n{code} {reason}"


def parse(frame: str) -> tuple[Op, int, str]:
    """(op, channel, body) of one link frame."""
    head, newline, body = frame.partition("\n")
    op, channel = head[:1], head[1:]
    if not newline or op not in (OPEN, FRAME, CLOSE) or not _is_number(channel):
        raise BadLinkFrame(f"not a link frame: {frame[:40]!r}")
    return op, int(channel), body  # type: ignore[return-value]


def parse_close(body: str) -> tuple[int, str]:
    """The code and reason of a close frame's body."""
    code, _, reason = body.partition(" ")
    if not _is_number(code):
        raise BadLinkFrame(f"not a close code: {code[:10]!r}")
    return int(code), reason


def _is_number(text: str) -> bool:
    return 0 < len(text) <= 18 and text.isascii() and text.isdigit()
