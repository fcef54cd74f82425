"""An outside client of the gateway: the public API over HTTP and the two sockets."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import websockets
from websockets.asyncio.client import ClientConnection

RECV_TIMEOUT_S = 10.0

PRODUCTS = [
    {
        "name": "Masala Dosa",
        "price_cents": 850,
        "custom_fields": [
            {
                "key": "spice",
                "label": "Spice level",
                "type": "select",
                "required": True,
                "options": ["Mild", "Medium", "Hot"],
            },
            {"key": "extra_chutney", "label": "Extra chutney", "type": "checkbox"},
        ],
    },
    {
        "name": "Birthday Cake",
        "price_cents": 3200,
        "custom_fields": [
            {
                "key": "message",
                "label": "Message on the cake",
                "type": "text",
                "required": True,
                "max_length": 40,
            },
            {"key": "candles", "label": "Candles", "type": "number", "min": 0, "max": 99},
        ],
    },
]


def order_body(products: list[dict[str, Any]], name: str = "Asha") -> dict[str, Any]:
    dosa, cake = products
    return {
        "customer": {"name": name, "phone": "+1 555 0100"},
        "delivery_address": {
            "line1": "12 Main St",
            "line2": "Apt 4",
            "city": "Springfield",
            "postal_code": "12345",
            "instructions": "Ring twice",
        },
        "payment_method": "cod",
        "items": [
            {"product_id": dosa["id"], "quantity": 2, "custom_fields": {"spice": "Hot"}},
            {
                "product_id": cake["id"],
                "quantity": 1,
                "custom_fields": {"message": "Happy birthday <Ravi> & co", "candles": 7},
            },
        ],
    }


@dataclass
class Seller:
    api: httpx.AsyncClient
    token: str
    seller: dict[str, Any]
    products: list[dict[str, Any]] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return str(self.seller["slug"])

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def patch(self, **changes: Any) -> dict[str, Any]:
        response = await self.api.patch("/api/seller", json=changes, headers=self.auth)
        assert response.status_code == 200, response.text
        self.seller = response.json()
        return self.seller

    async def place_order(self, key: str | None = None, name: str = "Asha") -> httpx.Response:
        headers = {"Idempotency-Key": key} if key else {}
        return await self.api.post(
            f"/api/storefronts/{self.slug}/orders", json=order_body(self.products, name), headers=headers
        )

    async def set_status(self, order_id: str, status: str, **extra: Any) -> httpx.Response:
        return await self.api.post(
            f"/api/seller/orders/{order_id}/status", json={"status": status, **extra}, headers=self.auth
        )

    async def head_seq(self) -> int:
        response = await self.api.get("/api/seller/orders", params={"limit": 1}, headers=self.auth)
        assert response.status_code == 200, response.text
        return int(response.json()["head_seq"])


async def new_seller(api: httpx.AsyncClient, *, realtime: bool = True) -> Seller:
    suffix = uuid.uuid4().hex[:8]
    response = await api.post(
        "/api/auth/signup",
        json={
            "email": f"seller-{suffix}@example.com",
            "password": "correct horse battery",
            "business_name": f"Dosa Corner {suffix}",
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    seller = Seller(api=api, token=body["access_token"], seller=body["seller"])
    if realtime:
        await seller.patch(
            realtime_enabled=True, payment_methods=["cod", "zelle"], zelle_handle="pay@dosa.example"
        )
    for product in PRODUCTS:
        created = await api.post("/api/seller/products", json=product, headers=seller.auth)
        assert created.status_code == 201, created.text
        seller.products.append(created.json())
    return seller


class Socket:
    """A client socket that skips heartbeats and waits for frames with a timeout."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection

    @classmethod
    async def open(cls, gateway_url: str, path: str, **headers: str) -> Socket:
        url = gateway_url.replace("http://", "ws://") + path
        connection = await websockets.connect(url, additional_headers=headers or None, open_timeout=10)
        return cls(connection)

    async def send(self, frame: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(frame))

    async def recv(self, timeout: float = RECV_TIMEOUT_S) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            while True:
                frame: dict[str, Any] = json.loads(await self.connection.recv())
                if frame.get("type") != "heartbeat":
                    return frame

    async def recv_events(self, count: int, timeout: float = RECV_TIMEOUT_S) -> list[dict[str, Any]]:
        return [await self.recv(timeout) for _ in range(count)]

    async def nothing_more(self, within: float = 0.5) -> bool:
        try:
            frame = await self.recv(within)
        except TimeoutError:
            return True
        raise AssertionError(f"unexpected frame {frame}")

    async def closed_with(self, timeout: float = RECV_TIMEOUT_S) -> int | None:
        async with asyncio.timeout(timeout):
            try:
                while True:
                    await self.connection.recv()
            except websockets.ConnectionClosed as closed:
                return closed.rcvd.code if closed.rcvd else None
        return None

    async def close(self) -> None:
        await self.connection.close()


async def seller_socket(
    gateway_url: str, seller: Seller, last_seq: int | None = None
) -> tuple[Socket, dict[str, Any]]:
    socket = await Socket.open(gateway_url, "/ws/seller")
    frame: dict[str, Any] = {"type": "subscribe", "token": seller.token}
    if last_seq is not None:
        frame["last_seq"] = last_seq
    await socket.send(frame)
    subscribed = await socket.recv()
    assert subscribed["type"] == "subscribed", subscribed
    return socket, subscribed
