"""Bearer-token authentication: a client's token for the API, an operator's for staff actions.

A token is either opaque (looked up by its hash) or a JWT (three dot-separated parts), which the
verifier the app installs checks (`order_taking.auth.verification`). Who holds a token is
remembered for at most a second per process, so that a revoked or expired token is refused by
every process within a second while a busy client costs one look-up a second, not one a request.
"""

import time
from collections.abc import Callable
from typing import Annotated, Protocol, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.clients.service import (
    ClientIdentity,
    OperatorIdentity,
    client_for_token,
    operator_for_token,
)
from order_taking.core.errors import Unauthorized
from order_taking.core.http import Transaction

_bearer = HTTPBearer(
    auto_error=False, description="A client's (or, for /operator, staff) token: opaque or a JWT"
)

Identity = TypeVar("Identity", ClientIdentity, OperatorIdentity)


class JwtVerifier(Protocol):
    """Checks a JWT and says who holds it; raises `Unauthorized` (or 503 `unavailable`)."""

    async def client(self, db: AsyncSession, token: str) -> ClientIdentity: ...

    async def operator(self, db: AsyncSession, token: str) -> OperatorIdentity: ...


class TokenCache:
    """Who holds a token (None: nobody), for at most `seconds` per process."""

    def __init__(
        self, seconds: float = 1.0, clock: Callable[[], float] = time.monotonic, size: int = 10_000
    ) -> None:
        self.seconds = seconds
        self.clock = clock
        self.size = size
        self._entries: dict[tuple[str, str], tuple[float, object]] = {}

    def get(self, kind: str, token: str) -> tuple[bool, object]:
        entry = self._entries.get((kind, token))
        if entry is None or entry[0] <= self.clock():
            return False, None
        return True, entry[1]

    def put(self, kind: str, token: str, holder: object) -> None:
        if len(self._entries) >= self.size:
            self._entries.clear()  # crude but bounded: whoever is refused next is looked up again
        self._entries[(kind, token)] = (self.clock() + self.seconds, holder)


def is_jwt(token: str) -> bool:
    """Opaque tokens are URL-safe base64 without dots; a JWT is three dot-separated parts."""
    return token.count(".") == 2


def _token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("A bearer token is required: Authorization: Bearer <token>.")
    return credentials.credentials


async def _holder(
    request: Request, db: AsyncSession, token: str, kind: type[Identity]
) -> Identity | None:
    cache: TokenCache = request.app.state.token_cache
    found, holder = cache.get(kind.__name__, token)
    if found:
        return holder  # type: ignore[return-value]
    verifier: JwtVerifier = request.app.state.jwt_verifier
    looked_up: ClientIdentity | OperatorIdentity | None
    if kind is ClientIdentity:
        looked_up = await (
            verifier.client(db, token) if is_jwt(token) else client_for_token(db, token)
        )
    else:
        looked_up = await (
            verifier.operator(db, token) if is_jwt(token) else operator_for_token(db, token)
        )
    cache.put(kind.__name__, token, looked_up)
    return looked_up  # type: ignore[return-value]


async def _current_client(
    request: Request,
    db: Transaction,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ClientIdentity:
    token = _token(credentials)
    client = await _holder(request, db, token, ClientIdentity)
    if client is None:
        if not is_jwt(token) and await operator_for_token(db, token) is not None:
            raise Unauthorized("This is an operator's token: this endpoint needs a client's token.")
        raise Unauthorized("Unknown, expired or revoked bearer token.")
    return client


async def _current_operator(
    request: Request,
    db: Transaction,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> OperatorIdentity:
    token = _token(credentials)
    operator = await _holder(request, db, token, OperatorIdentity)
    if operator is None:
        if not is_jwt(token) and await client_for_token(db, token) is not None:
            raise Unauthorized("This is a client's token: this action needs an operator's token.")
        raise Unauthorized("This action needs an operator's token (unknown, expired or revoked).")
    return operator


CurrentClient = Annotated[ClientIdentity, Depends(_current_client)]
CurrentOperator = Annotated[OperatorIdentity, Depends(_current_operator)]
