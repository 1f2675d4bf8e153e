"""The worker's `--health-port`: /healthz, /readyz and /metrics of a worker process."""

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Iterator

import uvicorn
from fastapi import FastAPI

from order_taking.core.database import Database
from order_taking.core.errors import install_error_handlers
from order_taking.core.settings import Settings
from order_taking.operations.endpoints import metrics_router, router

log = logging.getLogger(__name__)


def health_app(database: Database, settings: Settings) -> FastAPI:
    app = FastAPI(title="order-taking worker", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.database = database
    install_error_handlers(app)
    app.include_router(router)
    if settings.metrics:
        app.include_router(metrics_router)
    return app


class _Server(uvicorn.Server):
    """Leaves SIGTERM and SIGINT to the worker, which stops this server when it stops."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def health_server(
    database: Database, settings: Settings, host: str, port: int
) -> AsyncIterator[int]:
    """Serves while the block runs; yields the port (the one bound, when `port` is 0)."""
    listening = socket.create_server((host, port))
    bound = listening.getsockname()[1]
    config = uvicorn.Config(
        health_app(database, settings), log_config=None, access_log=False, lifespan="off"
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[listening]))
    log.info("worker health and metrics on http://%s:%d", host, bound)
    try:
        yield bound
    finally:
        server.should_exit = True
        await task
        listening.close()
