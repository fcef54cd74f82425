"""A small HTTP/1.1 client with keep-alive connections, for the load generator.

The load generator shares two cores with everything it measures, so each request should
cost it as little as possible: this writes one request and reads one response per call,
with no more parsing than a status, Content-Length or chunked body needs.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

# Servers close idle keep-alive connections (uvicorn after 5 s); a connection idle longer
# than this is not reused, so a request never races the server's close.
IDLE_REUSE_S = 2.0


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case


def request_head(method: str, path: str, host: str, port: int, length: int, headers: dict[str, str]) -> bytes:
    """The request line and headers of a JSON request with a body of `length` bytes."""
    return (
        f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {length}\r\n"
        + "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        + "\r\n"
    ).encode("latin-1")


class ConnectionPool:
    """Up to `size` keep-alive connections to one host; a request waits for a free one."""

    def __init__(self, host: str, port: int, size: int) -> None:
        self.host = host
        self.port = port
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []
        self._slots = asyncio.Semaphore(size)

    async def post(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> Response:
        head = request_head("POST", path, self.host, self.port, len(body), headers or {})
        async with self._slots:
            reused = self._take_idle()
            if reused is not None:
                try:
                    return await self._exchange(*reused, head + body)
                except (ConnectionError, asyncio.IncompleteReadError):
                    pass  # the server closed it meanwhile: nothing was answered, so send again
            return await self._exchange(*await self._open(), head + body)

    def _take_idle(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        now = time.monotonic()
        while self._idle:
            reader, writer, since = self._idle.pop()
            if now - since < IDLE_REUSE_S and not reader.at_eof():
                return reader, writer
            writer.close()
        return None

    async def _exchange(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, data: bytes
    ) -> Response:
        try:
            writer.write(data)
            response, keep = await read_response(reader)
        except BaseException:
            writer.close()
            raise
        if keep:
            self._idle.append((reader, writer, time.monotonic()))
        else:
            writer.close()
        return response

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        for _, writer, _ in self._idle:
            writer.close()
        self._idle.clear()


async def read_response(reader: asyncio.StreamReader) -> tuple[Response, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = await _read_chunked(reader)
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    keep = headers.get("connection", "").lower() != "close"
    return Response(status, body, headers), keep


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")  # the empty trailer
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
