"""Argon2id password hashes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.catalog.domain.passwords import PasswordHasher


@pytest.fixture(scope="module")
def hasher() -> Iterator[PasswordHasher]:
    hasher = PasswordHasher(workers=2)
    yield hasher
    hasher.close()


def test_a_hash_is_argon2id_and_verifies_only_its_password(hasher: PasswordHasher) -> None:
    password_hash = hasher.hash_now("correct horse battery")
    assert password_hash.startswith("$argon2id$")
    assert "correct horse" not in password_hash
    assert hasher.verify_now("correct horse battery", password_hash) == (True, None)
    assert hasher.verify_now("correct horse batterY", password_hash)[0] is False


def test_the_same_password_hashes_differently_each_time(hasher: PasswordHasher) -> None:
    assert hasher.hash_now("same password") != hasher.hash_now("same password")


def test_an_unknown_account_never_verifies(hasher: PasswordHasher) -> None:
    assert hasher.verify_now("santhai-no-such-account", None) == (False, None)
    assert hasher.verify_now("anything", None) == (False, None)


async def test_the_async_methods_run_off_the_event_loop(hasher: PasswordHasher) -> None:
    password_hash = await hasher.hash("another password")
    assert await hasher.verify("another password", password_hash) == (True, None)
