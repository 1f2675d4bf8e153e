"""Client operators, operators' staff and their bearer tokens."""

import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.clients.models import Client, ClientToken, Operator

CLIENT_CODE = re.compile(r"[A-Z0-9]{2,32}")


class ClientCodeInvalid(ValueError):
    pass


class ClientExists(ValueError):
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
    if await db.scalar(select(Client.id).where(Client.code == code)):
        raise ClientExists(f"client {code} already exists")
    client = Client(code=code, name=name)
    db.add(client)
    await db.flush()
    token = await add_client_token(db, client)
    return client, token


async def add_client_token(db: AsyncSession, client: Client) -> str:
    token = new_token()
    db.add(ClientToken(client_id=client.id, token_hash=hash_token(token)))
    await db.flush()
    return token


async def find_client(db: AsyncSession, code: str) -> Client | None:
    return await db.scalar(select(Client).where(Client.code == code))


async def list_clients(db: AsyncSession) -> list[Client]:
    return list((await db.scalars(select(Client).order_by(Client.code))).all())


async def client_for_token(db: AsyncSession, token: str) -> ClientIdentity | None:
    row = (
        await db.execute(
            select(Client.id, Client.code)
            .join(ClientToken, ClientToken.client_id == Client.id)
            .where(ClientToken.token_hash == hash_token(token))
        )
    ).first()
    return ClientIdentity(id=row.id, code=row.code) if row else None


async def create_operator(db: AsyncSession, name: str) -> tuple[Operator, str]:
    if await db.scalar(select(Operator.id).where(Operator.name == name)):
        raise ClientExists(f"operator {name} already exists")
    token = new_token()
    operator = Operator(name=name, token_hash=hash_token(token))
    db.add(operator)
    await db.flush()
    return operator, token


async def operator_for_token(db: AsyncSession, token: str) -> OperatorIdentity | None:
    operator = await db.scalar(select(Operator).where(Operator.token_hash == hash_token(token)))
    return OperatorIdentity(id=operator.id, name=operator.name) if operator else None
