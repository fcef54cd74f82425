"""Signup and login. The gateway turns the access token of a login into its session cookie."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from sqlalchemy import update

from services.catalog.api.deps import RuntimeDep
from services.catalog.api.views import seller_view
from services.catalog.db import sellers as sellers_db
from services.catalog.db.tables import sellers
from services.catalog.domain.sellers import normalize_email
from shared.contract import ErrorOut, LoginIn, SignupIn, SignupOut, TokenOut
from shared.security import issue_access_token

router = APIRouter(prefix="/api/auth", tags=["auth"])
BAD_CREDENTIALS = "invalid email or password"


@router.post(
    "/signup",
    status_code=201,
    response_model=SignupOut,
    responses={409: {"model": ErrorOut, "description": "Email or explicit slug taken"}},
)
async def signup(body: SignupIn, runtime: RuntimeDep) -> SignupOut:
    email = normalize_email(body.email)
    async with runtime.maker() as session:
        await sellers_db.ensure_available(session, email, body.slug)
    password_hash = await runtime.hasher.hash(body.password)
    record = await sellers_db.register(
        runtime.maker,
        email=email,
        password_hash=password_hash,
        business_name=body.business_name,
        slug=body.slug,
        phone=body.phone,
    )
    token = issue_access_token(runtime.settings.secret_key, record.id)
    return SignupOut(seller=seller_view(record, runtime.storefront_url(record.slug)), access_token=token)


@router.post("/login", response_model=TokenOut, responses={401: {"model": ErrorOut}})
async def login(body: LoginIn, runtime: RuntimeDep) -> TokenOut:
    async with runtime.maker() as session:
        record = await sellers_db.get_by_email(session, normalize_email(body.email))
    # Verified even for an unknown email (against a dummy hash), so timing does not tell them apart.
    matches, new_hash = await runtime.hasher.verify(body.password, record.password_hash if record else None)
    if record is None or not matches:
        raise HTTPException(status_code=401, detail=BAD_CREDENTIALS)
    if new_hash is not None:
        async with runtime.maker() as session, session.begin():
            await session.execute(
                update(sellers).where(sellers.c.id == record.id).values(password_hash=new_hash)
            )
    return TokenOut(access_token=issue_access_token(runtime.settings.secret_key, record.id))
