"""Queries on clients, operators and their bearer tokens."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from order_taking.clients.models import BearerToken, Client, ClientToken, Operator, OperatorToken


@dataclass(frozen=True)
class TokenKind:
    """Whose tokens: a client's (named by its code) or an operator's (by its name)."""

    model: type[ClientToken] | type[OperatorToken]
    owner_column: InstrumentedAttribute[str]
    owner_id: InstrumentedAttribute[str]
    owner_name: InstrumentedAttribute[str]


CLIENT_TOKENS = TokenKind(ClientToken, ClientToken.client_id, Client.id, Client.code)
OPERATOR_TOKENS = TokenKind(OperatorToken, OperatorToken.operator_id, Operator.id, Operator.name)


async def find_client(db: AsyncSession, code: str) -> Client | None:
    return await db.scalar(select(Client).where(Client.code == code))


async def find_client_by_id(db: AsyncSession, client_id: str) -> Client | None:
    return await db.get(Client, client_id)


async def client_code_exists(db: AsyncSession, code: str) -> bool:
    return await db.scalar(select(Client.id).where(Client.code == code)) is not None


async def list_clients(db: AsyncSession) -> list[Client]:
    return list((await db.scalars(select(Client).order_by(Client.code))).all())


async def find_operator(db: AsyncSession, name: str) -> Operator | None:
    return await db.scalar(select(Operator).where(Operator.name == name))


async def find_operator_by_id(db: AsyncSession, operator_id: str) -> Operator | None:
    return await db.get(Operator, operator_id)


async def active_token(
    db: AsyncSession, kind: TokenKind, token_hash: str, moment: datetime
) -> Row[Any] | None:
    """(owner_id, owner_name, token_id, last_used_at) of a token neither revoked nor expired."""
    token = kind.model
    query = (
        select(
            kind.owner_id.label("owner_id"),
            kind.owner_name.label("owner_name"),
            token.id.label("token_id"),
            token.last_used_at,
        )
        .join(token, kind.owner_column == kind.owner_id)
        .where(
            token.token_hash == token_hash,
            token.revoked_at.is_(None),
            or_(token.expires_at.is_(None), token.expires_at > moment),
        )
    )
    return cast(Row[Any] | None, (await db.execute(query)).first())


async def mark_used(db: AsyncSession, kind: TokenKind, token_id: str, moment: datetime) -> None:
    await db.execute(
        update(kind.model).where(kind.model.id == token_id).values(last_used_at=moment)
    )


async def tokens_of(db: AsyncSession, kind: TokenKind, owner_id: str) -> list[BearerToken]:
    query = select(kind.model).where(kind.owner_column == owner_id)
    return cast(list[BearerToken], list(await db.scalars(query.order_by(kind.model.created_at))))


async def token_of(
    db: AsyncSession, kind: TokenKind, owner_id: str, token_id: str
) -> BearerToken | None:
    query = select(kind.model).where(kind.owner_column == owner_id, kind.model.id == token_id)
    return cast(BearerToken | None, await db.scalar(query))
