"""Apps of tests/operations: made with the settings a test needs, on the suite's database."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from order_taking.app import create_app
from order_taking.core.database import Database
from order_taking.core.settings import Settings
from tests.backend.conftest import clock, make_worker  # noqa: F401  (the worker's fixtures)

AppClient = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def app_client(settings: Settings, database: Database) -> AsyncIterator[AppClient]:
    """`await app_client(rate_limit_burst=3)`: an HTTP client of an app with those settings."""
    async with AsyncExitStack() as stack:

        async def make(
            database: Database = database, headers: dict[str, str] | None = None, **changes: Any
        ) -> httpx.AsyncClient:
            app: FastAPI = create_app(settings.model_copy(update=changes), database)
            await stack.enter_async_context(app.router.lifespan_context(app))
            transport = httpx.ASGITransport(app=app, client=("192.0.2.7", 4321))
            http = httpx.AsyncClient(
                transport=transport, base_url="http://testserver", headers=headers
            )
            return await stack.enter_async_context(http)

        yield make
