"""The demo seller: a storefront to try the system with (`python -m services.catalog seed`).

Seeds only a catalog database without sellers, so running it again changes nothing.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from pwdlib import PasswordHash
from sqlalchemy.exc import IntegrityError

from services.catalog.config import Settings, get_settings
from services.catalog.db import products as products_db
from services.catalog.db import sellers as sellers_db
from services.catalog.domain.products import ProductRecord
from services.catalog.domain.sellers import new_seller
from shared.contract import ProductIn
from shared.db import make_engine, make_sessionmaker

DEMO_EMAIL = "demo@santhai.example"
DEMO_PASSWORD = "demo-password"
DEMO_BUSINESS = "Santhai Demo Bakery"
DEMO_SLUG = "demo-bakery"
DEMO_PHONE = "+1 555 0100"
DEMO_ZELLE = "pay@demo-bakery.example"

DEMO_PRODUCTS: list[dict[str, Any]] = [
    {
        "name": "Celebration Cake",
        "description": "Vanilla sponge with fresh cream and berries. Tell us what to write on top.",
        "price_cents": 3200,
        "custom_fields": [
            {
                "key": "message",
                "label": "Message on the cake",
                "type": "text",
                "required": True,
                "max_length": 40,
            },
            {"key": "size", "label": "Size", "type": "select", "options": ["6 inch", "8 inch", "10 inch"]},
            {"key": "candles", "label": "Add candles", "type": "checkbox"},
        ],
    },
    {
        "name": "Chicken Curry",
        "description": "Slow-cooked in a tomato and onion masala; serves two with rice.",
        "price_cents": 1450,
        "custom_fields": [
            {
                "key": "spice",
                "label": "Spice level",
                "type": "select",
                "required": True,
                "options": ["Mild", "Medium", "Hot"],
            },
            {"key": "extra_rice", "label": "Extra rice", "type": "checkbox"},
        ],
    },
    {
        "name": "Masala Chai",
        "description": "Black tea brewed with milk, ginger and cardamom.",
        "price_cents": 350,
        "custom_fields": [
            {"key": "sugar", "label": "Sugar (teaspoons)", "type": "number", "min": 0, "max": 3},
        ],
    },
    {
        "name": "Pistachio Baklava (6 pieces)",
        "description": "Layers of filo, pistachio and honey syrup.",
        "price_cents": 900,
        "custom_fields": [
            {
                "key": "nut_warning",
                "label": "I understand this contains nuts",
                "type": "checkbox",
                "required": True,
            },
        ],
    },
    {
        "name": "Mango Lassi",
        "description": "Alphonso mango and yoghurt. Back when mangoes are in season.",
        "price_cents": 450,
        "available": False,
    },
]


async def seed_demo(settings: Settings | None = None) -> bool:
    """Add the demo seller and products if the catalog has no sellers; True when it did."""
    settings = settings or get_settings()
    engine = make_engine(settings.catalog_database_url, pool_size=1)
    try:
        maker = make_sessionmaker(engine)
        async with maker() as session:
            if await sellers_db.count(session) > 0:
                return False
        seller = new_seller(
            seller_id=sellers_db.new_id(),
            email=DEMO_EMAIL,
            password_hash=await asyncio.to_thread(PasswordHash.recommended().hash, DEMO_PASSWORD),
            business_name=DEMO_BUSINESS,
            slug=DEMO_SLUG,
            phone=DEMO_PHONE,
        )
        seller = replace(
            seller, payment_methods=("cod", "zelle"), zelle_handle=DEMO_ZELLE, realtime_enabled=True
        )
        try:
            async with maker() as session, session.begin():
                await sellers_db.insert_seller(session, seller)
                await products_db.insert_products(session, demo_products(seller.id))
        except IntegrityError:  # another seeder (or a signup) got there first
            return False
        return True
    finally:
        await engine.dispose()


def demo_products(seller_id: str) -> list[ProductRecord]:
    """The demo products, validated by the same model a seller's own products are."""
    records = []
    for raw in DEMO_PRODUCTS:
        product = ProductIn.model_validate(raw)
        records.append(
            ProductRecord(
                id=sellers_db.new_id(),
                seller_id=seller_id,
                name=product.name,
                description=product.description,
                price_cents=product.price_cents,
                available=product.available,
                custom_fields=[field.model_dump() for field in product.custom_fields],
            )
        )
    return records
