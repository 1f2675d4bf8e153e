"""Fixtures of the worker tests: a clock the test moves, and workers driven directly."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from order_taking.backend.interface import OrderBackend
from order_taking.backend.worker import Worker
from order_taking.core.database import Database
from order_taking.core.settings import Settings
from order_taking.core.time import now


class Clock:
    """Time as the workers see it: real time, moved ahead by the test instead of waited for."""

    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def __call__(self) -> datetime:
        return now() + self.ahead

    def advance(self, seconds: float) -> None:
        self.ahead += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


WorkerFactory = Callable[..., Worker]


@pytest.fixture
def make_worker(database: Database, settings: Settings, clock: Clock) -> WorkerFactory:
    """`make_worker(backend, batch_size=2)`: a worker on the suite's database and clock."""

    def make(
        backend: OrderBackend,
        *,
        settings_update: dict[str, object] | None = None,
        **options: object,
    ) -> Worker:
        worker_settings = settings.model_copy(update=settings_update or {})
        return Worker(database, backend, worker_settings, clock=clock, **options)  # type: ignore[arg-type]

    return make
