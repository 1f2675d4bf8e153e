"""Order lines as the published documentation shows them, and valid lines built from them."""

from typing import Any

from tests.ordering.factories import SPEC_CONTACT, SPEC_LINE_CREATE

ELIGIBILITY_ID = "d5a4a9aa-ba2c-4f53-95c7-0c1ce6f6e7fa"  # demo catalog, Mont-Saint-Aignan
ROUEN_ELIGIBILITY_ID = "7c1e2f4a-3b5d-4e6f-8a9b-0c1d2e3f4a5b"  # demo catalog, DIA only
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"

# "Creating an Order Line", request example, its `[...]` left empty.
SPEC_LINE_REQUEST: dict[str, Any] = SPEC_LINE_CREATE | {
    "option_ids": [],
    "related_contact_information": [],
}

# "Confirming the Order Session", the line of the response example (its contact is SPEC_CONTACT).
SPEC_CONFIRMED_LINE: dict[str, Any] = {
    "end_customer_name": "Covage",
    "external_id": "",
    "option_ids": ["2210", "2220", "1615"],
    "cpe_network_number": "NET-123456",
    "cpe_serial_number": "SR-123456",
    "note": "",
    "technical_note": "",
    "product_offering_id": "2173",
    "product_offering_qualification_item_id": ELIGIBILITY_ID,
    "project_id": "",
    "quote_item_id": "",
    "delivery_mode": "",
    "enni": "",
    "enni2": "",
    "vlan_reference": 1257,
    "customer_order_name": "john Doe",
    "business_code": "",
    "billing_site_ref": "AUX00",
    "related_contact_information": [SPEC_CONTACT],
    "id": "259a1c5b-8462-4c5e-90d0-90d135763378",
    "product_order_id": "908d2cc0-4bdc-4f62-b812-f8c1f48c96cd",
    "cancellation_date": None,
    "cancellation_reason": "",
    "completion_date": None,
    "order_date": None,
    "state": "in_progress",
    "state_change": [
        {"change_reason": "", "change_date": "2025-04-23T10:13:08.733+02:00", "state": "created"},
        {
            "change_reason": "",
            "change_date": "2025-04-23T10:24:57.225+02:00",
            "state": "in_progress",
        },
    ],
    "termination_error": [],
    "order_reference": "PO_DC173_20250423_003363",
    "temporary_reference": "PO_DC173_20250423_003363",
    "building_ref": "",
}


def valid_line_body(**overrides: Any) -> dict[str, Any]:
    """The documentation's request example, made to pass every rule against the demo catalog."""
    body = SPEC_LINE_REQUEST | {
        "product_offering_qualification_item_id": ELIGIBILITY_ID,
        "quote_item_id": "",
        "related_contact_information": [SPEC_CONTACT],
        "specific_request": "",
        "scheduled_delivery_date": None,
        "cpe_network_number": "",
        "cpe_serial_number": "",
    }
    return body | overrides
