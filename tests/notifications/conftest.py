"""Fixtures of the notification tests: callbacks on loopback allowed, a real receiver, and
delivery workers driven directly on a clock the test moves."""

from collections.abc import AsyncIterator, Callable

import pytest

from order_taking.core.database import Database
from order_taking.core.settings import Settings
from order_taking.notifications.delivery import DeliveryWorker
from tests.backend.conftest import Clock
from tests.notifications.receiver import Receiver


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's settings, with callbacks to the test's receiver on loopback allowed."""
    return settings.model_copy(update={"webhook_allow_private_networks": True})


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    server = Receiver()
    await server.start()
    yield server
    await server.stop()


DeliveryWorkerFactory = Callable[..., DeliveryWorker]


@pytest.fixture
async def make_delivery_worker(
    database: Database, settings: Settings, clock: Clock
) -> AsyncIterator[DeliveryWorkerFactory]:
    made: list[DeliveryWorker] = []

    def make(**settings_update: object) -> DeliveryWorker:
        worker = DeliveryWorker(database, settings.model_copy(update=settings_update), clock=clock)
        made.append(worker)
        return worker

    yield make
    for worker in made:
        await worker.close()
