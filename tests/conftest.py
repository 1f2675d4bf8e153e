"""Fixtures: a real database migrated with Alembic, the real app, and clients with real tokens.

The suite runs on SQLite by default; ORDER_TAKING_TEST_DATABASE_URL=postgresql://... runs it on
PostgreSQL (a fresh database is created beside the one named, and dropped at the end).
"""

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete

from order_taking.app import create_app, load_demo_catalog_if_empty
from order_taking.clients.service import create_client
from order_taking.core.database import Base, Database
from order_taking.core.settings import Settings
from order_taking.models import load_all_models
from tests.databases import DEFAULT_POSTGRESQL_URL, TestDatabase, postgresql_unreachable_reason

load_all_models()
CATALOG_TABLES = {
    "product_offerings",
    "product_options",
    "allowed_options",
    "eligibility_items",
    "eligible_offerings",
}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The migrated database the suite runs on."""
    url = os.environ.get("ORDER_TAKING_TEST_DATABASE_URL", "")
    if not url:
        path: Path = tmp_path_factory.mktemp("db") / "order_taking_test.db"
        url = f"sqlite:///{path}"
    with TestDatabase(url) as test_database:
        yield test_database.url


@pytest.fixture(scope="session")
def postgresql_url(database_url: str) -> Iterator[str]:
    """A migrated PostgreSQL database, whatever the suite runs on; skips if none answers."""
    if database_url.startswith("postgresql"):
        yield database_url
        return
    admin_url = os.environ.get("ORDER_TAKING_TEST_POSTGRESQL_URL", DEFAULT_POSTGRESQL_URL)
    if reason := postgresql_unreachable_reason(admin_url):
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    with TestDatabase(admin_url) as test_database:
        yield test_database.url


@pytest.fixture
def empty_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A migrated database with nothing in it, not even the catalog, on the suite's kind."""
    admin_url = database_url if database_url.startswith("postgresql") else ""
    with TestDatabase(admin_url or f"sqlite:///{tmp_path / 'empty.db'}") as empty:
        yield empty.url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    # Rate limits off: tests/operations turns them on where it tests them.
    return Settings(
        database_url=database_url,
        demo_catalog=True,
        embedded_worker=False,
        rate_limit_per_second=0,
        auth_failure_per_second=0,
        # Each request checks its token: a test may revoke one and expect the next refused.
        token_cache_seconds=0,
    )


@pytest.fixture(scope="session")
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    await load_demo_catalog_if_empty(db)
    yield db
    await db.dispose()


@pytest.fixture(autouse=True)
async def _clean_tables(request: pytest.FixtureRequest) -> None:
    """Each test starts from empty tables and the demo catalog."""
    if "database" not in request.fixturenames:
        return
    database: Database = request.getfixturevalue("database")
    async with database.transaction() as db:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in CATALOG_TABLES:
                await db.execute(delete(table))


@pytest.fixture
async def app(settings: Settings, database: Database) -> AsyncIterator[object]:
    application = create_app(settings, database)
    async with application.router.lifespan_context(application):
        yield application


ClientFactory = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def make_client(app: object, database: Database) -> AsyncIterator[ClientFactory]:
    """`await make_client("DC173")`: an HTTP client of the app, holding that client's token."""
    opened: list[httpx.AsyncClient] = []

    async def make(code: str = "DC173", token: str | None = None) -> httpx.AsyncClient:
        if token is None:
            async with database.transaction() as db:
                _, token = await create_client(db, code)
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
            base_url="http://testserver",
            headers={"Authorization": f"Bearer {token}"},
        )
        opened.append(http)
        return http

    yield make
    for http in opened:
        await http.aclose()


@pytest.fixture
async def api(make_client: ClientFactory) -> httpx.AsyncClient:
    """The API as client DC173 sees it."""
    return await make_client("DC173")


AppClient = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def app_client(settings: Settings, database: Database) -> AsyncIterator[AppClient]:
    """`await app_client(rate_limit_burst=3)`: an HTTP client of an app with those settings
    (and the database given, or the suite's), calling from address 192.0.2.7."""
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
