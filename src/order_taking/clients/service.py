"""Client operators, operators' staff and their opaque bearer tokens, with their life cycle."""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.clients import repository
from order_taking.clients.models import BearerToken, Client, ClientToken, Operator, OperatorToken
from order_taking.clients.repository import CLIENT_TOKENS, OPERATOR_TOKENS, TokenKind
from order_taking.core.time import now

CLIENT_CODE = re.compile(r"[A-Z0-9]{2,32}")
# "Last used" is this precise: a token used all day costs one write a minute, not one a request.
LAST_USED_PRECISION = timedelta(minutes=1)

find_client = repository.find_client
find_operator = repository.find_operator
list_clients = repository.list_clients


class ClientCodeInvalid(ValueError):
    pass


class ClientExists(ValueError):
    pass


class TokenNotFound(ValueError):
    pass


@dataclass(frozen=True)
class ClientIdentity:
    """The client operator a request acts for."""

    id: str
    code: str


@dataclass(frozen=True)
class OperatorIdentity:
    """A member of the operator's own staff."""

    id: str
    name: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


async def create_client(db: AsyncSession, code: str, name: str = "") -> tuple[Client, str]:
    """A new client and its first token; the token is shown once and only its hash is kept."""
    if not CLIENT_CODE.fullmatch(code):
        raise ClientCodeInvalid("a client code is 2 to 32 capital letters or digits, e.g. DC173")
    if await repository.client_code_exists(db, code):
        raise ClientExists(f"client {code} already exists")
    client = Client(code=code, name=name)
    db.add(client)
    await db.flush()
    token = await add_client_token(db, client)
    return client, token


async def add_client_token(
    db: AsyncSession, client: Client, expires_in: timedelta | None = None
) -> str:
    return await issue_token(db, CLIENT_TOKENS, client.id, expires_in)


async def create_operator(db: AsyncSession, name: str) -> tuple[Operator, str]:
    if await repository.find_operator(db, name):
        raise ClientExists(f"operator {name} already exists")
    operator = Operator(name=name)
    db.add(operator)
    await db.flush()
    return operator, await issue_token(db, OPERATOR_TOKENS, operator.id)


async def issue_token(
    db: AsyncSession, kind: TokenKind, owner_id: str, expires_in: timedelta | None = None
) -> str:
    """A new opaque token of a client or an operator, shown once; only its hash is kept."""
    token = new_token()
    created = now()
    expires_at = created + expires_in if expires_in is not None else None
    values = {"token_hash": hash_token(token), "created_at": created, "expires_at": expires_at}
    if kind is CLIENT_TOKENS:
        db.add(ClientToken(client_id=owner_id, **values))
    else:
        db.add(OperatorToken(operator_id=owner_id, **values))
    await db.flush()
    return token


async def tokens_of(db: AsyncSession, kind: TokenKind, owner_id: str) -> list[BearerToken]:
    return await repository.tokens_of(db, kind, owner_id)


async def revoke_token(db: AsyncSession, kind: TokenKind, owner_id: str, token_id: str) -> None:
    """Every process refuses the token within a second (see clients.auth.TokenCache)."""
    token = await repository.token_of(db, kind, owner_id, token_id)
    if token is None:
        raise TokenNotFound(f"no token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = now()
    await db.flush()


async def _holder(db: AsyncSession, kind: TokenKind, token: str) -> tuple[str, str] | None:
    """(id, code or name) of the token's holder if it is valid now; records its use."""
    moment = now()
    row = await repository.active_token(db, kind, hash_token(token), moment)
    if row is None:
        return None
    if row.last_used_at is None or row.last_used_at < moment - LAST_USED_PRECISION:
        await repository.mark_used(db, kind, row.token_id, moment)
    return row.owner_id, row.owner_name


async def client_for_token(db: AsyncSession, token: str) -> ClientIdentity | None:
    holder = await _holder(db, CLIENT_TOKENS, token)
    return ClientIdentity(*holder) if holder else None


async def operator_for_token(db: AsyncSession, token: str) -> OperatorIdentity | None:
    holder = await _holder(db, OPERATOR_TOKENS, token)
    return OperatorIdentity(*holder) if holder else None
