"""Bearer-token authentication: a client's token for the API, an operator's for staff actions."""

from typing import Annotated

from fastapi import Depends
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


async def _current_client(
    db: Transaction,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ClientIdentity:
    token = _token(credentials)
    client = await client_for_token(db, token)
    if client is None:
        if await operator_for_token(db, token) is not None:
            raise Unauthorized("This is an operator's token: this endpoint needs a client's token.")
        raise Unauthorized("Unknown bearer token.")
    return client


async def _current_operator(
    db: Transaction,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> OperatorIdentity:
    token = _token(credentials)
    operator = await operator_for_token(db, token)
    if operator is None:
        if await client_for_token(db, token) is not None:
            raise Unauthorized("This is a client's token: this action needs an operator's token.")
        raise Unauthorized("This action needs an operator's token.")
    return operator


CurrentClient = Annotated[ClientIdentity, Depends(_current_client)]
CurrentOperator = Annotated[OperatorIdentity, Depends(_current_operator)]
