"""The documented happy path, end to end through the real app: session, line, confirm."""

import httpx

EXAMPLE_LINE = {
    "product_offering_id": "2173",
    "product_offering_qualification_item_id": "d5a4a9aa-ba2c-4f53-95c7-0c1ce6f6e7fa",
    "vlan_reference": "1257",
}


async def test_a_session_is_created_filled_and_confirmed(api: httpx.AsyncClient) -> None:
    created = await api.post("/api/v1/product_order", json={"external_id": "12345"})
    assert created.status_code == 201
    session_id = created.json()["id"]

    line = await api.post(
        f"/api/v1/product_order/{session_id}/product_order_item", json=EXAMPLE_LINE
    )
    assert line.status_code == 201
    assert line.json()["vlan_reference"] == 1257
    assert line.json()["state"] == "created"

    confirmed = await api.patch(f"/api/v1/product_order/{session_id}/confirm/")
    assert confirmed.status_code == 200
    assert confirmed.json()["state"] == "in_progress"
    assert [i["state"] for i in confirmed.json()["product_order_item"]] == ["in_progress"]


async def test_a_coordinate_that_is_not_a_finite_number_is_refused_at_the_door(
    api: httpx.AsyncClient,
) -> None:
    session_id = (await api.post("/api/v1/product_order", json={})).json()["id"]
    # Python's JSON reader takes NaN; PostgreSQL's JSON would not, so it is stopped at the door.
    body = b'{"product_offering_id": "2173", "product_offering_qualification_item_id": "x", '
    body += b'"related_contact_information": [{"latitude": NaN}]}'
    response = await api.post(
        f"/api/v1/product_order/{session_id}/product_order_item",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert (
        response.json()["errors"][0]["property_path"] == "related_contact_information[0].latitude"
    )
