"""The catalog's records as the contract's models."""

from __future__ import annotations

from services.catalog.domain.products import ProductRecord
from services.catalog.domain.sellers import SellerRecord
from shared.contract import CustomField, Product, Seller, StorefrontSeller


def seller_view(record: SellerRecord, storefront_url: str) -> Seller:
    return Seller(
        id=record.id,
        email=record.email,
        business_name=record.business_name,
        slug=record.slug,
        phone=record.phone,
        realtime_enabled=record.realtime_enabled,
        accepting_orders=record.accepting_orders,
        payment_methods=list(record.payment_methods),
        zelle_handle=record.zelle_handle,
        currency=record.currency,
        timezone=record.timezone,
        storefront_url=storefront_url,
    )


def storefront_seller_view(record: SellerRecord) -> StorefrontSeller:
    return StorefrontSeller(
        business_name=record.business_name,
        slug=record.slug,
        phone=record.phone,
        accepting_orders=record.accepting_orders,
        payment_methods=list(record.payment_methods),
        zelle_handle=record.zelle_handle,
        currency=record.currency,
    )


def product_view(record: ProductRecord) -> Product:
    return Product(
        id=record.id,
        name=record.name,
        description=record.description,
        price_cents=record.price_cents,
        available=record.available,
        custom_fields=[CustomField.model_validate(field) for field in record.custom_fields],
    )
