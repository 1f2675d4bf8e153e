"""/api/v1/product_order/{id}/product_order_item and /api/v1/product_order_item/{item_id}:
create, update, delete and read order lines."""

import asyncio
import re
from datetime import date, datetime, timedelta

import httpx
import pytest

from order_taking.core.settings import get_settings
from tests.ordering.factories import (
    API_DATETIME,
    DOCUMENTED_LINE_FIELDS,
    MINIMAL_LINE,
    SPEC_CONTACT,
    SPEC_LINE_CREATE,
    SPEC_LINE_UPDATE,
    UNKNOWN_ID,
    assert_error,
    confirm,
    contact,
    create_line,
    create_session,
    create_session_with_line,
)

OPTIONAL_STRINGS = (
    "end_customer_name", "external_id", "note", "technical_note", "project_id", "quote_item_id",
    "delivery_mode", "enni", "enni_2", "customer_order_name", "business_code", "billing_site_ref",
    "additional_vlan_reference", "offer_family", "offer_technology", "specific_request",
    "access_instructions", "cpe_networking_number", "cpe_serial_number",
)  # fmt: skip


def errors_of(response: httpx.Response) -> list[tuple[str, str]]:
    body = assert_error(response, 422, "validation_error")
    return [(e["property_path"], e["code"]) for e in body["errors"]]


def local_day(api_datetime: str) -> date:
    return datetime.fromisoformat(api_datetime).astimezone(get_settings().zone).date()


