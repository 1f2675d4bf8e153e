"""Bearer-token authentication: a client's token for the API, an operator's for staff actions."""

import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from order_taking.clients.service import (
    ClientIdentity,
    OperatorIdentity,
    client_for_token,
    operator_for_token,
)
from order_taking.core.errors import Unauthorized
from order_taking.core.http import Transaction

_bearer = HTTPBearer(auto_error=False, description="A client's (or, for /operator, staff) token")


def _token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("A bearer token is required: Authorization: Bearer <token>.")
    return credentials.credentials


class RecentTokens:
    """The clients of the bearer tokens this process checked in the last `seconds`: most requests
    then skip the token look-up, and a revoked token is still refused within that time."""

    # Beyond this many tokens in one period, forget them all: memory stays bounded.
    MAX_TOKENS = 10_000

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._checked: dict[str, tuple[float, ClientIdentity]] = {}

    def get(self, token: str) -> ClientIdentity | None:
        checked = self._checked.get(token)
        if checked is None:
            return None
        at, client = checked
        if self.clock() - at >= self.seconds:
            del self._checked[token]
            return None
        return client

    def put(self, token: str, client: ClientIdentity) -> None:
        if self.seconds <= 0:
            return
        if len(self._checked) >= self.MAX_TOKENS:
            self._checked.clear()
        self._checked[token] = (self.clock(), client)


async def _current_client(
    request: Request,
    db: Transaction,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ClientIdentity:
    token = _token(credentials)
    recent: RecentTokens = request.app.state.recent_tokens
    client = recent.get(token)
    if client is None:
        client = await client_for_token(db, token)
        if client is None:
            raise Unauthorized("Unknown bearer token.")
        recent.put(token, client)
    return client


async def _current_operator(
    db: Transaction,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> OperatorIdentity:
    operator = await operator_for_token(db, _token(credentials))
    if operator is None:
        raise Unauthorized("This action needs an operator's token.")
    return operator


CurrentClient = Annotated[ClientIdentity, Depends(_current_client)]
CurrentOperator = Annotated[OperatorIdentity, Depends(_current_operator)]
