"""The WebSocket protocol every socket server uses closes bad frames with the contract's 4400."""

from __future__ import annotations

import asyncio
import struct
from typing import Any

import pytest
import uvicorn
from uvicorn.server import ServerState
from websockets.client import ClientProtocol
from websockets.frames import Close, Frame, Opcode
from websockets.http11 import Request
from websockets.protocol import OPEN
from websockets.uri import parse_uri

from shared.serve import MALFORMED_FRAME, ContractServerProtocol, ContractWebSocketProtocol

MAX_SIZE = 64 * 1024


def open_server() -> ContractServerProtocol:
    """A server past its opening handshake with a websockets client."""
    client = ClientProtocol(parse_uri("ws://127.0.0.1/ws/seller"))
    client.send_request(client.connect())
    server = ContractServerProtocol(max_size=MAX_SIZE)
    server.receive_data(b"".join(client.data_to_send()))
    [request] = server.events_received()
    assert isinstance(request, Request)
    server.send_response(server.accept(request))
    assert server.state is OPEN
    server.data_to_send()
    return server


def client_frame(opcode: int, payload: bytes, *, rsv1: bool = False) -> bytes:
    """A masked frame as a client sends it (mask of zeros, so the payload reads as is)."""
    first = 0x80 | (0x40 if rsv1 else 0) | opcode
    if len(payload) < 126:
        header = struct.pack("!BB", first, 0x80 | len(payload))
    elif len(payload) < 2**16:
        header = struct.pack("!BBH", first, 0x80 | 126, len(payload))
    else:
        header = struct.pack("!BBQ", first, 0x80 | 127, len(payload))
    return header + b"\x00\x00\x00\x00" + payload


def close_sent(server: ContractServerProtocol) -> Close:
    assert server.close_sent is not None, "the server did not close"
    return server.close_sent


@pytest.mark.parametrize(
    ("what", "data"),
    [
        ("a message over the size cap", client_frame(Opcode.TEXT.value, b"x" * (MAX_SIZE + 1))),
        ("a reserved bit set", client_frame(Opcode.TEXT.value, b"{}", rsv1=True)),
        ("an unknown opcode", client_frame(0x3, b"{}")),
    ],
)
def test_a_frame_the_websocket_layer_refuses_closes_with_4400(what: str, data: bytes) -> None:
    server = open_server()
    server.receive_data(data)
    close = close_sent(server)
    assert close.code == MALFORMED_FRAME, what
    assert close.reason.startswith("malformed or oversized frame")
    assert len(close.serialize()) <= 125  # a control frame's payload limit


def test_a_well_formed_frame_reaches_the_application() -> None:
    server = open_server()
    server.receive_data(client_frame(Opcode.TEXT.value, b'{"type": "subscribe"}'))
    assert server.close_sent is None
    [event] = server.events_received()
    assert event == Frame(Opcode.TEXT, b'{"type": "subscribe"}')


def test_the_close_for_a_text_message_that_is_not_utf8_is_4400() -> None:
    server = open_server()
    server.send_close(1007)  # what uvicorn sends when a text message does not decode
    assert close_sent(server).code == MALFORMED_FRAME


def test_other_close_codes_are_left_alone() -> None:
    server = open_server()
    server.fail(1011, "keepalive ping timeout")
    assert close_sent(server).code == 1011
    app_closes = open_server()
    app_closes.send_close(4403, "real-time orders are disabled")
    assert close_sent(app_closes) == Close(4403, "real-time orders are disabled")


class FakeTransport(asyncio.Transport):
    """Just enough of a socket's transport for uvicorn's WebSocket protocol."""

    def __init__(self) -> None:
        super().__init__()
        self.written = bytearray()
        self.closing = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 8000) if name in ("sockname", "peername") else default

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written.extend(data)

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True


async def test_the_handshake_headers_are_let_go_once_the_socket_is_accepted() -> None:
    seen: dict[str, Any] = {}
    accepted = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()  # websocket.connect
        seen["request"], seen["scope_headers"] = protocol.request, list(scope["headers"])
        await send({"type": "websocket.accept"})
        accepted.set()
        await receive()

    config = uvicorn.Config(app, ws=ContractWebSocketProtocol, log_config=None, ws_per_message_deflate=False)
    config.load()
    protocol = ContractWebSocketProtocol(config=config, server_state=ServerState(), app_state={})
    protocol.connection_made(FakeTransport())
    client = ClientProtocol(parse_uri("ws://127.0.0.1/ws/seller"))
    client.send_request(client.connect())
    protocol.data_received(b"".join(client.data_to_send()))
    async with asyncio.timeout(5):
        await accepted.wait()
    assert protocol.request is None and protocol.response is None
    assert len(seen["request"].headers) == 0  # emptied: websockets' parser still holds the object
    # The application's copy of the headers is its own.
    assert (b"upgrade", b"websocket") in [(name.lower(), value) for name, value in seen["scope_headers"]]
    protocol.connection_lost(None)


class CountingTransport(FakeTransport):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writes += 1
        super().write(data)


async def accepted_protocol(app: Any) -> tuple[ContractWebSocketProtocol, CountingTransport, ClientProtocol]:
    config = uvicorn.Config(app, ws=ContractWebSocketProtocol, log_config=None, ws_per_message_deflate=False)
    config.load()
    protocol = ContractWebSocketProtocol(config=config, server_state=ServerState(), app_state={})
    transport = CountingTransport()
    protocol.connection_made(transport)
    client = ClientProtocol(parse_uri("ws://127.0.0.1/ws/seller"))
    client.send_request(client.connect())
    protocol.data_received(b"".join(client.data_to_send()))
    return protocol, transport, client


def received_by(client: ClientProtocol, transport: CountingTransport) -> list[Frame]:
    client.receive_data(bytes(transport.written))
    transport.written.clear()
    return [event for event in client.events_received() if isinstance(event, Frame)]


async def test_messages_sent_in_one_turn_go_out_in_one_write_in_order_and_before_a_close() -> None:
    writes: list[int] = []
    done = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        writes.append(transport.writes)
        for index in range(3):
            await send({"type": "websocket.send", "text": f'{{"n": {index}}}'})
        await send({"type": "websocket.send", "bytes": b"raw"})
        writes.append(transport.writes)  # nothing written yet
        await asyncio.sleep(0)  # the end of the turn writes them
        writes.append(transport.writes)
        await send({"type": "websocket.send", "text": "last"})
        await send({"type": "websocket.close", "code": 4403, "reason": "bye"})
        done.set()

    protocol, transport, client = await accepted_protocol(app)
    async with asyncio.timeout(5):
        await done.wait()
    handshake = writes[0]
    assert writes == [handshake, handshake, handshake + 1]
    frames = received_by(client, transport)
    assert [frame.data for frame in frames[:4]] == [b'{"n": 0}', b'{"n": 1}', b'{"n": 2}', b"raw"]
    assert [frame.opcode for frame in frames[:4]] == [Opcode.TEXT] * 3 + [Opcode.BINARY]
    assert frames[4].data == b"last" and frames[5].opcode is Opcode.CLOSE  # written before the close
    protocol.connection_lost(None)


async def test_nothing_queued_is_written_after_the_connection_closed() -> None:
    queued = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": "never written"})
        protocol.conn.send_close(1000)  # as uvicorn does when the client closes
        transport.close()
        queued.set()
        await receive()

    protocol, transport, _client = await accepted_protocol(app)
    async with asyncio.timeout(5):
        await queued.wait()
    await asyncio.sleep(0)
    assert transport.writes == 1  # the handshake's answer
    assert b"never written" not in transport.written
    protocol.connection_lost(None)