class TestAddLine:
    async def test_the_documentation_example_is_created(self, api: httpx.AsyncClient) -> None:
        session = await create_session(api)

        response = await api.post(
            f"/api/v1/product_order/{session['id']}/product_order_item", json=SPEC_LINE_CREATE
        )

        assert response.status_code == 201, response.text
        line = response.json()
        assert set(line) >= DOCUMENTED_LINE_FIELDS
        sent_as_is = set(SPEC_LINE_CREATE) - {"vlan_reference", "enni2", "cpe_network_number"}
        assert {k: line[k] for k in sent_as_is} == {k: SPEC_LINE_CREATE[k] for k in sent_as_is}
        assert line["vlan_reference"] == 1257
        assert line["enni_2"] == line["enni2"] == ""
        assert line["cpe_networking_number"] == line["cpe_network_number"] == "NET-123456"
        assert line["product_order_id"] == session["id"]
        assert line["state"] == "created"

    async def test_the_read_only_fields_start_as_documented(self, api: httpx.AsyncClient) -> None:
        _, line = await create_session_with_line(api)

        assert re.fullmatch(r"PO_DC173_\d{8}_000001", line["order_reference"])
        assert line["temporary_reference"] == line["order_reference"]
        assert API_DATETIME.fullmatch(line["creation_date"])
        assert line["order_reference"][9:17] == local_day(line["creation_date"]).strftime("%Y%m%d")
        assert line["expiration_date"] == str(local_day(line["creation_date"]) + timedelta(90))
        assert line["state_change"] == [
            {"state": "created", "change_date": line["creation_date"], "change_reason": ""}
        ]
        assert line["termination_error"] == []
        assert line["cancellation_reason"] == ""
        assert line["building_ref"] == ""
        for name in ("order_date", "completion_date", "cancellation_date"):
            assert line[name] is None

    async def test_the_optional_fields_default_to_empty(self, api: httpx.AsyncClient) -> None:
        session = await create_session(api)

        line = await create_line(api, session["id"])

        assert {name: line[name] for name in OPTIONAL_STRINGS} == dict.fromkeys(
            OPTIONAL_STRINGS, ""
        )
        assert line["option_ids"] == []
        assert line["related_contact_information"] == []
        assert line["vlan_reference"] is None
        assert line["scheduled_delivery_date"] is None
        assert line["siret_known"] is False

    async def test_null_is_read_as_the_default(self, api: httpx.AsyncClient) -> None:
        session = await create_session(api)
        nulls = dict.fromkeys(
            (
                *OPTIONAL_STRINGS,
                "option_ids",
                "related_contact_information",
                "vlan_reference",
                "scheduled_delivery_date",
                "siret_known",
            )
        )

        line = await create_line(api, session["id"], **nulls)

        assert {name: line[name] for name in OPTIONAL_STRINGS} == dict.fromkeys(
            OPTIONAL_STRINGS, ""
        )
        assert (line["option_ids"], line["related_contact_information"]) == ([], [])
        assert (line["vlan_reference"], line["scheduled_delivery_date"]) == (None, None)
        assert line["siret_known"] is False

    async def test_a_null_contact_field_is_read_as_empty(self, api: httpx.AsyncClient) -> None:
        session = await create_session(api)

        line = await create_line(
            api, session["id"], related_contact_information=[{"city": None, "latitude": None}]
        )

        [stored] = line["related_contact_information"]
        assert (stored["city"], stored["latitude"], stored["postcode"]) == ("", None, "")

    @pytest.mark.parametrize(
        ("sent", "stored"),
        [
            ({"enni_2": "E2"}, {"enni_2": "E2", "enni2": "E2"}),
            ({"enni2": "E2"}, {"enni_2": "E2", "enni2": "E2"}),
            (
                {"cpe_networking_number": "NET-1"},
                {"cpe_networking_number": "NET-1", "cpe_network_number": "NET-1"},
            ),
            (
                {"cpe_network_number": "NET-1"},
                {"cpe_networking_number": "NET-1", "cpe_network_number": "NET-1"},
            ),
        ],
    )
    async def test_both_spellings_are_accepted_and_returned(
        self, api: httpx.AsyncClient, sent: dict[str, str], stored: dict[str, str]
    ) -> None:
        session = await create_session(api)

        line = await create_line(api, session["id"], **sent)

        assert {k: line[k] for k in stored} == stored

    @pytest.mark.parametrize(
        ("sent", "stored"),
        [
            (1257, 1257),
            ("1257", 1257),
            (" 42 ", 42),
            ("0012", 12),
            (1, 1),
            (4094, 4094),
            ("", None),
        ],
    )
    async def test_vlan_reference_is_a_number_or_a_numeric_string(
        self, api: httpx.AsyncClient, sent: object, stored: int | None
    ) -> None:
        session = await create_session(api)

        line = await create_line(api, session["id"], vlan_reference=sent)

        assert line["vlan_reference"] == stored

    @pytest.mark.parametrize(
        ("sent", "code"),
        [
            (0, "out_of_range"),
            (4095, "out_of_range"),
            ("4095", "out_of_range"),
            (-1, "out_of_range"),
            ("-1", "invalid_type"),
            (True, "invalid_type"),
            (12.5, "invalid_type"),
            ("12a", "invalid_type"),
            ("٣", "invalid_type"),
            ([12], "invalid_type"),
        ],
    )
    async def test_vlan_reference_is_refused_otherwise(
        self, api: httpx.AsyncClient, sent: object, code: str
    ) -> None:
        session = await create_session(api)

        response = await api.post(
            f"/api/v1/product_order/{session['id']}/product_order_item",
            json=MINIMAL_LINE | {"vlan_reference": sent},
        )

        assert errors_of(response) == [("vlan_reference", code)]

    async def test_each_bad_field_gets_an_entry_at_its_path(self, api: httpx.AsyncClient) -> None:
        session = await create_session(api)
        body = MINIMAL_LINE | {
            "note": 12,
            "option_ids": ["2210", 2220],
            "siret_known": "yes",
            "scheduled_delivery_date": "21/09/2025",
            "related_contact_information": [contact(), contact(latitude="north", city=["Rouen"])],
            "end_customer_name": "x" * 256,
        }

        response = await api.post(
            f"/api/v1/product_order/{session['id']}/product_order_item", json=body
        )

        assert sorted(errors_of(response)) == [
            ("end_customer_name", "too_long"),
            ("note", "invalid_type"),
            ("option_ids[1]", "invalid_type"),
            ("related_contact_information[1].city", "invalid_type"),
            ("related_contact_information[1].latitude", "invalid_type"),
            ("scheduled_delivery_date", "invalid_date"),
            ("siret_known", "invalid_type"),
        ]
        entries = {e["property_path"]: e["value"] for e in response.json()["errors"]}
        assert entries["related_contact_information[1].latitude"] == "north"
        assert entries["option_ids[1]"] == "2220"

    @pytest.mark.parametrize(
        ("field", "value", "path", "code"),
        [
            ("related_contact_information", [SPEC_CONTACT] * 3, "", "too_many"),
            ("related_contact_information", SPEC_CONTACT, "", "invalid_type"),
            ("related_contact_information", ["Rouen"], "[0]", "invalid_type"),
            ("option_ids", "2210", "", "invalid_type"),
            ("option_ids", ["x" * 65], "[0]", "too_long"),
            ("scheduled_delivery_date", "2025-02-30", "", "invalid_date"),
            ("scheduled_delivery_date", "2025-09-21T10:00:00", "", "invalid_date"),
            ("note", "x" * 10_001, "", "too_long"),
            ("enni", "x" * 65, "", "too_long"),
            ("external_id", "nul \x00 inside", "", "invalid_character"),
        ],
    )
    async def test_refuses_a_wrong_json_type_or_length(
        self, api: httpx.AsyncClient, field: str, value: object, path: str, code: str
    ) -> None:
        session = await create_session(api)

        response = await api.post(
            f"/api/v1/product_order/{session['id']}/product_order_item",
            json=MINIMAL_LINE | {field: value},
        )

        assert errors_of(response) == [(field + path, code)]

    @pytest.mark.parametrize(
        ("coordinate", "code"),
        [("1e999", "out_of_range"), ("NaN", "out_of_range"), ("true", "invalid_type")],
    )
    async def test_a_coordinate_is_a_finite_number(
        self, api: httpx.AsyncClient, coordinate: str, code: str
    ) -> None:
        session = await create_session(api)
        body = (
            '{"product_offering_id": "2173", "product_offering_qualification_item_id": "x", '
            f'"related_contact_information": [{{"longitude": {coordinate}}}]}}'
        )

        response = await api.post(
            f"/api/v1/product_order/{session['id']}/product_order_item",
            content=body,
            headers={"content-type": "application/json"},
        )

        assert errors_of(response) == [("related_contact_information[0].longitude", code)]

    @pytest.mark.parametrize(
        "missing", ["product_offering_id", "product_offering_qualification_item_id"]
    )
    async def test_the_offering_and_eligibility_item_are_required(
        self, api: httpx.AsyncClient, missing: str
    ) -> None:
        session = await create_session(api)
        body = {k: v for k, v in MINIMAL_LINE.items() if k != missing}

        absent = await api.post(
            f"/api/v1/product_order/{session['id']}/product_order_item", json=body
        )
        empty = await api.post(
            f"/api/v1/product_order/{session['id']}/product_order_item", json=body | {missing: ""}
        )

        assert errors_of(absent) == [(missing, "required")]
        assert errors_of(empty) == [(missing, "too_short")]

    async def test_confirmation_rules_are_not_checked_here(self, api: httpx.AsyncClient) -> None:
        """A draft may be incomplete and badly formatted: confirmation judges it."""
        session = await create_session(api)
        draft = contact(
            contact1_email_address="not an email",
            contact1_phone_number="call me",
            postcode="1",
            insee_code="?",
            latitude=200.0,
            siret="123",
            city="",
        )

        line = await create_line(
            api,
            session["id"],
            product_offering_id="no such offering",
            option_ids=["9999"],
            related_contact_information=[draft],
            siret_known=True,
            scheduled_delivery_date="2001-01-01",
        )

        assert line["related_contact_information"] == [draft]
        assert line["option_ids"] == ["9999"]

    async def test_references_follow_each_other(self, api: httpx.AsyncClient) -> None:
        session = await create_session(api)

        lines = [await create_line(api, session["id"]) for _ in range(3)]

        assert [line["order_reference"][-6:] for line in lines] == ["000001", "000002", "000003"]

    async def test_references_are_unique_under_concurrent_creation(
        self, api: httpx.AsyncClient
    ) -> None:
        sessions = [await create_session(api) for _ in range(4)]

        lines = await asyncio.gather(
            *(create_line(api, sessions[n % 4]["id"], external_id=str(n)) for n in range(20))
        )

        counters = sorted(int(line["order_reference"][-6:]) for line in lines)
        assert counters == list(range(1, 21))

    async def test_each_client_counts_its_own_references(
        self, api: httpx.AsyncClient, other_api: httpx.AsyncClient
    ) -> None:
        _, mine = await create_session_with_line(api)
        _, theirs = await create_session_with_line(other_api)

        assert mine["order_reference"].startswith("PO_DC173_")
        assert theirs["order_reference"].startswith("PO_XY999_")
        assert mine["order_reference"][-6:] == theirs["order_reference"][-6:] == "000001"

    async def test_a_confirmed_session_takes_no_line(self, api: httpx.AsyncClient) -> None:
        session, _ = await create_session_with_line(api)
        await confirm(api, session["id"])

        response = await api.post(
            f"/api/v1/product_order/{session['id']}/product_order_item", json=MINIMAL_LINE
        )

        assert_error(response, 409, "invalid_state")

    async def test_an_unknown_session_is_not_found(self, api: httpx.AsyncClient) -> None:
        response = await api.post(
            f"/api/v1/product_order/{UNKNOWN_ID}/product_order_item", json=MINIMAL_LINE
        )

        assert_error(response, 404, "not_found")


