"""What checkout holds while it runs: database engine, broker, outbox relay, publisher, catalog client."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services.checkout.catalog_client import CatalogClient
from services.checkout.config import Settings
from services.checkout.db.tables import outbox
from services.checkout.events.publisher import OrderedPublisher
from shared.db import make_engine, make_sessionmaker, ping
from shared.driver import DriverPool
from shared.http import InternalClient
from shared.messaging import Broker
from shared.outbox import OutboxRelay

SHUTDOWN_PUBLISH_WAIT_S = 5.0


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    maker: async_sessionmaker[AsyncSession]
    broker: Broker
    relay: OutboxRelay
    publisher: OrderedPublisher
    catalog: CatalogClient
    driver: DriverPool  # for the order transaction on PostgreSQL (`shared.driver`)

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        engine = make_engine(settings.checkout_database_url, pool_size=settings.checkout_db_pool_size)
        maker = make_sessionmaker(engine)
        broker = Broker(settings.amqp_url, "checkout")
        relay = OutboxRelay(maker, outbox, broker)
        http = InternalClient(
            settings.catalog_base_url, settings.internal_token, timeout=settings.checkout_catalog_timeout_s
        )
        return cls(
            settings=settings,
            engine=engine,
            maker=maker,
            broker=broker,
            relay=relay,
            publisher=OrderedPublisher(relay),
            catalog=CatalogClient(http),
            driver=DriverPool(settings.checkout_database_url, size=settings.checkout_db_pool_size),
        )

    async def start(self) -> None:
        """Connect to RabbitMQ (serving starts even while it is down) and start the outbox relay."""
        await self.driver.open()
        await self.broker.start(wait=self.settings.checkout_broker_start_wait_s)
        self.relay.start()

    async def stop(self) -> None:
        await self.publisher.drain(SHUTDOWN_PUBLISH_WAIT_S)
        await self.relay.stop()
        await self.broker.close()
        await self.catalog.close()
        await self.driver.close()
        await self.engine.dispose()

    async def database_ready(self) -> bool:
        return await ping(self.engine)

    async def broker_ready(self) -> bool:
        return self.broker.connected
