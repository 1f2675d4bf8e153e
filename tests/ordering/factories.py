"""Order sessions and lines made through the API, and the documentation's own example bodies."""

import re
from typing import Any

import httpx

# `2025-04-10T12:11:57.548+02:00`, as every datetime of the documentation.
API_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}")
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"

# The documentation's contact example, verbatim.
SPEC_CONTACT: dict[str, Any] = {
    "end_customer_name": "Covage corp",
    "siret": "00000000000000",
    "contact1_email_address": "John.Doe@unknown.com",
    "contact1_firstname": "John",
    "contact1_lastname": "Doe",
    "contact1_phone_number": "0123456789",
    "contact2_email_address": "Jane.Doe@unknown.com",
    "contact2_firstname": "Jane",
    "contact2_lastname": "Doe",
    "contact2_phone_number": "0987654321",
    "city": "Mont-Saint-Aignan",
    "postcode": "76130",
    "street_name": "Rue Andrei Sakharov",
    "street_number": "4",
    "street_number_extension": "B",
    "insee_code": "76451",
    "building_name": "",
    "level_number": "0",
    "latitude": 49.4744077,
    "longitude": 1.091455,
}

SPEC_SESSION_CREATE: dict[str, Any] = {"external_id": "12345", "project_id": ""}

# "Creating an Order Line", verbatim but for its `[...]` placeholders, filled from the
# documentation's own examples (the options of the confirmation example, the contact example).
# `{eligibility_id}` and `{quote_id}` stay: they are only checked at confirmation.
SPEC_LINE_CREATE: dict[str, Any] = {
    "end_customer_name": "Covage",
    "external_id": "6789",
    "option_ids": ["2210", "2220", "1615"],
    "note": "",
    "technical_note": "",
    "product_offering_id": "2173",
    "product_offering_qualification_item_id": "{eligibility_id}",
    "project_id": "",
    "quote_item_id": "{quote_id}",
    "delivery_mode": "",
    "enni": "AZ001234",
    "enni2": "",
    "vlan_reference": "1257",
    "customer_order_name": "john Doe",
    "business_code": "AB123",
    "billing_site_ref": "AUX99",
    "related_contact_information": [SPEC_CONTACT],
    "siret_known": True,
    "additional_vlan_reference": "1258",
    "offer_family": "BPE",
    "offer_technology": "FIBDE",
    "specific_request": "Demande de raccordement spécifique",
    "access_instructions": "Prendre la grande porte",
    "scheduled_delivery_date": "2025-09-21",
    "cpe_network_number": "NET-123456",
    "cpe_serial_number": "SR-123456",
}

# "Updating Order Line Information", its `[...]` filled with the contact example.
SPEC_LINE_UPDATE: dict[str, Any] = {
    "product_offering_id": "b99fce70-d195-41ed-b029-9b75c62ecd7c",
    "product_offering_qualification_item_id": "1b83a456-89a2-456e-9b78-a578c39b0474",
    "end_customer_name": "Covage corp edited",
    "external_id": "99999",
    "option_ids": [],
    "note": "you can add any information here",
    "technical_note": "you can add any technical information here",
    "project_id": "56789",
    "quote_item_id": "c0b5c9ab-c206-4858-8957-3befa6cbe58a",
    "delivery_mode": "string",
    "enni": "string",
    "enni2": "string",
    "vlan_reference": "1234",
    "customer_order_name": "John Doe",
    "business_code": "FLASH",
    "related_contact_information": [SPEC_CONTACT],
    "siret_known": True,
    "specific_request": "Demande de raccordement spécifique",
    "cpe_network_number": "NET-123456",
    "cpe_serial_number": "SR-123456",
}

# The least a line needs at creation.
MINIMAL_LINE: dict[str, Any] = {
    "product_offering_id": "2173",
    "product_offering_qualification_item_id": "d5a4a9aa-ba2c-4f53-95c7-0c1ce6f6e7fa",
}

# Every field of the documented line response (creation, update, detail).
DOCUMENTED_LINE_FIELDS = {
    "end_customer_name", "external_id", "option_ids", "note", "technical_note",
    "product_offering_id", "product_offering_qualification_item_id", "project_id",
    "quote_item_id", "delivery_mode", "enni", "enni_2", "enni2", "vlan_reference",
    "customer_order_name", "business_code", "billing_site_ref", "related_contact_information",
    "id", "product_order_id", "cancellation_date", "cancellation_reason", "completion_date",
    "order_date", "state", "state_change", "termination_error", "order_reference",
    "temporary_reference", "building_ref", "offer_family", "offer_technology",
    "cpe_networking_number", "cpe_network_number", "cpe_serial_number",
    "creation_date", "expiration_date",
}  # fmt: skip

DOCUMENTED_SESSION_FIELDS = {
    "external_id", "project_id", "id", "creation_date", "cancellation_date", "completion_date",
    "order_date", "state",
}  # fmt: skip


def contact(**fields: Any) -> dict[str, Any]:
    return SPEC_CONTACT | fields


async def create_session(api: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    response = await api.post("/api/v1/product_order", json=fields)
    assert response.status_code == 201, response.text
    session: dict[str, Any] = response.json()
    return session


async def create_line(api: httpx.AsyncClient, session_id: str, **fields: Any) -> dict[str, Any]:
    response = await api.post(
        f"/api/v1/product_order/{session_id}/product_order_item", json=MINIMAL_LINE | fields
    )
    assert response.status_code == 201, response.text
    line: dict[str, Any] = response.json()
    return line


async def create_session_with_line(
    api: httpx.AsyncClient, **line_fields: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    session = await create_session(api)
    return session, await create_line(api, session["id"], **line_fields)


async def confirm(api: httpx.AsyncClient, session_id: str) -> dict[str, Any]:
    response = await api.patch(f"/api/v1/product_order/{session_id}/confirm")
    assert response.status_code == 200, response.text
    detail: dict[str, Any] = response.json()
    return detail


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is an error of the contract's one shape; returns its body."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "errors"}
    assert body["code"] == code
    assert body["message"]
    return body