class TestUpdateLine:
    async def test_the_documentation_example_is_applied(self, api: httpx.AsyncClient) -> None:
        session, line = await create_session_with_line(api, **SPEC_LINE_CREATE)

        response = await api.patch(
            f"/api/v1/product_order/{session['id']}/product_order_item/{line['id']}",
            json=SPEC_LINE_UPDATE,
        )

        assert response.status_code == 200, response.text
        updated = response.json()
        assert set(updated) >= DOCUMENTED_LINE_FIELDS
        sent_as_is = set(SPEC_LINE_UPDATE) - {"vlan_reference", "enni2", "cpe_network_number"}
        assert {k: updated[k] for k in sent_as_is} == {k: SPEC_LINE_UPDATE[k] for k in sent_as_is}
        assert updated["vlan_reference"] == 1234
        assert updated["enni_2"] == updated["enni2"] == "string"
        # Not in the update example: unchanged.
        for name in ("billing_site_ref", "access_instructions", "scheduled_delivery_date"):
            assert updated[name] == line[name]
        unchanged = {"id", "order_reference", "creation_date", "state_change", "product_order_id"}
        assert {k: updated[k] for k in unchanged} == {k: line[k] for k in unchanged}

    async def test_changes_only_the_fields_sent(self, api: httpx.AsyncClient) -> None:
        session, line = await create_session_with_line(api, **SPEC_LINE_CREATE)

        response = await api.patch(
            f"/api/v1/product_order/{session['id']}/product_order_item/{line['id']}/",
            json={"note": "call first", "enni2": "E2", "vlan_reference": None},
        )

        updated = response.json()
        assert (updated["note"], updated["enni_2"], updated["vlan_reference"]) == (
            "call first",
            "E2",
            None,
        )
        assert {
            k: v
            for k, v in updated.items()
            if k not in ("note", "enni_2", "enni2", "vlan_reference")
        } == {
            k: v for k, v in line.items() if k not in ("note", "enni_2", "enni2", "vlan_reference")
        }

    async def test_the_detail_shows_the_update(self, api: httpx.AsyncClient) -> None:
        session, line = await create_session_with_line(api)

        response = await api.patch(
            f"/api/v1/product_order/{session['id']}/product_order_item/{line['id']}",
            json={"related_contact_information": [SPEC_CONTACT]},
        )

        detail = await api.get(f"/api/v1/product_order_item/{line['id']}")
        assert detail.json() == response.json()
        assert detail.json()["related_contact_information"] == [SPEC_CONTACT]

    async def test_refuses_a_bad_field_and_changes_nothing(self, api: httpx.AsyncClient) -> None:
        session, line = await create_session_with_line(api, note="kept")

        response = await api.patch(
            f"/api/v1/product_order/{session['id']}/product_order_item/{line['id']}",
            json={"note": "lost", "related_contact_information": [{"latitude": "north"}]},
        )

        assert errors_of(response) == [("related_contact_information[0].latitude", "invalid_type")]
        assert (await api.get(f"/api/v1/product_order_item/{line['id']}")).json() == line

    async def test_a_confirmed_line_cannot_change(self, api: httpx.AsyncClient) -> None:
        session, line = await create_session_with_line(api)
        await confirm(api, session["id"])

        response = await api.patch(
            f"/api/v1/product_order/{session['id']}/product_order_item/{line['id']}",
            json={"note": "too late"},
        )

        assert_error(response, 409, "invalid_state")

    async def test_the_line_must_be_in_that_session(self, api: httpx.AsyncClient) -> None:
        _, line = await create_session_with_line(api)
        elsewhere = await create_session(api)

        response = await api.patch(
            f"/api/v1/product_order/{elsewhere['id']}/product_order_item/{line['id']}",
            json={"note": "x"},
        )

        assert_error(response, 404, "not_found")

    async def test_an_unknown_line_is_not_found(self, api: httpx.AsyncClient) -> None:
        session = await create_session(api)

        response = await api.patch(
            f"/api/v1/product_order/{session['id']}/product_order_item/{UNKNOWN_ID}",
            json={"note": "x"},
        )

        assert_error(response, 404, "not_found")


