"""Idempotency-Key on every write of a router: `APIRouter(route_class=ClientIdempotentRoute)`.

A write route gets one more dependency, which, once the request's owner is known and before the
endpoint runs, takes the key (409 while another request holds it), and answers the stored
response of the key (a replay) or refuses it (422, sent before with another request). The
route's handler keeps the response of a write that succeeded, while the request's transaction is
still open: the key commits with the work, or neither does. A request that fails (4xx) rolls its
work back and keeps no key, so the client may correct it and retry with the same key.
"""

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any, ClassVar

from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.clients.auth import CurrentClient, CurrentOperator
from order_taking.core.errors import ErrorBody, MalformedRequest
from order_taking.core.http import Transaction
from order_taking.core.settings import get_settings
from order_taking.core.time import now
from order_taking.idempotency import service
from order_taking.idempotency.models import IdempotencyKey
from order_taking.idempotency.service import HEADER, KeyedRequest, KeyInUse, KeyReused

WRITES = frozenset({"POST", "PATCH", "DELETE"})
REPLAYED = "Idempotent-Replayed"

_PARAMETER = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": "Any unique value (a UUID): sent again with the same request, the first "
    "response is replayed (with `Idempotent-Replayed: true`) and the work is not done twice. "
    "Kept 24 hours (by default).",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}

_REPLAYED_HEADER = {
    "description": "`true` when this is the stored response of an earlier request with the key",
    "schema": {"type": "string", "enum": ["true"]},
}


@dataclass
class _KeyedWrite:
    """What the handler and the dependency of one keyed request share."""

    request: KeyedRequest
    owner: str | None = None
    db: AsyncSession | None = None


def is_keyed(request: Request) -> bool:
    """The request is a write sent with an Idempotency-Key: its work commits with the key."""
    return getattr(request.state, "keyed_write", None) is not None


class _Replay(Exception):
    def __init__(self, stored: IdempotencyKey) -> None:
        self.stored = stored

    def response(self) -> Response:
        headers = {**self.stored.response_headers, REPLAYED: "true"}
        return Response(self.stored.response_body, self.stored.status_code, headers)


def _claiming(owner_of: Callable[..., Coroutine[Any, Any, str]]) -> Any:
    """The dependency that claims the request's key for the owner `owner_of` answers."""

    async def claim_key(
        request: Request, db: Transaction, owner: Annotated[str, Depends(owner_of)]
    ) -> None:
        write: _KeyedWrite | None = getattr(request.state, "keyed_write", None)
        if write is None:
            return
        stored = await service.claim(db, owner, write.request, now())
        if stored is not None:
            raise _Replay(stored)
        write.owner, write.db = owner, db

    return Depends(claim_key)


async def _client_owner(client: CurrentClient) -> str:
    return f"client:{client.id}"


async def _operator_owner(operator: CurrentOperator) -> str:
    return f"operator:{operator.id}"


def _declare(
    responses: dict[int | str, dict[str, Any]], success: int
) -> dict[int | str, dict[str, Any]]:
    """The route's responses with those of Idempotency-Key added."""
    declared = dict(responses)
    answered = dict(declared.get(success, {}))
    answered["headers"] = {**answered.get("headers", {}), REPLAYED: _REPLAYED_HEADER}
    declared[success] = answered
    for error in (MalformedRequest, KeyInUse, KeyReused):
        entry = dict(declared.get(error.status_code, {"model": ErrorBody}))
        codes = entry.get("description", "")
        if error.code not in codes:
            entry["description"] = f"{codes}, {error.code}" if codes else error.code
        declared[error.status_code] = entry
    return declared


class IdempotentRoute(APIRoute):
    """A route whose POST, PATCH and DELETE honour Idempotency-Key (subclassed per owner)."""

    claim_key: ClassVar[Any]

    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        if WRITES & {m.upper() for m in options.get("methods") or ()}:
            dependencies = list(options.get("dependencies") or [])
            if self.claim_key not in dependencies:
                options["dependencies"] = [*dependencies, self.claim_key]
            success = options.get("status_code") or 200
            options["responses"] = _declare(options.get("responses") or {}, success)
            extra = dict(options.get("openapi_extra") or {})
            if _PARAMETER not in extra.get("parameters", []):
                extra["parameters"] = [*extra.get("parameters", []), _PARAMETER]
            options["openapi_extra"] = extra
        super().__init__(path, endpoint, **options)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()
        if not WRITES & (self.methods or set()):
            return handle

        async def handle_keyed(request: Request) -> Response:
            value = request.headers.get(HEADER)
            if value is None:
                return await handle(request)
            path = request.url.path
            if request.url.query:
                path += "?" + request.url.query
            write = _KeyedWrite(
                KeyedRequest(
                    service.parse_key(value),
                    service.fingerprint(request.method, path, await request.body()),
                )
            )
            request.state.keyed_write = write
            try:
                response = await handle(request)
            except _Replay as replay:
                return replay.response()
            if write.db is not None and write.owner is not None and response.status_code < 400:
                kept = timedelta(hours=get_settings().idempotency_key_hours)
                service.record(
                    write.db,
                    write.owner,
                    write.request,
                    response.status_code,
                    dict(response.headers),
                    bytes(response.body),
                    now(),
                    kept,
                )
            return response

        return handle_keyed


class ClientIdempotentRoute(IdempotentRoute):
    claim_key = _claiming(_client_owner)


class OperatorIdempotentRoute(IdempotentRoute):
    claim_key = _claiming(_operator_owner)
