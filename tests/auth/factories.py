"""Clients and operators with a password, and the token endpoint as an integrator calls it."""

from typing import Any

import httpx

from order_taking.auth.service import set_password
from order_taking.clients import service as clients
from order_taking.core.database import Database

REALM = "/auth/realms/order-taking"
TOKEN = f"{REALM}/protocol/openid-connect/token"
SESSIONS = "/api/v1/product_order"


async def client_with_password(database: Database, code: str = "DC173") -> str:
    async with database.transaction() as db:
        client = await clients.find_client(db, code)
        if client is None:
            client, _ = await clients.create_client(db, code)
        return await set_password(db, client)


async def operator_with_password(database: Database, name: str = "Marie ADV") -> str:
    async with database.transaction() as db:
        operator, _ = await clients.create_operator(db, name)
        return await set_password(db, operator)


async def password_grant(http: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    form = {
        "grant_type": "password",
        "client_id": "api-client",
        "username": username,
        "password": password,
    }
    return await http.post(TOKEN, data=form)


async def access_token(http: httpx.AsyncClient, username: str, password: str) -> str:
    response = await password_grant(http, username, password)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def bearer(token: str) -> dict[str, Any]:
    return {"Authorization": f"Bearer {token}"}
