"""The ASGI application: routers, error handlers, middlewares and the process's resources."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
from fastapi import FastAPI

from order_taking import __version__
from order_taking.auth.endpoints import router as auth_router
from order_taking.auth.errors import OAuthError, oauth_error_response
from order_taking.auth.verification import ExternalIssuer, TokenVerifier
from order_taking.backend.worker import embedded_worker
from order_taking.backoffice.endpoints import install_backoffice
from order_taking.catalog import service as catalog
from order_taking.clients.auth import TokenCache
from order_taking.core.database import Database, lock_for_transaction
from order_taking.core.errors import install_error_handlers
from order_taking.core.http import BodySizeLimit, TrailingSlash
from order_taking.core.ratelimit import RateLimiter
from order_taking.core.settings import Settings, get_settings
from order_taking.notifications.delivery import DeliveryWorker
from order_taking.notifications.endpoints import router as notifications_router
from order_taking.operations import docs
from order_taking.operations.endpoints import metrics_router
from order_taking.operations.endpoints import router as operations_router
from order_taking.operations.logs import install_request_ids
from order_taking.operations.middleware import (
    FailedAuthenticationLimit,
    RateLimit,
    RequestObserver,
)
from order_taking.ordering.endpoints import router as ordering_router
from order_taking.ordering.operator_endpoints import router as operator_router
from order_taking.quotes.endpoints import router as quotes_router

log = logging.getLogger(__name__)

DESCRIPTION = """\
Order Taking API: put fibre access products in an order session, fill in its order lines,
confirm it, and follow each line while the back end creates its order. Quotes first if needed.

Authenticate with `Authorization: Bearer <token>`: a client's opaque token (from
`order-taking clients create CODE`) or an access token of
`POST /auth/realms/{realm}/protocol/openid-connect/token` (as with Keycloak) or of the external
OpenID Connect issuer configured; the staff actions under `/api/v1/operator` take an operator's
token instead (`order-taking operators create NAME`). Every `/api` path answers with and without
its trailing slash. In a list's query an empty value (`?state=`) is the same as leaving the
parameter out. A request may carry `X-Request-ID` (1 to 128 visible ASCII characters; else one is
made): the response carries it back. Past the rate limit: 429 `rate_limited` with `Retry-After`.
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
        app.state.database = database or Database(
            settings.database_url, pool_timeout=settings.database_pool_timeout_seconds
        )
        app.state.rate_limiter = RateLimiter(app.state.database, settings.redis_url)
        app.state.work_signal = asyncio.Event()
        app.state.token_cache = TokenCache(settings.token_cache_seconds)
        external: ExternalIssuer | None = None
        if settings.demo_catalog:
            await load_demo_catalog_if_empty(app.state.database)
        try:
            async with AsyncExitStack() as background:
                if settings.oidc_issuer:
                    http = httpx.AsyncClient(timeout=settings.oidc_timeout_seconds)
                    await background.enter_async_context(http)
                    external = ExternalIssuer(settings, http)
                app.state.jwt_verifier = TokenVerifier(settings, external)
                if settings.embedded_worker:
                    worker = embedded_worker(app.state.database, settings, app.state.work_signal)
                    await background.enter_async_context(worker)
                    deliveries = DeliveryWorker(app.state.database, settings)
                    await background.enter_async_context(deliveries.in_background())
                yield
        finally:
            await app.state.rate_limiter.close()
            if owned:
                await app.state.database.dispose()

    install_request_ids()
    app = FastAPI(
        title="Order Taking API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        redirect_slashes=False,
        docs_url=None,
        redoc_url=None,
        # FastAPI's built-in OpenTelemetry looks up the global providers at each request (a
        # twentieth of a line detail's time); the service's metrics are Prometheus's.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    install_error_handlers(app)
    docs.document_operational_errors(app)
    docs.install_offline_docs(app)
    app.include_router(operations_router)
    if settings.metrics:
        app.include_router(metrics_router)
    app.add_exception_handler(OAuthError, oauth_error_response)
    app.include_router(auth_router)
    app.include_router(ordering_router)
    app.include_router(quotes_router)
    app.include_router(operator_router)
    app.include_router(notifications_router)
    if settings.rate_limit_per_second > 0:
        app.add_middleware(
            RateLimit,
            rate_per_second=settings.rate_limit_per_second,
            burst=settings.rate_limit_burst,
        )
    if settings.auth_failure_per_second > 0:
        app.add_middleware(
            FailedAuthenticationLimit,
            rate_per_second=settings.auth_failure_per_second,
            burst=settings.auth_failure_burst,
        )
    # Inside TrailingSlash: it sees the scope the router records the matched route in.
    app.add_middleware(RequestObserver, metrics=settings.metrics)
    install_backoffice(app)
    app.add_middleware(TrailingSlash)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    return app
