"""What the catalog holds while it runs: database engine, broker, outbox relay, password hasher."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services.catalog.config import Settings
from services.catalog.db.tables import outbox
from services.catalog.domain.passwords import PasswordHasher
from shared.db import make_engine, make_sessionmaker, ping, single_reads
from shared.driver import DriverPool
from shared.messaging import Broker
from shared.outbox import OutboxRelay

# The fast lane's reads take a fraction of a millisecond each: a few connections serve hundreds
# of checkouts a second.
FAST_READ_CONNECTIONS = 8


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    reads: AsyncEngine  # for reads of one statement (`shared.db.single_reads`)
    fast_reads: DriverPool  # for the fast lane's (`services.catalog.api.internal.lanes`)
    maker: async_sessionmaker[AsyncSession]
    broker: Broker
    relay: OutboxRelay
    hasher: PasswordHasher

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        engine = make_engine(settings.catalog_database_url, pool_size=settings.catalog_db_pool_size)
        maker = make_sessionmaker(engine)
        broker = Broker(settings.amqp_url, "catalog")
        return cls(
            settings=settings,
            engine=engine,
            reads=single_reads(engine),
            fast_reads=DriverPool(settings.catalog_database_url, size=FAST_READ_CONNECTIONS),
            maker=maker,
            broker=broker,
            relay=OutboxRelay(maker, outbox, broker),
            hasher=PasswordHasher(),
        )

    async def start(self) -> None:
        """Connect to RabbitMQ (serving starts even while it is down) and start the outbox relay."""
        await self.fast_reads.open()
        await self.broker.start(wait=self.settings.catalog_broker_start_wait_s)
        self.relay.start()

    async def stop(self) -> None:
        try:
            await self.relay.stop()
            await self.broker.close()
        finally:
            self.hasher.close()
            await self.fast_reads.close()
            await self.engine.dispose()

    async def database_ready(self) -> bool:
        return await ping(self.engine)

    async def broker_ready(self) -> bool:
        return self.broker.connected

    def storefront_url(self, slug: str) -> str:
        return f"{self.settings.public_url}/s/{slug}"
