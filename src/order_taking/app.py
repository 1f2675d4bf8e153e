"""The ASGI application: routers, error handlers, middlewares and the process's resources."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI

from order_taking.backend.worker import embedded_worker
from order_taking.catalog import service as catalog
from order_taking.clients.auth import RecentTokens
from order_taking.core.database import Database, lock_for_transaction
from order_taking.core.errors import install_error_handlers
from order_taking.core.http import BodySizeLimit, TrailingSlash
from order_taking.core.settings import Settings, get_settings
from order_taking.ordering.endpoints import router as ordering_router
from order_taking.ordering.operator_endpoints import router as operator_router
from order_taking.quotes.endpoints import router as quotes_router

log = logging.getLogger(__name__)

DESCRIPTION = """\
Order Taking API: put fibre access products in an order session, fill in its order lines,
confirm it, and follow each line while the back end creates its order. Quotes first if needed.

Authenticate with `Authorization: Bearer <token>` (a client's token, from
`order-taking clients create CODE`); the staff actions under `/api/v1/operator` take an operator's
token instead (`order-taking operators create NAME`). Every path answers with and without its
trailing slash.
Errors have one shape: `{"code", "message", "errors": [{"code", "property_path", "value"}]}`.
"""


async def load_demo_catalog_if_empty(database: Database) -> None:
    async with database.transaction() as db:
        # API processes starting together take turns: the first loads it, the others see it.
        await lock_for_transaction(db, "demo catalog")
        if await catalog.catalog_is_empty(db):
            await catalog.replace_catalog(db, catalog.demo_catalog())
            log.info("catalog was empty: demo catalog loaded")


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = database is None
        app.state.database = database or Database(settings.database_url)
        app.state.work_signal = asyncio.Event()
        if settings.demo_catalog:
            await load_demo_catalog_if_empty(app.state.database)
        try:
            async with AsyncExitStack() as background:
                if settings.embedded_worker:
                    worker = embedded_worker(app.state.database, settings, app.state.work_signal)
                    await background.enter_async_context(worker)
                yield
        finally:
            if owned:
                await app.state.database.dispose()

    app = FastAPI(
        title="Order Taking API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        redirect_slashes=False,
    )
    app.state.recent_tokens = RecentTokens(settings.token_cache_seconds)
    install_error_handlers(app)
    app.include_router(ordering_router)
    app.include_router(quotes_router)
    app.include_router(operator_router)
    app.add_middleware(TrailingSlash)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    return app
