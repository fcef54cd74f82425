"""The outgoing side of one client socket: a bounded queue, a sender, and a way to drop it.

A slow client must not slow anyone else down, so nothing ever awaits a client's socket except
that socket's own sender task, and a client that falls behind is dropped instead of waited for.
The notifier uses it for every socket it serves, the gateway for every client socket it
relays (its link to a notifier carries many clients and must never wait for one).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import dataclass
from typing import Protocol

from starlette.websockets import WebSocketDisconnect

from shared.metrics import COMMIT_TO_PUSH

log = logging.getLogger(__name__)

CLOSE_TIMEOUT_S = 1.0
TRY_AGAIN_LATER = 1013  # the close code of a client dropped for being too slow


class FrameSink(Protocol):
    """Where frames go: a Starlette WebSocket, or one channel of a link (see shared.link)."""

    async def send_text(self, data: str) -> None: ...

    async def close(self, code: int = 1000, reason: str | None = None) -> None: ...


@dataclass(frozen=True, slots=True)
class OutFrame:
    """One frame to send. `occurred_at` (epoch seconds) is set for live events, whose
    commit-to-push time is measured when they go out."""

    text: str
    occurred_at: float | None = None


@dataclass(frozen=True, slots=True)
class SendLimits:
    queue_limit: int
    send_timeout_s: float


class Connection:
    """Frames for one client go into a bounded queue drained by a sender task that exists only
    while there is something to send, so an idle socket costs no task.

    A client that falls `queue_limit` frames behind, or does not take a frame within
    `send_timeout_s`, is dropped: the task serving the socket is cancelled and closes it
    with the code given to `drop` (see `api.sockets.run_socket`).
    """

    __slots__ = (
        "_drained",
        "_ending",
        "_endpoint",
        "_limits",
        "_queue",
        "_sender",
        "_websocket",
        "close_code",
        "close_reason",
        "open",
    )

    def __init__(self, websocket: FrameSink, limits: SendLimits) -> None:
        self._websocket = websocket
        self._limits = limits
        self._queue: deque[OutFrame] = deque()
        self._sender: asyncio.Task[None] | None = None
        self._endpoint: asyncio.Task[object] | None = asyncio.current_task()
        self._drained: asyncio.Event | None = None
        self._ending: tuple[int, str] | None = None
        self.open = True
        self.close_code: int | None = None
        self.close_reason = ""

    @property
    def queue_limit(self) -> int:
        return self._limits.queue_limit

    @property
    def room(self) -> int:
        """How many more frames fit in the queue."""
        return self._limits.queue_limit - len(self._queue)

    def send(self, frame: OutFrame) -> None:
        """Queue a frame; never waits. A client too far behind is dropped."""
        if not self.open:
            return
        if len(self._queue) >= self._limits.queue_limit:
            log.warning("dropping a client that is too far behind")
            self.drop(TRY_AGAIN_LATER)
            return
        self._queue.append(frame)
        if self._sender is None:
            self._sender = asyncio.get_running_loop().create_task(self._drain())

    async def wait_drained(self, at_most_s: float) -> None:
        """Wait (at most `at_most_s`) until everything queued has been sent."""
        if not self._queue or not self.open:
            return
        if self._drained is None:
            self._drained = asyncio.Event()
        self._drained.clear()
        try:
            async with asyncio.timeout(at_most_s):
                await self._drained.wait()
        except TimeoutError:
            pass

    def drop(self, code: int, reason: str = "") -> None:
        """Stop sending and have the socket closed with `code` (idempotent)."""
        if self.close_code is not None:
            return
        self.close_code, self.close_reason = code, reason
        self._stop_sending()
        endpoint, self._endpoint = self._endpoint, None
        if endpoint is not None and endpoint is not asyncio.current_task():
            endpoint.cancel()

    def end(self, code: int, reason: str = "") -> None:
        """Send what is queued (each frame within the send timeout), then drop with `code`."""
        if self._sender is None or not self.open:
            self.drop(code, reason)
        elif self._ending is None:
            self._ending = (code, reason)

    def taken_back(self) -> bool:
        """Called by the task serving the socket when it is cancelled: True, with the
        cancellation taken back, when `drop` cancelled it (the close code says how to close)."""
        if self.close_code is None:
            return False
        task = asyncio.current_task()
        assert task is not None
        task.uncancel()
        return True

    def closing(self, code: int, reason: str = "") -> None:
        """The task serving the socket decided to close it with `code`."""
        if self.close_code is None:
            self.close_code, self.close_reason = code, reason
        self._endpoint = None
        self._stop_sending()

    async def finish(self) -> None:
        """Called last by the task serving the socket: stop sending, close if asked to."""
        self._endpoint = None
        if self.close_code is None:
            self._stop_sending()
            return
        self._stop_sending()
        try:
            async with asyncio.timeout(CLOSE_TIMEOUT_S):
                await self._websocket.close(self.close_code, self.close_reason)
        except (TimeoutError, WebSocketDisconnect, RuntimeError, OSError):
            pass  # the client is gone or not reading; uvicorn reclaims the connection

    def _stop_sending(self) -> None:
        self.open = False
        self._queue.clear()
        sender, self._sender = self._sender, None
        if sender is not None and sender is not asyncio.current_task():
            sender.cancel()
        if self._drained is not None:
            self._drained.set()

    async def _drain(self) -> None:
        queue = self._queue
        try:
            while queue and self.open:
                frame = queue.popleft()
                async with asyncio.timeout(self._limits.send_timeout_s):
                    await self._websocket.send_text(frame.text)
                if frame.occurred_at is not None:
                    COMMIT_TO_PUSH.observe(max(0.0, time.time() - frame.occurred_at))
        except TimeoutError:
            log.warning("dropping a client that stopped reading")
            self._sender = None
            self.drop(TRY_AGAIN_LATER)
        except (WebSocketDisconnect, RuntimeError, OSError):
            # The client went away; the task serving the socket hears it from `receive`.
            self._sender = None
            self._stop_sending()
        finally:
            if self._sender is asyncio.current_task():
                self._sender = None
            if self._drained is not None and not queue:
                self._drained.set()
        if self._ending is not None and not queue:
            self.drop(*self._ending)
