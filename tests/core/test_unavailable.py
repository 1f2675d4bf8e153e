"""Load shedding: a database that cannot be reached, or a pool that stays exhausted, gets 503
`unavailable` with Retry-After, and the service recovers by itself once the database is back."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy.engine import make_url

from order_taking.core.database import Database
from tests.conftest import AppClient
from tests.operations.processes import free_port
from tests.operations.test_middleware import SESSIONS, bearer, token_of
from tests.ordering.factories import assert_error


@asynccontextmanager
async def forwarding(port: int, to_host: str, to_port: int) -> AsyncIterator[None]:
    """Opens `port`, relaying each connection to the database: the database "comes back"."""

    async def relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def connect(client_reader: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        upstream_reader, upstream = await asyncio.open_connection(to_host, to_port)
        await asyncio.gather(relay(client_reader, upstream), relay(upstream_reader, client))

    server = await asyncio.start_server(connect, "127.0.0.1", port)
    try:
        yield
    finally:
        server.close()


async def test_a_closed_port_is_503_then_recovers(
    app_client: AppClient, postgresql_url: str, database: Database
) -> None:
    real = make_url(postgresql_url)
    port = free_port()  # nothing listens there: a closed port
    away = Database(real.set(port=port).render_as_string(hide_password=False))
    suite_database = Database(postgresql_url)
    try:
        token = await token_of(suite_database, "DC1")
        http = await app_client(database=away, demo_catalog=False)
        shed = await http.get(SESSIONS, headers=bearer(token))
        assert_error(shed, 503, "unavailable")
        assert shed.headers["retry-after"] == "1"
        async with forwarding(port, real.host or "127.0.0.1", real.port or 5432):
            assert (await http.get(SESSIONS, headers=bearer(token))).status_code == 200
    finally:
        await away.dispose()
        await suite_database.dispose()


async def test_an_exhausted_pool_is_503_after_a_short_wait(
    app_client: AppClient, database_url: str, database: Database
) -> None:
    token = await token_of(database, "DC1")
    small = Database(database_url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    try:
        http = await app_client(database=small)
        async with small.engine.connect() as held:
            await held.exec_driver_sql("SELECT 1")
            assert_error(await http.get(SESSIONS, headers=bearer(token)), 503, "unavailable")
        assert (await http.get(SESSIONS, headers=bearer(token))).status_code == 200
    finally:
        await small.dispose()


@pytest.mark.parametrize("path", ["/api/v1/product_order/", "/api/v1/quote/"])
async def test_an_unreachable_sqlite_file_is_503(
    app_client: AppClient, tmp_path: object, path: str
) -> None:
    away = Database(f"sqlite:///{tmp_path}/missing/x.db")
    try:
        http = await app_client(database=away, demo_catalog=False)
        assert_error(await http.get(path, headers=bearer("t")), 503, "unavailable")
    finally:
        await away.dispose()
