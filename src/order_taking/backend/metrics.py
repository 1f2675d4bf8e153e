"""The back end's calls, counted and timed by outcome (scraped with every other metric), and
logged one line each."""

import asyncio
import logging
import time

from prometheus_client import Counter, Histogram

from order_taking.backend.interface import (
    BackendUnavailable,
    OrderBackend,
    OrderCreated,
    OrderRejected,
    OrderRequest,
    Outcome,
)

BACKEND_CALLS = Counter(
    "order_taking_backend_calls",
    "Calls to the back end's create_order, by outcome",
    ["outcome"],
)
BACKEND_DURATION = Histogram(
    "order_taking_backend_call_duration_seconds", "Time the back end took to answer create_order"
)
log = logging.getLogger(__name__)

for _outcome in ("created", "rejected", "unavailable", "error"):
    BACKEND_CALLS.labels(_outcome)


class MeasuredBackend:
    """The back end, each call counted by outcome and timed."""

    def __init__(self, backend: OrderBackend) -> None:
        self.backend = backend

    async def create_order(self, request: OrderRequest) -> Outcome:
        started = time.perf_counter()
        outcome = "error"
        try:
            answer = await self.backend.create_order(request)
            if isinstance(answer, OrderCreated):
                outcome = "created"
            elif isinstance(answer, OrderRejected):
                outcome = "rejected"
            return answer
        except (BackendUnavailable, TimeoutError, asyncio.CancelledError):
            outcome = "unavailable"  # down, or cancelled when the worker's lease ran out
            raise
        finally:
            seconds = time.perf_counter() - started
            BACKEND_CALLS.labels(outcome).inc()
            BACKEND_DURATION.observe(seconds)
            # In the worker's task: the line carries the request id of the confirm.
            log.info(
                "line %s: back end answered %s in %.1f ms", request.line.id, outcome, seconds * 1000
            )
