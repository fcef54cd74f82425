"""Queries on sellers. Signup's uniqueness rules are enforced by the table's constraints."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from services.catalog.db.tables import sellers
from services.catalog.domain.errors import EmailTaken, SlugTaken
from services.catalog.domain.sellers import SellerRecord, new_seller
from services.catalog.domain.slugs import derive_slug, slug_candidates
from shared.driver import DriverPool

SLUG_BATCH = 50  # candidates looked up per query while searching a free derived slug
SLUG_ATTEMPTS = 20  # inserts tried when concurrent signups keep taking the chosen slug


def new_id() -> str:
    return uuid.uuid4().hex


def _record(row: RowMapping) -> SellerRecord:
    values = {key: row[key] for key in SellerRecord.__dataclass_fields__}
    values["payment_methods"] = tuple(values["payment_methods"])
    return SellerRecord(**values)


async def get_by_id(
    session: AsyncSession, seller_id: str, *, for_update: bool = False
) -> SellerRecord | None:
    query = select(sellers).where(sellers.c.id == seller_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).mappings().first()
    return _record(row) if row else None


async def get_by_email(session: AsyncSession, email: str) -> SellerRecord | None:
    row = (await session.execute(select(sellers).where(sellers.c.email == email))).mappings().first()
    return _record(row) if row else None


async def get_by_slug(session: AsyncSession, slug: str) -> SellerRecord | None:
    row = (await session.execute(select(sellers).where(sellers.c.slug == slug))).mappings().first()
    return _record(row) if row else None


async def context_version(connection: AsyncConnection, slug: str) -> tuple[str, int] | None:
    """The storefront's seller id and context version; None for an unknown slug."""
    row = (await connection.execute(_CONTEXT_VERSION, {"slug": slug})).first()
    return None if row is None else (row.id, row.context_version)


# Built once: asked on every checkout, and a statement made per call costs a new cache key.
_CONTEXT_VERSION = select(sellers.c.id, sellers.c.context_version).where(sellers.c.slug == bindparam("slug"))
_CONTEXT_VERSION_SQL = "SELECT id, context_version FROM sellers WHERE slug = $1"


async def fast_context_version(reads: DriverPool, slug: str) -> tuple[str, int] | None:
    """`context_version` for the fast lane, on asyncpg's own pool (PostgreSQL only)."""
    row = await reads.fetchrow(_CONTEXT_VERSION_SQL, slug)
    return None if row is None else (row["id"], row["context_version"])


async def bump_context_version(session: AsyncSession, seller_id: str) -> None:
    """Part of every transaction that changes what `context_version` stands for."""
    await session.execute(
        update(sellers).where(sellers.c.id == seller_id).values(context_version=sellers.c.context_version + 1)
    )


async def exists(session: AsyncSession, seller_id: str) -> bool:
    found = await session.scalar(select(sellers.c.id).where(sellers.c.id == seller_id))
    return found is not None


async def email_registered(session: AsyncSession, email: str) -> bool:
    found = await session.scalar(select(sellers.c.id).where(sellers.c.email == email))
    return found is not None


async def count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(sellers)) or 0)


async def insert_seller(session: AsyncSession, record: SellerRecord) -> None:
    now = datetime.now(UTC)
    values = asdict(record)
    values["payment_methods"] = list(record.payment_methods)
    await session.execute(insert(sellers).values(**values, created_at=now, updated_at=now))


async def save_changes(session: AsyncSession, before: SellerRecord, after: SellerRecord) -> None:
    """Write the fields that differ between `before` and `after`."""
    changes: dict[str, Any] = {
        key: value for key, value in asdict(after).items() if getattr(before, key) != value
    }
    if not changes:
        return
    if "payment_methods" in changes:
        changes["payment_methods"] = list(after.payment_methods)
    changes["updated_at"] = datetime.now(UTC)
    changes["context_version"] = sellers.c.context_version + 1
    await session.execute(update(sellers).where(sellers.c.id == before.id).values(**changes))


async def ensure_available(session: AsyncSession, email: str, slug: str | None) -> None:
    """Refuse early what `register` would refuse (it still decides, for concurrent signups)."""
    if await email_registered(session, email):
        raise EmailTaken
    if slug is not None and await get_by_slug(session, slug) is not None:
        raise SlugTaken


async def taken_slugs(session: AsyncSession, candidates: Iterable[str]) -> set[str]:
    wanted = list(candidates)
    rows = await session.scalars(select(sellers.c.slug).where(sellers.c.slug.in_(wanted)))
    return set(rows)


async def first_free_slug(session: AsyncSession, base: str) -> str:
    """The first of base, base-2, base-3, … that no seller has yet."""
    first = 1
    while True:
        candidates = list(slug_candidates(base, first, SLUG_BATCH))
        taken = await taken_slugs(session, candidates)
        for slug in candidates:
            if slug not in taken:
                return slug
        first += SLUG_BATCH


async def register(
    maker: async_sessionmaker[AsyncSession],
    *,
    email: str,
    password_hash: str,
    business_name: str,
    slug: str | None,
    phone: str | None,
) -> SellerRecord:
    """Create a seller. Raises `EmailTaken`, or `SlugTaken` for an explicit slug that is taken.

    A derived slug that a concurrent signup takes between our look-up and our insert is looked
    up again, so the second seller gets the next free number instead of an error.
    """
    explicit = slug is not None
    base = slug if slug is not None else derive_slug(business_name)
    for _ in range(SLUG_ATTEMPTS):
        if explicit:
            chosen = base
        else:
            async with maker() as session:
                chosen = await first_free_slug(session, base)
        record = new_seller(
            seller_id=new_id(),
            email=email,
            password_hash=password_hash,
            business_name=business_name,
            slug=chosen,
            phone=phone,
        )
        try:
            async with maker() as session, session.begin():
                await insert_seller(session, record)
            return record
        except IntegrityError:
            async with maker() as session:
                if await email_registered(session, email):
                    raise EmailTaken from None
            if explicit:
                raise SlugTaken from None
    raise SlugTaken
