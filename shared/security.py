"""Tokens: seller access tokens (JWT, HS256) and the token services present to each other."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta

import jwt

ALGORITHM = "HS256"
ACCESS_TOKEN_TTL = timedelta(days=7)
INTERNAL_TOKEN_HEADER = "X-Internal-Token"
SELLER_ID_HEADER = "X-Seller-Id"


def issue_access_token(secret: str, seller_id: str, ttl: timedelta = ACCESS_TOKEN_TTL) -> str:
    now = datetime.now(UTC)
    payload = {"sub": seller_id, "iat": now, "exp": now + ttl, "typ": "access"}
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def seller_id_from_token(secret: str, token: str) -> str | None:
    """The seller a valid, unexpired access token names; None for anything else."""
    if not token or len(token) > 4096:
        return None
    try:
        payload = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]})
    except jwt.PyJWTError:
        return None
    if payload.get("typ") != "access" or not isinstance(payload.get("sub"), str):
        return None
    return str(payload["sub"])


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a presented secret with the expected one."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())
