"""/healthz, /readyz and /metrics: no token, no rate limit, no access line at INFO. The worker's
`--health-port` serves the same router."""

from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from order_taking.core.database import Database
from order_taking.core.errors import ErrorBody, Unavailable
from order_taking.core.time import now
from order_taking.operations import metrics
from order_taking.operations.health import readiness
from order_taking.operations.repository import job_counts

router = APIRouter(tags=["operations"])
metrics_router = APIRouter(tags=["operations"])

# Paths that are never rate limited and whose access lines are written at DEBUG.
OPERATIONS_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class Status(BaseModel):
    status: Literal["ok"] = "ok"


def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


@router.get("/healthz", summary="Liveness: the process serves")
async def healthz() -> Status:
    """200 while the process answers; it touches nothing else (not even the database)."""
    return Status()


@router.get(
    "/readyz",
    summary="Readiness: the database answers and its schema is up to date",
    responses={503: {"model": ErrorBody, "description": "unavailable: which check failed"}},
)
async def readyz(request: Request) -> Status:
    """200 when the database answers within a second and its schema is at the migrations'
    head; otherwise 503 `unavailable`, each failed check in `errors`."""
    ready = await readiness(_database(request))
    if not ready.ready:
        raise Unavailable(ready.summary(), ready.problems)
    return Status()


@metrics_router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def prometheus_metrics(request: Request) -> Response:
    """Prometheus' text format: requests, back-end calls, the job table, the process."""
    at = now()
    async with _database(request).transaction() as db:
        counts, oldest = await job_counts(db, at)
    oldest_seconds = max((at - oldest).total_seconds(), 0.0) if oldest else 0.0
    text = metrics.scrape(metrics.job_metrics(counts, oldest_seconds))
    return Response(text, media_type="text/plain; version=0.0.4; charset=utf-8")