class TestDeleteLine:
    async def test_answers_the_session_detail_without_the_line(
        self, api: httpx.AsyncClient
    ) -> None:
        session = await create_session(api, external_id="444555666777")
        deleted = await create_line(api, session["id"])
        kept = await create_line(api, session["id"])

        response = await api.delete(
            f"/api/v1/product_order/{session['id']}/product_order_item/{deleted['id']}/"
        )

        assert response.status_code == 200
        detail = response.json()
        assert {"external_id", "project_id", "id", "product_order_item"} <= set(detail)
        assert (detail["id"], detail["external_id"]) == (session["id"], "444555666777")
        assert detail["product_order_item"] == [kept]
        assert (await api.get(f"/api/v1/product_order_item/{deleted['id']}")).status_code == 404

    async def test_a_confirmed_line_cannot_be_deleted(self, api: httpx.AsyncClient) -> None:
        session, line = await create_session_with_line(api)
        await confirm(api, session["id"])

        response = await api.delete(
            f"/api/v1/product_order/{session['id']}/product_order_item/{line['id']}"
        )

        assert_error(response, 409, "invalid_state")
        assert (await api.get(f"/api/v1/product_order_item/{line['id']}")).status_code == 200

    async def test_the_line_must_be_in_that_session(self, api: httpx.AsyncClient) -> None:
        _, line = await create_session_with_line(api)
        elsewhere = await create_session(api)

        response = await api.delete(
            f"/api/v1/product_order/{elsewhere['id']}/product_order_item/{line['id']}"
        )

        assert_error(response, 404, "not_found")
        assert (await api.get(f"/api/v1/product_order_item/{line['id']}")).status_code == 200


