"""Small factories of quote carts and quote lines, made through the API as a client would."""

from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import update

from order_taking.core.database import Database

# Demo catalog (contract §6): two items at Mont-Saint-Aignan eligible to every offering, and one
# in Rouen eligible to the DIA offering only.
ITEM = "d5a4a9aa-ba2c-4f53-95c7-0c1ce6f6e7fa"
OTHER_ITEM = "1b83a456-89a2-456e-9b78-a578c39b0474"
ROUEN_ITEM = "7c1e2f4a-3b5d-4e6f-8a9b-0c1d2e3f4a5b"
BPE = "2173"
BPE_2 = "b99fce70-d195-41ed-b029-9b75c62ecd7c"
DIA = "3001"

CONTACT = {
    "end_customer_name": "Covage corp",
    "contact1_email_address": "John.Doe@unknown.com",
    "contact1_firstname": "John",
    "contact1_lastname": "Doe",
    "contact1_phone_number": "0123456789",
    "city": "Mont-Saint-Aignan",
    "postcode": "76130",
    "street_name": "Rue Andrei Sakharov",
    "street_number": "4",
    "insee_code": "76451",
}


async def create_cart(api: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    response = await api.post("/api/v1/quote/", json=fields)
    assert response.status_code == 201, response.text
    cart: dict[str, Any] = response.json()
    return cart


async def add_line(api: httpx.AsyncClient, cart_id: str, **fields: Any) -> dict[str, Any]:
    body = {"product_offering_qualification_item_id": ITEM, "product_offerings": [BPE]} | fields
    response = await api.post(f"/api/v1/quote/{cart_id}/quote_item/", json=body)
    assert response.status_code == 201, response.text
    line: dict[str, Any] = response.json()
    return line


async def confirm(api: httpx.AsyncClient, cart_id: str) -> None:
    response = await api.patch(f"/api/v1/quote/{cart_id}/confirm/")
    assert response.status_code == 204, response.text


async def confirmed_line(api: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    """A quote line of a cart that has been confirmed, as it was before confirmation."""
    cart = await create_cart(api)
    line = await add_line(api, cart["id"], **fields)
    await confirm(api, cart["id"])
    return line


async def set_columns(database: Database, model: type[Any], row_id: str, **values: Any) -> None:
    """Sets columns the API never lets a client set (dates in the past), to test the filters."""
    async with database.transaction() as db:
        await db.execute(update(model).where(model.id == row_id).values(**values))


def day(text: str) -> datetime:
    """`"2025-01-15"` → noon that day, UTC."""
    return datetime.fromisoformat(text).replace(hour=12, tzinfo=UTC)
