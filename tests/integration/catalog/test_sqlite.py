"""The catalog on SQLite (the default for one machine): a smoke test of the main paths."""

from __future__ import annotations

import asyncio
from pathlib import Path

from shared.security import seller_id_from_token
from tests.conftest import Backing

from .conftest import PUBLIC_URL, SECRET, catalog_settings, running_catalog


async def test_the_catalog_works_on_sqlite(tmp_path: Path, backing: Backing) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'var' / 'catalog.db'}"
    async with running_catalog(catalog_settings(url, backing.amqp_url)) as catalog:
        assert (await catalog.client.get("/readyz")).status_code == 200
        signups = await asyncio.gather(
            *(
                catalog.client.post(
                    "/api/auth/signup",
                    json={
                        "email": "same@example.com",
                        "password": "password-123",
                        "business_name": "Lite Bites",
                    },
                )
                for _ in range(4)
            )
        )
        assert sorted(response.status_code for response in signups) == [201, 409, 409, 409]
        second = await catalog.signup(business_name="Lite Bites")
        assert second["seller"]["slug"] == "lite-bites-2"

        login = await catalog.client.post(
            "/api/auth/login", json={"email": "same@example.com", "password": "password-123"}
        )
        seller_id = seller_id_from_token(SECRET, login.json()["access_token"])
        assert seller_id is not None
        headers = catalog.as_seller(seller_id)

        patched = await catalog.client.patch(
            "/api/seller",
            json={"realtime_enabled": True, "payment_methods": ["zelle"], "zelle_handle": "pay@lite.example"},
            headers=headers,
        )
        assert patched.status_code == 200
        assert patched.json()["storefront_url"] == f"{PUBLIC_URL}/s/lite-bites"

        ids = []
        for i in range(3):
            created = await catalog.client.post(
                "/api/seller/products",
                json={
                    "name": f"Bite {i}",
                    "price_cents": 100 * (i + 1),
                    "custom_fields": [{"key": "k", "label": "K", "type": "checkbox"}],
                },
                headers=headers,
            )
            assert created.status_code == 201
            ids.append(created.json()["id"])
        await catalog.client.patch(
            f"/api/seller/products/{ids[0]}", json={"available": False}, headers=headers
        )
        assert (
            await catalog.client.delete(f"/api/seller/products/{ids[1]}", headers=headers)
        ).status_code == 204

        storefront = (await catalog.client.get("/api/storefronts/lite-bites")).json()
        assert [p["id"] for p in storefront["products"]] == [ids[0], ids[2]]
        assert storefront["products"][0]["available"] is False
        assert storefront["seller"]["payment_methods"] == ["zelle"]
        qr = await catalog.client.get("/api/storefronts/lite-bites/qr.png")
        assert qr.status_code == 200 and qr.headers["content-type"] == "image/png"
        info = await catalog.client.get(f"/internal/sellers/{seller_id}")
        assert info.json()["realtime_enabled"] is True
