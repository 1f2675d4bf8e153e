"""Back ends for the tests, loadable from a subprocess by
`ORDER_TAKING_BACKEND=tests.backend.backends:Scripted` (run it with the repository on PYTHONPATH).

Environment read by `Scripted` (for the worker processes the tests start):
- TEST_BACKEND_CALLS: a file each call appends `<line id> <pid>` to, one line per call;
- TEST_BACKEND_DELAY_SECONDS: how long each call takes (a slow back end);
- TEST_BACKEND_HOLD: an external_id whose calls never answer in this process (a hung call).
"""

import asyncio
import os
from pathlib import Path

from order_taking.backend.interface import (
    BackendUnavailable,
    OrderCreated,
    OrderRejected,
    OrderRequest,
    Outcome,
)
from order_taking.core.database import Database
from order_taking.core.errors import ErrorEntry
from order_taking.core.settings import Settings
from order_taking.ordering.states import LineState

# A line's external_id names the outcome it gets; anything else is acknowledged.
REJECTED = "rejected"
HELD = "held_adv_validation"
IN_PROGRESS = "in_progress"
ACKNOWLEDGED = "acknowledged"

REJECTION_ERRORS = [
    ErrorEntry(code="required", property_path="enni", value=""),
    ErrorEntry(
        code="invalid_format", property_path="related_contact_information[0].postcode", value="7613"
    ),
]


def outcome_for(request: OrderRequest) -> Outcome:
    wanted = request.line.external_id
    if wanted == REJECTED:
        return OrderRejected(errors=REJECTION_ERRORS, reason="Test back end: rules failed.")
    state = LineState(wanted) if wanted in (HELD, IN_PROGRESS) else LineState.ACKNOWLEDGED
    return OrderCreated(
        state=state, backend_order_id=f"TEST-{request.line.id}", reason=f"Test back end: {state}."
    )


def _append(path: str, text: str) -> None:
    # One short O_APPEND write per call: the lines of several processes never interleave.
    with Path(path).open("a") as file:
        file.write(text)


class Scripted:
    """Answers each line the outcome its external_id names, and keeps the ids it was asked for."""

    def __init__(self, database: Database | None = None, settings: Settings | None = None) -> None:
        self.calls: list[str] = []
        self.calls_file = os.environ.get("TEST_BACKEND_CALLS")
        self.delay = float(os.environ.get("TEST_BACKEND_DELAY_SECONDS", "0"))
        self.hold = os.environ.get("TEST_BACKEND_HOLD")

    async def create_order(self, request: OrderRequest) -> Outcome:
        self.calls.append(request.line.id)
        if self.calls_file:
            _append(self.calls_file, f"{request.line.id} {os.getpid()}\n")
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.hold is not None and request.line.external_id == self.hold:
            await asyncio.Event().wait()
        return outcome_for(request)


class Flaky(Scripted):
    """Unavailable for the first `failures` calls of each line, then answers like Scripted."""

    def __init__(self, failures: int = 2) -> None:
        super().__init__()
        self.failures = failures

    async def create_order(self, request: OrderRequest) -> Outcome:
        if self.calls.count(request.line.id) < self.failures:
            self.calls.append(request.line.id)
            raise BackendUnavailable("connection refused by the test back end")
        return await super().create_order(request)


class Gated(Scripted):
    """Holds every call until `gate` is set; counts the calls in flight."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.in_flight = 0
        self.most_in_flight = 0

    async def create_order(self, request: OrderRequest) -> Outcome:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await self.gate.wait()
            return await super().create_order(request)
        finally:
            self.in_flight -= 1


class HoldsOne(Scripted):
    """Holds the calls of lines whose external_id is STUCK until `gate` is set; answers the rest."""

    STUCK = "stuck"

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.held = 0

    async def create_order(self, request: OrderRequest) -> Outcome:
        if request.line.external_id == self.STUCK:
            self.held += 1
            await self.gate.wait()
        return await super().create_order(request)


class Fixed:
    """Answers the same thing to every line, whatever it is (to test what the worker accepts)."""

    def __init__(self, answer: object) -> None:
        self.answer = answer
        self.calls: list[str] = []

    async def create_order(self, request: OrderRequest) -> Outcome:
        self.calls.append(request.line.id)
        return self.answer  # type: ignore[return-value]
