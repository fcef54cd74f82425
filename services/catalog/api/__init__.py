"""The catalog's HTTP routes: the public `/api/...` paths the gateway forwards, and `/internal/...`."""

from fastapi import APIRouter

from services.catalog.api import auth, internal, products, seller, storefronts

routers: tuple[APIRouter, ...] = (
    auth.router,
    seller.router,
    products.router,
    storefronts.router,
    internal.router,
)
