"""A WebSocket client for the tests: JSON frames, heartbeats skipped, close codes observed."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from services.gateway.domain.credentials import SESSION_COOKIE

FRAME_TIMEOUT_S = 10.0


def open_socket(url: str, *, cookie: str | None = None, origin: str | None = None) -> connect:
    headers: dict[str, str] = {}
    if cookie is not None:
        headers["Cookie"] = f"{SESSION_COOKIE}={cookie}"
    return connect(url, additional_headers=headers, origin=origin, open_timeout=10)  # type: ignore[arg-type]


async def send_json(ws: ClientConnection, frame: dict[str, Any]) -> None:
    await ws.send(json.dumps(frame))


async def next_frame(ws: ClientConnection, timeout: float = FRAME_TIMEOUT_S) -> dict[str, Any]:
    """The next frame that is not a heartbeat."""
    async with asyncio.timeout(timeout):
        while True:
            frame: dict[str, Any] = json.loads(await ws.recv())
            if frame.get("type") != "heartbeat":
                return frame


async def close_code(ws: ClientConnection, timeout: float = FRAME_TIMEOUT_S) -> int | None:
    """The code the server closes the socket with (None when it closed without a Close frame)."""
    async with asyncio.timeout(timeout):
        try:
            while True:
                await ws.recv()
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd is not None else None