class TestGetLine:
    async def test_has_every_field_of_the_line(self, api: httpx.AsyncClient) -> None:
        _, line = await create_session_with_line(api, **SPEC_LINE_CREATE)

        response = await api.get(f"/api/v1/product_order_item/{line['id']}/")

        assert response.status_code == 200
        assert response.json() == line

    async def test_an_unknown_line_is_not_found(self, api: httpx.AsyncClient) -> None:
        response = await api.get(f"/api/v1/product_order_item/{UNKNOWN_ID}")

        assert_error(response, 404, "not_found")

    async def test_an_id_no_database_can_hold_is_refused(self, api: httpx.AsyncClient) -> None:
        response = await api.get("/api/v1/product_order_item/a%00b")

        assert errors_of(response) == [("item_id", "invalid_character")]


async def test_datetimes_are_rendered_in_the_service_zone(api: httpx.AsyncClient) -> None:
    session, line = await create_session_with_line(api)

    detail = await confirm(api, session["id"])

    moments = [
        session["creation_date"],
        line["creation_date"],
        detail["order_date"],
        *(change["change_date"] for change in detail["product_order_item"][0]["state_change"]),
    ]
    zone = get_settings().zone
    for moment in moments:
        assert API_DATETIME.fullmatch(moment), moment
        parsed = datetime.fromisoformat(moment)
        assert parsed.utcoffset() == parsed.astimezone(zone).utcoffset()
