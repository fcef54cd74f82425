"""asyncpg's own pool beside SQLAlchemy's engine, for the few statements on the order path: the
fast lanes' reads (`shared.fastlane`) and the checkout's order transaction. Such a statement
costs about half the CPU it costs through SQLAlchemy's engine and session (a greenlet hop,
statement caching and result processing per call). PostgreSQL only: on SQLite `available` is
False and the callers take SQLAlchemy's way.

The statements stay SQLAlchemy's, compiled once for asyncpg (`DriverStatement`), with the same
type processing; what asyncpg raises inside a transaction comes out as SQLAlchemy's exceptions,
so the services handle errors the same either way (an outage is 503, a unique key refusal an
`IntegrityError`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement

from shared.db import is_sqlite

ACQUIRE_TIMEOUT_S = 5.0  # as the engine's pool_timeout
# What a read raises when the database is away or refuses: a fast lane then passes the request
# on to its route, which answers as every route does (503 for an outage).
READ_ERRORS = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)
_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class DriverStatement:
    """A SQLAlchemy statement compiled once for asyncpg: its SQL (`$1`, `$2`, …), and how to turn
    named parameters into asyncpg's positional arguments, each through its type's processing."""

    sql: str
    compiled: SQLCompiler
    processors: Mapping[str, Callable[[Any], Any]]

    @classmethod
    def of(cls, statement: ClauseElement) -> DriverStatement:
        compiled = statement.compile(dialect=_DIALECT)
        assert isinstance(compiled, SQLCompiler) and compiled.positiontup is not None
        processors = {}
        for name, bind in compiled.binds.items():
            processor = bind.type.dialect_impl(_DIALECT).bind_processor(_DIALECT)
            if processor is not None:
                processors[name] = processor
        return cls(compiled.string, compiled, processors)

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        values = self.compiled.construct_params(dict(params))
        assert self.compiled.positiontup is not None
        arguments = []
        for name in self.compiled.positiontup:
            processor = self.processors.get(name)
            arguments.append(processor(values[name]) if processor else values[name])
        return arguments


class DriverConnection:
    """A connection inside `DriverPool.transaction`."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def execute(self, statement: DriverStatement, params: Mapping[str, Any]) -> None:
        await self._connection.execute(statement.sql, *statement.arguments(params))

    async def fetchrow(self, statement: DriverStatement, params: Mapping[str, Any]) -> asyncpg.Record | None:
        return await self._connection.fetchrow(statement.sql, *statement.arguments(params))


class _StatelessConnection(asyncpg.Connection):  # type: ignore[misc]
    """A connection given back to the pool without asyncpg's reset query (advisory locks, cursors,
    LISTEN, SET: a round trip per use, on the order's path). The statements run here leave none
    of those behind; an open transaction is still rolled back by asyncpg before the next use."""

    def get_reset_query(self) -> str:
        return ""


class DriverPool:
    """The pool. Connections open when first needed, so a database down at start delays nothing."""

    def __init__(self, url: str, *, size: int) -> None:
        parsed = make_url(url)
        self._dsn = None if is_sqlite(url) else parsed.set(drivername="postgresql").render_as_string(False)
        self._size = size
        self._pool: asyncpg.Pool | None = None

    @property
    def available(self) -> bool:
        return self._pool is not None

    async def open(self) -> None:
        if self._dsn is not None and self._pool is None:
            self._pool = await asyncpg.create_pool(
                self._dsn,
                min_size=0,
                max_size=self._size,
                connection_class=_StatelessConnection,
                timeout=5,
                command_timeout=10,
            )

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        """One row of a one-statement read, autocommitted; raises as asyncpg does (`READ_ERRORS`)."""
        return await self._opened().fetchrow(query, *args, timeout=ACQUIRE_TIMEOUT_S)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[DriverConnection]:
        """A transaction, committed when the block ends and rolled back when it raises; asyncpg's
        errors come out as SQLAlchemy's."""
        try:
            async with (
                self._opened().acquire(timeout=ACQUIRE_TIMEOUT_S) as connection,
                connection.transaction(),
            ):
                yield DriverConnection(connection)
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise IntegrityError(None, None, exc) from exc
        except asyncpg.PostgresError as exc:
            raise DBAPIError(None, None, exc) from exc
        except asyncpg.InterfaceError as exc:  # the connection broke mid-way
            raise DBAPIError(None, None, exc, connection_invalidated=True) from exc

    def _opened(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the driver pool is not open")
        return self._pool
