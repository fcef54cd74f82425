"""Password hashing with Argon2id (pwdlib), off the event loop.

Hashing costs about a quarter of a second of CPU and 64 MiB, so it runs on a small pool of
its own: a burst of logins neither blocks the event loop nor starves the default executor
that other work (such as DNS look-ups) needs.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property

from pwdlib import PasswordHash

# Verified when the email is unknown, so an unknown email takes as long as a wrong password.
_DUMMY_PASSWORD = "santhai-no-such-account"


class PasswordHasher:
    def __init__(self, workers: int | None = None) -> None:
        self._hash = PasswordHash.recommended()
        self._pool = ThreadPoolExecutor(
            max_workers=workers or os.cpu_count() or 2, thread_name_prefix="argon2"
        )

    @cached_property
    def _dummy_hash(self) -> str:
        return self._hash.hash(_DUMMY_PASSWORD)

    def hash_now(self, password: str) -> str:
        return self._hash.hash(password)

    def verify_now(self, password: str, password_hash: str | None) -> tuple[bool, str | None]:
        """(matches, a new hash when the stored one uses outdated parameters)."""
        if password_hash is None:
            self._hash.verify(password, self._dummy_hash)
            return False, None
        return self._hash.verify_and_update(password, password_hash)

    async def hash(self, password: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(self._pool, self.hash_now, password)

    async def verify(self, password: str, password_hash: str | None) -> tuple[bool, str | None]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self.verify_now, password, password_hash)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
