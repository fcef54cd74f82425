"""Serving a service's ASGI app with uvicorn: the settings every service shares, and a WebSocket
protocol that answers a malformed or oversized frame with the contract's close code."""

from __future__ import annotations

from typing import Any

import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.utils import ClientDisconnected
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.exceptions import InvalidState
from websockets.frames import CloseCode
from websockets.protocol import OPEN
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
    has its own copy), yet a long-lived socket would keep them, parsed, for its whole life.

    Messages sent in one turn of the event loop go out in one write: uvicorn writes each
    message to the socket at once, a system call per frame, and a replay, or the notifier's
    link carrying many clients' frames, sends dozens in a row. Anything else the application
    sends (a close above all) first writes what is waiting, so the order never changes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conn = ContractServerProtocol(
            extensions=self.conn.available_extensions,
            max_size=self.config.ws_max_size,
            logger=self.conn.logger,
        )
        self._unwritten: list[bytes] = []

    async def send(self, message: Any) -> None:
        if (
            message["type"] == "websocket.send"
            and self.handshake_complete
            and self.initial_response is None
            and not self.close_sent
        ):
            await self._queue_message(message)
            return
        self._write_queued()
        await super().send(message)
        if message["type"] == "websocket.accept" and self.handshake_complete:
            # Emptied, not just dropped: websockets' parser keeps the request object too.
            self.request.headers.clear()
            self.request = self.response = None  # type: ignore[assignment]

    async def _queue_message(self, message: Any) -> None:
        # What uvicorn's own `send` does for a message, but for the write.
        await self.writable.wait()
        if self.disconnected:
            raise ClientDisconnected()
        try:
            if (data := message.get("bytes")) is not None:
                self.conn.send_binary(data)
            elif (text := message.get("text")) is not None:
                self.conn.send_text(text.encode())
        except InvalidState:
            raise ClientDisconnected() from None
        if not self._unwritten:
            self.loop.call_soon(self._write_queued)
        self._unwritten.extend(self.conn.data_to_send())

    def _write_queued(self) -> None:
        if not self._unwritten:
            return
        output = b"".join(self._unwritten)
        self._unwritten.clear()
        # Closed meanwhile by uvicorn itself (the client's close, a failed frame): the client
        # is going, and nothing may follow a close frame.
        if self.conn.state is OPEN and not self.transport.is_closing():
            self.transport.write(output)


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
