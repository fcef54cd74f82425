"""A WebSocket client written by hand, for what a well-behaved library will not do: stop
reading (with a tiny receive buffer), or send frames no library would send."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit


def masked_frame(payload: bytes, opcode: int = 0x1, fin: bool = True) -> bytes:
    """One client frame (clients must mask), of any opcode and length."""
    mask = os.urandom(4)
    head = bytes([(0x80 if fin else 0) | opcode])
    size = len(payload)
    if size < 126:
        head += bytes([0x80 | size])
    elif size < 2**16:
        head += bytes([0x80 | 126]) + size.to_bytes(2, "big")
    else:
        head += bytes([0x80 | 127]) + size.to_bytes(8, "big")
    return head + mask + bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))


@dataclass
class RawSocket:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    async def send(self, payload: bytes, opcode: int = 0x1) -> None:
        self.writer.write(masked_frame(payload, opcode))
        await self.writer.drain()

    async def send_json(self, frame: dict[str, Any]) -> None:
        await self.send(json.dumps(frame).encode())

    async def read_frame(self) -> tuple[int, bytes]:
        """(opcode, payload) of the next server frame (servers do not mask)."""
        first, second = await self.reader.readexactly(2)
        size = second & 0x7F
        if size == 126:
            size = int.from_bytes(await self.reader.readexactly(2), "big")
        elif size == 127:
            size = int.from_bytes(await self.reader.readexactly(8), "big")
        return first & 0x0F, await self.reader.readexactly(size)

    async def close_code(self, timeout: float = 10) -> int | None:
        """Read until the server's Close frame (its code) or the end of the stream (None)."""
        async with asyncio.timeout(timeout):
            while True:
                try:
                    opcode, payload = await self.read_frame()
                except (asyncio.IncompleteReadError, ConnectionError):
                    return None
                if opcode == 0x8:
                    return int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005

    def stop_reading(self) -> None:
        cast(asyncio.Transport, self.writer.transport).pause_reading()

    def abort(self) -> None:
        self.writer.transport.abort()


@asynccontextmanager
async def raw_socket(
    gateway_url: str, path: str, receive_buffer: int | None = None
) -> AsyncIterator[RawSocket]:
    parts = urlsplit(gateway_url)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if receive_buffer is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, (parts.hostname or "127.0.0.1", parts.port or 80))
    reader, writer = await asyncio.open_connection(sock=sock, limit=2**22)
    try:
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        response = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        assert response.startswith(b"HTTP/1.1 101"), response
        yield RawSocket(reader, writer)
    finally:
        writer.transport.abort()
