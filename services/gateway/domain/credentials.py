"""Which seller a request speaks for: a bearer token, else the session cookie."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

SESSION_COOKIE = "santhai_session"

TokenVerifier = Callable[[str], str | None]  # token -> seller id, None when invalid


class Via(Enum):
    BEARER = "bearer"
    COOKIE = "cookie"


@dataclass(frozen=True)
class Credential:
    seller_id: str
    via: Via


class BadCredentials(Exception):
    """Credentials were presented but are not valid (or none were presented)."""


def bearer_token(authorization: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None for another scheme or shape."""
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        return None
    return token


def resolve_seller(*, authorization: str | None, cookie: str | None, verify: TokenVerifier) -> Credential:
    """The seller named by the request's credentials.

    An Authorization header, when present, is the only credential considered (a bad one is not
    rescued by a cookie), so an API client always learns that its token is wrong.
    """
    if authorization is not None:
        token = bearer_token(authorization)
        seller_id = verify(token) if token else None
        if seller_id is None:
            raise BadCredentials("invalid bearer token")
        return Credential(seller_id, Via.BEARER)
    if cookie:
        seller_id = verify(cookie)
        if seller_id is not None:
            return Credential(seller_id, Via.COOKIE)
        raise BadCredentials("session expired or invalid")
    raise BadCredentials("not authenticated")
