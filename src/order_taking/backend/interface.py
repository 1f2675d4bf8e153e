"""The back end that creates an order from a confirmed line: an interface, so that settings can name
the operator's ERP adapter instead of the built-in one without touching the API code.

`ORDER_TAKING_BACKEND=package.module:factory` names a callable taking `(database, settings)` and
returning an `OrderBackend`. `create_order` is called with the line's id as idempotency key: a line
may be sent twice (a worker died after the back end answered), and must then create one order only.
"""

from dataclasses import dataclass, field
from importlib import import_module
from typing import Protocol

from order_taking.core.database import Database
from order_taking.core.errors import ErrorEntry
from order_taking.core.settings import Settings
from order_taking.ordering.schemas import LineOut
from order_taking.ordering.states import LineState


@dataclass(frozen=True)
class OrderRequest:
    """What the back end is asked to create: the line as the client sees it, and who ordered it."""

    line: LineOut
    client_id: str
    client_code: str


@dataclass(frozen=True)
class OrderCreated:
    """The order exists. `state` is acknowledged, held_adv_validation or in_progress."""

    state: LineState
    backend_order_id: str
    reason: str = ""
    # Values the back end sets on the line (e.g. the computed ENNI of a DIA order, building_ref).
    updates: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OrderRejected:
    """The back end refused the order: one entry per failed rule, all of them."""

    errors: list[ErrorEntry]
    reason: str = ""


Outcome = OrderCreated | OrderRejected


class BackendUnavailable(Exception):
    """Not an answer (timeout, back end down): the line is retried later, never rejected for it."""


class OrderBackend(Protocol):
    async def create_order(self, request: OrderRequest) -> Outcome: ...


class BackendFactory(Protocol):
    def __call__(self, database: Database, settings: Settings) -> OrderBackend: ...


def load_backend(database: Database, settings: Settings) -> OrderBackend:
    module_name, _, attribute = settings.backend.partition(":")
    factory: BackendFactory = getattr(import_module(module_name), attribute)
    return factory(database, settings)
