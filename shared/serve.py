"""Serving a service's ASGI app with uvicorn: the settings every service shares, and a WebSocket
protocol that answers a malformed or oversized frame with the contract's close code."""

from __future__ import annotations

from typing import Any

import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import CloseCode
from websockets.server import ServerProtocol

# The contract's close code for "a malformed or oversized frame".
MALFORMED_FRAME = 4400
# What the WebSocket layer would say itself for frames the application never sees: a broken
# frame (1002), a text frame that is not UTF-8 (1007), a message over the size cap (1009).
_FRAME_FAILURES = frozenset({CloseCode.PROTOCOL_ERROR, CloseCode.INVALID_DATA, CloseCode.MESSAGE_TOO_BIG})


class ContractServerProtocol(ServerProtocol):
    """websockets' server protocol, closing with 4400 where it would close with 1002/1007/1009,
    so that a client sees the same code for every frame it should not have sent."""

    def fail(self, code: CloseCode | int, reason: str = "") -> None:
        super().fail(*_as_contract(code, reason))

    def send_close(self, code: CloseCode | int | None = None, reason: str = "") -> None:
        # uvicorn itself closes with 1007 when a text message does not decode as UTF-8.
        if code is None:
            super().send_close()
        else:
            super().send_close(*_as_contract(code, reason))


def _as_contract(code: CloseCode | int, reason: str) -> tuple[int, str]:
    if code in _FRAME_FAILURES:
        return MALFORMED_FRAME, f"malformed or oversized frame: {reason}"[:120]
    return code, reason


class ContractWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O WebSocket protocol on `ContractServerProtocol`, which forgets the
    opening handshake's headers once it is answered: nothing reads them again (the ASGI scope
    has its own copy), yet a long-lived socket would keep them, parsed, for its whole life."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conn = ContractServerProtocol(
            extensions=self.conn.available_extensions,
            max_size=self.config.ws_max_size,
            logger=self.conn.logger,
        )

    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.accept" and self.handshake_complete:
            # Emptied, not just dropped: websockets' parser keeps the request object too.
            self.request.headers.clear()
            self.request = self.response = None  # type: ignore[assignment]


def serve(
    app: ASGIApp,
    *,
    host: str,
    port: int,
    graceful_shutdown_s: int = 10,
    ws_max_size: int = 64 * 1024,
    ws_max_queue: int = 32,
    **options: Any,
) -> None:
    """Run `app` until SIGINT/SIGTERM. Logging is `shared.logs`' (no access log); sockets get no
    compression (a deflate context per socket costs far more memory than small frames save)."""
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=graceful_shutdown_s,
        ws=ContractWebSocketProtocol,
        ws_per_message_deflate=False,
        ws_max_size=ws_max_size,
        ws_max_queue=ws_max_queue,
        **options,
    )
