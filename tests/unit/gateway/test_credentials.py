from __future__ import annotations

from datetime import timedelta

import pytest

from services.gateway.domain.credentials import BadCredentials, Credential, Via, bearer_token, resolve_seller
from shared.security import issue_access_token, seller_id_from_token

SECRET = "unit-test-secret-of-at-least-32-bytes"


def verify(token: str) -> str | None:
    return seller_id_from_token(SECRET, token)


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc.def.ghi", "abc.def.ghi"),
        ("bearer   abc", "abc"),
        ("Basic dXNlcjpwdw==", None),
        ("Bearer", None),
        ("Bearer a b", None),
        ("", None),
    ],
)
def test_bearer_token(header: str, token: str | None) -> None:
    assert bearer_token(header) == token


def test_bearer_names_the_seller() -> None:
    token = issue_access_token(SECRET, "seller-1")
    assert resolve_seller(authorization=f"Bearer {token}", cookie=None, verify=verify) == Credential(
        "seller-1", Via.BEARER
    )


def test_cookie_names_the_seller() -> None:
    token = issue_access_token(SECRET, "seller-2")
    assert resolve_seller(authorization=None, cookie=token, verify=verify) == Credential(
        "seller-2", Via.COOKIE
    )


def test_bearer_wins_over_cookie() -> None:
    bearer = issue_access_token(SECRET, "api-client")
    cookie = issue_access_token(SECRET, "browser")
    credential = resolve_seller(authorization=f"Bearer {bearer}", cookie=cookie, verify=verify)
    assert credential == Credential("api-client", Via.BEARER)


def test_bad_bearer_is_not_rescued_by_a_good_cookie() -> None:
    cookie = issue_access_token(SECRET, "browser")
    with pytest.raises(BadCredentials):
        resolve_seller(authorization="Bearer not-a-jwt", cookie=cookie, verify=verify)


@pytest.mark.parametrize(
    ("authorization", "cookie"),
    [
        (None, None),
        (None, ""),
        (None, "garbage"),
        ("Basic xyz", None),
        (f"Bearer {issue_access_token('another-secret-of-at-least-32-bytes', 's')}", None),
        (f"Bearer {issue_access_token(SECRET, 's', ttl=timedelta(seconds=-1))}", None),
        (None, issue_access_token(SECRET, "s", ttl=timedelta(seconds=-1))),
    ],
)
def test_missing_forged_or_expired_credentials_are_refused(
    authorization: str | None, cookie: str | None
) -> None:
    with pytest.raises(BadCredentials):
        resolve_seller(authorization=authorization, cookie=cookie, verify=verify)
