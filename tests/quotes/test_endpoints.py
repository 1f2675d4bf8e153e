"""The quote endpoints as a client calls them: /api/v1/quote and /api/v1/quote_item."""

import re
from typing import Any

import httpx
import pytest

from order_taking.core.database import Database
from order_taking.quotes.models import QuoteCart, QuoteLine
from tests.conftest import ClientFactory
from tests.quotes.factories import (
    BPE,
    BPE_2,
    CONTACT,
    DIA,
    ITEM,
    ROUEN_ITEM,
    add_line,
    confirm,
    confirmed_line,
    create_cart,
    day,
    set_columns,
)

CART_FIELDS = {"id", "external_id", "project_id", "state", "creation_date", "quote_date"}
# QuoteItemListSchema, as documented.
LIST_FIELDS = {
    "id",
    "end_customer_name",
    "external_id",
    "reference",
    "state",
    "site_connection_type",
    "business_sector",
    "product_offerings",
    "product_offering_qualification_item_id",
    "address",
    "latitude",
    "longitude",
    "creation_date",
    "order_date",
    "expected_response_date",
}
# QuoteItemSchema: the list's fields and every stored one.
LINE_FIELDS = LIST_FIELDS | {
    "quote_id",
    "quote_date",
    "option_ids",
    "note",
    "technical_note",
    "project_id",
    "customer_order_name",
    "business_code",
    "related_contact_information",
}
ADDRESS = {
    "street_number": "4",
    "street_name": "Rue Andrei Sakharov",
    "postcode": "76130",
    "city": "Mont-Saint-Aignan",
    "insee_code": "76451",
}
ITEM_PATH = "product_offering_qualification_item_id"
API_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d")

# The documentation's example of a quote line, every field given.
FULL_LINE = {
    "product_offering_qualification_item_id": ITEM,
    "product_offerings": [BPE, BPE_2],
    "end_customer_name": "Covage",
    "external_id": "6789",
    "site_connection_type": "fibre",
    "business_sector": "retail",
    "expected_response_date": "2025-09-21",
    "option_ids": ["2210", "1615"],
    "note": "a note",
    "technical_note": "a technical note",
    "project_id": "P-1",
    "customer_order_name": "john Doe",
    "business_code": "AB123",
    "related_contact_information": [CONTACT],
}


def errors_of(response: httpx.Response) -> list[tuple[str, str]]:
    return [(e["code"], e["property_path"]) for e in response.json()["errors"]]


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


async def list_lines(api: httpx.AsyncClient, **params: Any) -> list[str]:
    response = await api.get("/api/v1/quote_item/", params=params)
    assert response.status_code == 200, response.text
    return ids(response.json()["items"])


async def list_carts(api: httpx.AsyncClient, **params: Any) -> list[str]:
    response = await api.get("/api/v1/quote/", params=params)
    assert response.status_code == 200, response.text
    return ids(response.json())


class TestCreateCart:
    async def test_creates_a_cart_in_state_created(self, api: httpx.AsyncClient) -> None:
        response = await api.post("/api/v1/quote/", json={"external_id": "12345", "project_id": ""})

        assert response.status_code == 201
        cart = response.json()
        assert set(cart) == CART_FIELDS
        assert cart["external_id"] == "12345"
        assert cart["state"] == "created"
        assert cart["quote_date"] is None
        assert API_DATETIME.fullmatch(cart["creation_date"])

    async def test_takes_no_body(self, api: httpx.AsyncClient) -> None:
        response = await api.post("/api/v1/quote/")

        assert response.status_code == 201
        assert response.json()["external_id"] == ""

    async def test_refuses_a_field_of_the_wrong_type(self, api: httpx.AsyncClient) -> None:
        response = await api.post("/api/v1/quote/", json={"external_id": 12})

        assert response.status_code == 422
        assert errors_of(response) == [("invalid_type", "external_id")]

    async def test_refuses_a_body_that_is_not_json(self, api: httpx.AsyncClient) -> None:
        response = await api.post(
            "/api/v1/quote/", content=b"{not json", headers={"Content-Type": "application/json"}
        )

        assert response.status_code == 400
        assert response.json()["code"] == "malformed_request"

    async def test_needs_a_token(self, api: httpx.AsyncClient) -> None:
        response = await api.post("/api/v1/quote/", headers={"Authorization": ""})

        assert response.status_code == 401
        assert response.json()["code"] == "unauthorized"


class TestListCarts:
    async def test_lists_the_clients_carts_newest_first(
        self, api: httpx.AsyncClient, make_client: ClientFactory
    ) -> None:
        first = await create_cart(api)
        second = await create_cart(api)
        await create_cart(await make_client("OTHER"))

        response = await api.get("/api/v1/quote/")

        assert response.status_code == 200
        assert ids(response.json()) == [second["id"], first["id"]]
        assert set(response.json()[0]) == CART_FIELDS
        assert response.headers["X-Total-Count"] == "2"

    async def test_pages_with_limit_and_offset(self, api: httpx.AsyncClient) -> None:
        carts = [await create_cart(api) for _ in range(3)]

        response = await api.get("/api/v1/quote/", params={"limit": 1, "offset": 1})

        assert ids(response.json()) == [carts[1]["id"]]
        assert response.headers["X-Total-Count"] == "3"

    @pytest.mark.parametrize("field", ["external_id", "project_id"])
    async def test_filters_by_an_identifier(self, api: httpx.AsyncClient, field: str) -> None:
        wanted = await create_cart(api, **{field: "A-1"})
        await create_cart(api, **{field: "A-2"})

        assert await list_carts(api, **{field: "A-1"}) == [wanted["id"]]

    async def test_filters_by_state(self, api: httpx.AsyncClient) -> None:
        created = await create_cart(api)
        line = await confirmed_line(api)

        assert await list_carts(api, state="created") == [created["id"]]
        assert await list_carts(api, state="confirmed") == [line["quote_id"]]

    async def test_filters_by_creation_date(
        self, api: httpx.AsyncClient, database: Database
    ) -> None:
        old, new = await create_cart(api), await create_cart(api)
        await set_columns(database, QuoteCart, old["id"], creation_date=day("2025-01-01"))
        await set_columns(database, QuoteCart, new["id"], creation_date=day("2025-03-01"))

        assert await list_carts(api, creation_date_gt="2025-02-01") == [new["id"]]
        assert await list_carts(api, creation_date_lt="2025-02-01T00:00:00+01:00") == [old["id"]]
        assert await list_carts(
            api, creation_date_gt="2024-12-31", creation_date_lt="2025-01-02"
        ) == [old["id"]]

    async def test_filters_by_quote_date(self, api: httpx.AsyncClient, database: Database) -> None:
        await create_cart(api)
        old, new = await confirmed_line(api), await confirmed_line(api)
        await set_columns(database, QuoteCart, old["quote_id"], quote_date=day("2025-01-01"))
        await set_columns(database, QuoteCart, new["quote_id"], quote_date=day("2025-03-01"))

        assert await list_carts(api, quote_date_gt="2025-02-01") == [new["quote_id"]]
        assert await list_carts(api, quote_date_lt="2025-02-01") == [old["quote_id"]]

    @pytest.mark.parametrize(
        ("params", "error"),
        [
            ({"state": "sent"}, ("invalid_choice", "state")),
            ({"creation_date_gt": "yesterday"}, ("invalid_date", "creation_date_gt")),
            ({"quote_date_lt": "2025-13-01"}, ("invalid_date", "quote_date_lt")),
            ({"limit": 0}, ("out_of_range", "limit")),
            ({"limit": 1001}, ("out_of_range", "limit")),
            ({"offset": -1}, ("out_of_range", "offset")),
            ({"offset": 2**63}, ("out_of_range", "offset")),
        ],
    )
    async def test_refuses_a_bad_filter(
        self, api: httpx.AsyncClient, params: dict[str, Any], error: tuple[str, str]
    ) -> None:
        response = await api.get("/api/v1/quote/", params=params)

        assert response.status_code == 422
        assert errors_of(response) == [error]


class TestGetCart:
    async def test_shows_the_cart_and_its_full_lines(self, api: httpx.AsyncClient) -> None:
        cart = await create_cart(api, external_id="E")
        first = await add_line(api, cart["id"])
        second = await add_line(api, cart["id"], **FULL_LINE)

        response = await api.get(f"/api/v1/quote/{cart['id']}/")

        assert response.status_code == 200
        detail = response.json()
        assert set(detail) == CART_FIELDS | {"quote_item"}
        assert detail["external_id"] == "E"
        assert ids(detail["quote_item"]) == [first["id"], second["id"]]
        assert detail["quote_item"][1] == second

    async def test_another_clients_cart_is_not_found(
        self, api: httpx.AsyncClient, make_client: ClientFactory
    ) -> None:
        theirs = await create_cart(await make_client("OTHER"))

        response = await api.get(f"/api/v1/quote/{theirs['id']}/")

        assert response.status_code == 404
        assert response.json()["code"] == "not_found"

    async def test_an_unknown_id_is_not_found(self, api: httpx.AsyncClient) -> None:
        response = await api.get("/api/v1/quote/not-a-uuid/")

        assert response.status_code == 404


class TestUpdateCart:
    async def test_changes_the_fields_sent_and_answers_the_detail(
        self, api: httpx.AsyncClient
    ) -> None:
        cart = await create_cart(api, external_id="E", project_id="P")
        line = await add_line(api, cart["id"])

        response = await api.patch(f"/api/v1/quote/{cart['id']}/", json={"project_id": "P2"})

        assert response.status_code == 200
        detail = response.json()
        assert (detail["external_id"], detail["project_id"]) == ("E", "P2")
        assert ids(detail["quote_item"]) == [line["id"]]

    async def test_a_confirmed_cart_cannot_change(self, api: httpx.AsyncClient) -> None:
        line = await confirmed_line(api)

        response = await api.patch(f"/api/v1/quote/{line['quote_id']}/", json={"project_id": "X"})

        assert response.status_code == 409
        assert response.json()["code"] == "invalid_state"

    async def test_another_clients_cart_is_not_found(
        self, api: httpx.AsyncClient, make_client: ClientFactory
    ) -> None:
        other = await make_client("OTHER")
        theirs = await create_cart(other, project_id="P")

        response = await api.patch(f"/api/v1/quote/{theirs['id']}/", json={"project_id": "X"})

        assert response.status_code == 404
        assert (await other.get(f"/api/v1/quote/{theirs['id']}/")).json()["project_id"] == "P"


class TestConfirmCart:
    async def test_confirms_the_cart_and_its_lines(self, api: httpx.AsyncClient) -> None:
        cart = await create_cart(api)
        await add_line(api, cart["id"])
        await add_line(api, cart["id"])

        response = await api.patch(f"/api/v1/quote/{cart['id']}/confirm/")

        assert response.status_code == 204
        assert response.content == b""
        detail = (await api.get(f"/api/v1/quote/{cart['id']}/")).json()
        assert detail["state"] == "confirmed"
        assert API_DATETIME.fullmatch(detail["quote_date"])
        assert [(li["state"], li["quote_date"]) for li in detail["quote_item"]] == [
            ("confirmed", detail["quote_date"])
        ] * 2
        assert [li["order_date"] for li in detail["quote_item"]] == [detail["quote_date"]] * 2

    async def test_confirming_twice_is_refused(self, api: httpx.AsyncClient) -> None:
        line = await confirmed_line(api)
        quote_date = (await api.get(f"/api/v1/quote/{line['quote_id']}/")).json()["quote_date"]

        response = await api.patch(f"/api/v1/quote/{line['quote_id']}/confirm/")

        assert response.status_code == 409
        assert response.json()["code"] == "invalid_state"
        assert (await api.get(f"/api/v1/quote/{line['quote_id']}/")).json()[
            "quote_date"
        ] == quote_date

    async def test_an_empty_cart_cannot_be_confirmed(self, api: httpx.AsyncClient) -> None:
        cart = await create_cart(api)

        response = await api.patch(f"/api/v1/quote/{cart['id']}/confirm/")

        assert response.status_code == 409
        assert (await api.get(f"/api/v1/quote/{cart['id']}/")).json()["state"] == "created"

    async def test_another_clients_cart_is_not_found(
        self, api: httpx.AsyncClient, make_client: ClientFactory
    ) -> None:
        other = await make_client("OTHER")
        theirs = await create_cart(other)
        await add_line(other, theirs["id"])

        response = await api.patch(f"/api/v1/quote/{theirs['id']}/confirm/")

        assert response.status_code == 404
        assert (await other.get(f"/api/v1/quote/{theirs['id']}/")).json()["state"] == "created"


class TestAddLine:
    async def test_adds_a_line_with_every_field(self, api: httpx.AsyncClient) -> None:
        cart = await create_cart(api)

        response = await api.post(f"/api/v1/quote/{cart['id']}/quote_item/", json=FULL_LINE)

        assert response.status_code == 201
        line = response.json()
        assert set(line) == LINE_FIELDS
        assert re.fullmatch(r"QT_DC173_\d{8}_\d{6}", line["reference"])
        assert line["state"] == "created"
        assert line["quote_id"] == cart["id"]
        assert line["quote_date"] is None
        assert line["order_date"] is None
        assert API_DATETIME.fullmatch(line["creation_date"])
        assert line["address"] == ADDRESS
        assert (line["latitude"], line["longitude"]) == (49.4744077, 1.091455)
        contact = line["related_contact_information"][0]
        assert {k: contact[k] for k in CONTACT} == CONTACT
        assert contact["siret"] == "" and contact["latitude"] is None
        stored = {k: v for k, v in line.items() if k in FULL_LINE}
        assert stored | {"related_contact_information": [CONTACT]} == FULL_LINE

    async def test_references_follow_each_other(self, api: httpx.AsyncClient) -> None:
        cart = await create_cart(api)
        first = await add_line(api, cart["id"])
        second = await add_line(api, cart["id"])

        assert int(second["reference"][-6:]) == int(first["reference"][-6:]) + 1
        assert second["reference"][:-6] == first["reference"][:-6]

    async def test_takes_four_offerings(self, api: httpx.AsyncClient) -> None:
        cart = await create_cart(api)

        line = await add_line(api, cart["id"], product_offerings=[BPE, BPE_2, DIA, BPE])

        assert line["product_offerings"] == [BPE, BPE_2, DIA, BPE]

    @pytest.mark.parametrize(
        ("fields", "errors"),
        [
            (
                {"product_offerings": [BPE, BPE_2, DIA, BPE, BPE_2]},
                [("too_many", "product_offerings")],
            ),
            ({"product_offerings": []}, [("too_few", "product_offerings")]),
            ({"product_offerings": None}, [("too_few", "product_offerings")]),
            ({"product_offerings": BPE}, [("invalid_type", "product_offerings")]),
            ({"product_offerings": [2173]}, [("invalid_type", "product_offerings[0]")]),
            (
                {"related_contact_information": [CONTACT] * 3},
                [("too_many", "related_contact_information")],
            ),
            (
                {"related_contact_information": [{"postcode": 76130}]},
                [("invalid_type", "related_contact_information[0].postcode")],
            ),
            ({ITEM_PATH: ""}, [("too_short", ITEM_PATH)]),
            (
                {"expected_response_date": "21/09/2025"},
                [("invalid_date", "expected_response_date")],
            ),
            (
                {"expected_response_date": "2025-02-30"},
                [("invalid_date", "expected_response_date")],
            ),
            ({"end_customer_name": "x" * 256}, [("too_long", "end_customer_name")]),
            ({"note": 12}, [("invalid_type", "note")]),
            ({"option_ids": "2210"}, [("invalid_type", "option_ids")]),
        ],
    )
    async def test_refuses_a_field_of_the_wrong_shape(
        self, api: httpx.AsyncClient, fields: dict[str, Any], errors: list[tuple[str, str]]
    ) -> None:
        cart = await create_cart(api)
        body = {"product_offering_qualification_item_id": ITEM, "product_offerings": [BPE]}

        response = await api.post(f"/api/v1/quote/{cart['id']}/quote_item/", json=body | fields)

        assert response.status_code == 422
        assert response.json()["code"] == "validation_error"
        assert errors_of(response) == errors
        assert (await api.get(f"/api/v1/quote/{cart['id']}/")).json()["quote_item"] == []

    async def test_the_eligibility_item_and_offerings_are_required(
        self, api: httpx.AsyncClient
    ) -> None:
        cart = await create_cart(api)

        response = await api.post(f"/api/v1/quote/{cart['id']}/quote_item/", json={})

        assert response.status_code == 422
        assert sorted(errors_of(response)) == [
            ("required", "product_offering_qualification_item_id"),
            ("required", "product_offerings"),
        ]

    async def test_reports_every_catalog_problem_together(self, api: httpx.AsyncClient) -> None:
        cart = await create_cart(api)
        body = {
            "product_offering_qualification_item_id": ROUEN_ITEM,
            "product_offerings": [DIA, "9999", BPE],
            "option_ids": ["2210", "0000"],
        }

        response = await api.post(f"/api/v1/quote/{cart['id']}/quote_item/", json=body)

        assert response.status_code == 422
        assert response.json()["errors"] == [
            {"code": "unknown_offering", "property_path": "product_offerings[1]", "value": "9999"},
            {"code": "offer_not_eligible", "property_path": "product_offerings[2]", "value": BPE},
            {"code": "unknown_option", "property_path": "option_ids[1]", "value": "0000"},
        ]
        assert (await api.get(f"/api/v1/quote/{cart['id']}/")).json()["quote_item"] == []

    async def test_refuses_an_unknown_eligibility_item(self, api: httpx.AsyncClient) -> None:
        cart = await create_cart(api)
        body = {"product_offering_qualification_item_id": "nowhere", "product_offerings": [BPE]}

        response = await api.post(f"/api/v1/quote/{cart['id']}/quote_item/", json=body)

        assert response.status_code == 422
        assert response.json()["errors"] == [
            {
                "code": "unknown_eligibility",
                "property_path": "product_offering_qualification_item_id",
                "value": "nowhere",
            }
        ]

    async def test_a_confirmed_cart_takes_no_line(self, api: httpx.AsyncClient) -> None:
        line = await confirmed_line(api)
        body = {"product_offering_qualification_item_id": ITEM, "product_offerings": [BPE]}

        response = await api.post(f"/api/v1/quote/{line['quote_id']}/quote_item/", json=body)

        assert response.status_code == 409
        assert response.json()["code"] == "invalid_state"

    async def test_another_clients_cart_is_not_found(
        self, api: httpx.AsyncClient, make_client: ClientFactory
    ) -> None:
        other = await make_client("OTHER")
        theirs = await create_cart(other)
        body = {"product_offering_qualification_item_id": ITEM, "product_offerings": [BPE]}

        response = await api.post(f"/api/v1/quote/{theirs['id']}/quote_item/", json=body)

        assert response.status_code == 404
        assert (await other.get(f"/api/v1/quote/{theirs['id']}/")).json()["quote_item"] == []


class TestUpdateLine:
    async def test_changes_only_the_fields_sent_and_answers_the_cart(
        self, api: httpx.AsyncClient
    ) -> None:
        cart = await create_cart(api)
        line = await add_line(api, cart["id"], **FULL_LINE)

        response = await api.patch(
            f"/api/v1/quote/{cart['id']}/quote_item/{line['id']}/",
            json={"note": "edited", "option_ids": None, "related_contact_information": []},
        )

        assert response.status_code == 200
        detail = response.json()
        assert set(detail) == CART_FIELDS | {"quote_item"}
        updated = detail["quote_item"][0]
        assert (updated["note"], updated["option_ids"]) == ("edited", [])
        assert updated["related_contact_information"] == []
        unchanged = {k for k in LINE_FIELDS if k not in {"note", "option_ids"}}
        unchanged.discard("related_contact_information")
        assert {k: updated[k] for k in unchanged} == {k: line[k] for k in unchanged}

    async def test_moves_the_line_to_another_item_with_its_offerings(
        self, api: httpx.AsyncClient
    ) -> None:
        cart = await create_cart(api)
        line = await add_line(api, cart["id"])

        response = await api.patch(
            f"/api/v1/quote/{cart['id']}/quote_item/{line['id']}/",
            json={ITEM_PATH: ROUEN_ITEM, "product_offerings": [DIA]},
        )

        assert response.status_code == 200
        updated = response.json()["quote_item"][0]
        assert (updated[ITEM_PATH], updated["product_offerings"]) == (ROUEN_ITEM, [DIA])
        assert updated["address"]["city"] == "Rouen"
        assert updated["latitude"] == 49.4404591

    async def test_checks_the_line_as_it_will_be(self, api: httpx.AsyncClient) -> None:
        cart = await create_cart(api)
        line = await add_line(api, cart["id"], product_offerings=[DIA, BPE])

        response = await api.patch(
            f"/api/v1/quote/{cart['id']}/quote_item/{line['id']}/", json={ITEM_PATH: ROUEN_ITEM}
        )

        assert response.status_code == 422
        assert errors_of(response) == [("offer_not_eligible", "product_offerings[1]")]
        detail = (await api.get(f"/api/v1/quote/{cart['id']}/")).json()
        assert detail["quote_item"][0][ITEM_PATH] == ITEM

    @pytest.mark.parametrize(
        ("fields", "errors"),
        [
            ({"product_offerings": []}, [("too_few", "product_offerings")]),
            ({"product_offerings": [BPE] * 5}, [("too_many", "product_offerings")]),
            (
                {"related_contact_information": [CONTACT] * 3},
                [("too_many", "related_contact_information")],
            ),
            ({ITEM_PATH: ""}, [("too_short", ITEM_PATH)]),
            ({ITEM_PATH: None}, [("invalid_type", ITEM_PATH)]),
            ({"product_offerings": ["9999"]}, [("unknown_offering", "product_offerings[0]")]),
            ({ITEM_PATH: "nowhere"}, [("unknown_eligibility", ITEM_PATH)]),
            ({"option_ids": ["2210", "0000"]}, [("unknown_option", "option_ids[1]")]),
        ],
    )
    async def test_refuses_a_bad_field(
        self, api: httpx.AsyncClient, fields: dict[str, Any], errors: list[tuple[str, str]]
    ) -> None:
        cart = await create_cart(api)
        line = await add_line(api, cart["id"])

        response = await api.patch(
            f"/api/v1/quote/{cart['id']}/quote_item/{line['id']}/", json=fields
        )

        assert response.status_code == 422
        assert errors_of(response) == errors
        assert (await api.get(f"/api/v1/quote_item/{line['id']}/")).json() == line

    async def test_a_confirmed_cart_keeps_its_lines(self, api: httpx.AsyncClient) -> None:
        line = await confirmed_line(api)

        response = await api.patch(
            f"/api/v1/quote/{line['quote_id']}/quote_item/{line['id']}/", json={"note": "late"}
        )

        assert response.status_code == 409
        assert (await api.get(f"/api/v1/quote_item/{line['id']}/")).json()["note"] == ""

    async def test_a_line_of_another_cart_is_not_found(self, api: httpx.AsyncClient) -> None:
        cart, other_cart = await create_cart(api), await create_cart(api)
        line = await add_line(api, other_cart["id"])

        response = await api.patch(
            f"/api/v1/quote/{cart['id']}/quote_item/{line['id']}/", json={"note": "x"}
        )

        assert response.status_code == 404

    async def test_another_clients_line_is_not_found(
        self, api: httpx.AsyncClient, make_client: ClientFactory
    ) -> None:
        other = await make_client("OTHER")
        theirs = await create_cart(other)
        line = await add_line(other, theirs["id"])

        response = await api.patch(
            f"/api/v1/quote/{theirs['id']}/quote_item/{line['id']}/", json={"note": "x"}
        )

        assert response.status_code == 404
        assert (await other.get(f"/api/v1/quote_item/{line['id']}/")).json()["note"] == ""


class TestDeleteLine:
    async def test_deletes_the_line_and_answers_the_cart(self, api: httpx.AsyncClient) -> None:
        cart = await create_cart(api)
        gone = await add_line(api, cart["id"], product_offerings=[DIA])
        kept = await add_line(api, cart["id"])

        response = await api.delete(f"/api/v1/quote/{cart['id']}/quote_item/{gone['id']}/")

        assert response.status_code == 200
        assert ids(response.json()["quote_item"]) == [kept["id"]]
        assert (await api.get(f"/api/v1/quote_item/{gone['id']}/")).status_code == 404
        assert await list_lines(api, offer_family="DIA") == []

    async def test_a_confirmed_cart_keeps_its_lines(self, api: httpx.AsyncClient) -> None:
        line = await confirmed_line(api)

        response = await api.delete(f"/api/v1/quote/{line['quote_id']}/quote_item/{line['id']}/")

        assert response.status_code == 409
        assert (await api.get(f"/api/v1/quote_item/{line['id']}/")).status_code == 200

    async def test_another_clients_line_is_not_found(
        self, api: httpx.AsyncClient, make_client: ClientFactory
    ) -> None:
        other = await make_client("OTHER")
        theirs = await create_cart(other)
        line = await add_line(other, theirs["id"])

        response = await api.delete(f"/api/v1/quote/{theirs['id']}/quote_item/{line['id']}/")

        assert response.status_code == 404
        assert (await other.get(f"/api/v1/quote_item/{line['id']}/")).status_code == 200


class TestGetLine:
    async def test_shows_the_full_line(self, api: httpx.AsyncClient) -> None:
        line = await confirmed_line(api, **FULL_LINE)

        response = await api.get(f"/api/v1/quote_item/{line['id']}/")

        assert response.status_code == 200
        shown = response.json()
        assert set(shown) == LINE_FIELDS
        assert shown["state"] == "confirmed"
        assert shown["order_date"] == shown["quote_date"] is not None
        changed = {"state", "quote_date", "order_date"}
        assert {k: v for k, v in shown.items() if k not in changed} == {
            k: v for k, v in line.items() if k not in changed
        }

    async def test_another_clients_line_is_not_found(
        self, api: httpx.AsyncClient, make_client: ClientFactory
    ) -> None:
        line = await confirmed_line(await make_client("OTHER"))

        response = await api.get(f"/api/v1/quote_item/{line['id']}/")

        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


class TestListLines:
    async def test_lists_the_clients_lines_across_carts(
        self, api: httpx.AsyncClient, make_client: ClientFactory
    ) -> None:
        first = await add_line(api, (await create_cart(api))["id"], **FULL_LINE)
        second = await confirmed_line(api)
        await confirmed_line(await make_client("OTHER"))

        response = await api.get("/api/v1/quote_item/")

        assert response.status_code == 200
        page = response.json()
        assert page["count"] == 2
        assert ids(page["items"]) == [second["id"], first["id"]]
        item = page["items"][1]
        assert set(item) == LIST_FIELDS
        assert {k: item[k] for k in LIST_FIELDS} == {k: first[k] for k in LIST_FIELDS}
        assert item["address"] == ADDRESS

    async def test_pages_with_limit_and_offset(self, api: httpx.AsyncClient) -> None:
        cart = await create_cart(api)
        lines = [await add_line(api, cart["id"]) for _ in range(3)]

        response = await api.get("/api/v1/quote_item/", params={"limit": 2, "offset": 1})

        assert response.json()["count"] == 3
        assert ids(response.json()["items"]) == [lines[1]["id"], lines[0]["id"]]

    @pytest.mark.parametrize(
        "field",
        ["customer_order_name", "end_customer_name", "business_sector", "project_id"],
    )
    async def test_filters_by_a_field(self, api: httpx.AsyncClient, field: str) -> None:
        cart = await create_cart(api)
        wanted = await add_line(api, cart["id"], **{field: "Acme"})
        await add_line(api, cart["id"], **{field: "acme"})

        assert await list_lines(api, **{field: "Acme"}) == [wanted["id"]]

    async def test_filters_by_reference(self, api: httpx.AsyncClient) -> None:
        cart = await create_cart(api)
        wanted = await add_line(api, cart["id"])
        await add_line(api, cart["id"])

        assert await list_lines(api, reference=wanted["reference"]) == [wanted["id"]]

    async def test_filters_by_state(self, api: httpx.AsyncClient) -> None:
        created = await add_line(api, (await create_cart(api))["id"])
        confirmed = await confirmed_line(api)

        assert await list_lines(api, state="created") == [created["id"]]
        assert await list_lines(api, state="confirmed") == [confirmed["id"]]

    async def test_filters_by_offer_family(self, api: httpx.AsyncClient) -> None:
        cart = await create_cart(api)
        bpe = await add_line(api, cart["id"], product_offerings=[BPE])
        both = await add_line(api, cart["id"], product_offerings=[BPE_2, DIA])

        assert await list_lines(api, offer_family="DIA") == [both["id"]]
        assert await list_lines(api, offer_family="BPE") == [both["id"], bpe["id"]]
        assert await list_lines(api, offer_family="LAN") == []

    async def test_filters_by_technology_family(
        self, api: httpx.AsyncClient, copper_offering: str
    ) -> None:
        cart = await create_cart(api)
        copper = await add_line(
            api, cart["id"], **{ITEM_PATH: ROUEN_ITEM, "product_offerings": [copper_offering]}
        )
        fibre = await add_line(api, cart["id"])

        assert await list_lines(api, technology_family="COPPER") == [copper["id"]]
        assert await list_lines(api, technology_family="FIBDE") == [fibre["id"]]
        assert await list_lines(api, offer_family="LAN") == [copper["id"]]

    async def test_the_family_filters_follow_an_update(self, api: httpx.AsyncClient) -> None:
        cart = await create_cart(api)
        line = await add_line(api, cart["id"], product_offerings=[BPE, DIA])

        response = await api.patch(
            f"/api/v1/quote/{cart['id']}/quote_item/{line['id']}/",
            json={"product_offerings": [DIA]},
        )

        assert response.status_code == 200
        assert await list_lines(api, offer_family="BPE") == []
        assert await list_lines(api, offer_family="DIA") == [line["id"]]

    async def test_filters_by_creation_date(
        self, api: httpx.AsyncClient, database: Database
    ) -> None:
        cart = await create_cart(api)
        old, new = await add_line(api, cart["id"]), await add_line(api, cart["id"])
        await set_columns(database, QuoteLine, old["id"], creation_date=day("2025-01-01"))
        await set_columns(database, QuoteLine, new["id"], creation_date=day("2025-03-01"))

        assert await list_lines(api, creation_date_gt="2025-02-01") == [new["id"]]
        assert await list_lines(api, creation_date_lt="2025-02-01T00:00:00Z") == [old["id"]]
        assert await list_lines(api, creation_date_gt="2025-03-02") == []

    @pytest.mark.parametrize(
        ("search", "found"),
        [
            ("qt_dc173_", ["second", "first"]),
            ("COVAGE", ["first"]),
            ("ext-42", ["first"]),
            ("mont-saint", ["first"]),
            ("rouen", ["second"]),
            ("jeanne", ["second"]),
            ("lyon", ["second"]),
            ("100%", []),
        ],
    )
    async def test_searches_references_names_ids_and_addresses(
        self, api: httpx.AsyncClient, search: str, found: list[str]
    ) -> None:
        cart = await create_cart(api)
        lines = {
            "first": await add_line(
                api, cart["id"], end_customer_name="Covage", external_id="EXT-42"
            ),
            "second": await add_line(
                api,
                cart["id"],
                **{ITEM_PATH: ROUEN_ITEM, "product_offerings": [DIA]},
                customer_order_name="Jeanne",
                related_contact_information=[{"city": "Lyon"}],
            ),
        }

        assert await list_lines(api, search=search) == [lines[name]["id"] for name in found]

    async def test_search_takes_wildcards_literally(self, api: httpx.AsyncClient) -> None:
        cart = await create_cart(api)
        wanted = await add_line(api, cart["id"], end_customer_name="100% fibre_co")
        await add_line(api, cart["id"], end_customer_name="1000 fibreXco")

        assert await list_lines(api, search="100% fibre_") == [wanted["id"]]

    @pytest.mark.parametrize(
        "field", ["reference", "customer_order_name", "end_customer_name", "business_sector"]
    )
    async def test_sorts_by_a_text_field(self, api: httpx.AsyncClient, field: str) -> None:
        cart = await create_cart(api)
        values = {"customer_order_name": "b", "end_customer_name": "b", "business_sector": "b"}
        # Names sort against creation order; references can only follow it.
        b = await add_line(api, cart["id"], **values)
        a = await add_line(api, cart["id"], **{k: "a" for k in values})
        if field == "reference":
            a, b = b, a

        assert await list_lines(api, sort=field) == [a["id"], b["id"]]
        assert await list_lines(api, sort=f"-{field}") == [b["id"], a["id"]]

    async def test_sorts_by_state_and_creation_date(self, api: httpx.AsyncClient) -> None:
        created = await add_line(api, (await create_cart(api))["id"])
        confirmed = await confirmed_line(api)

        assert await list_lines(api, sort="state") == [confirmed["id"], created["id"]]
        assert await list_lines(api, sort="-state") == [created["id"], confirmed["id"]]
        assert await list_lines(api, sort="creation_date") == [created["id"], confirmed["id"]]

    @pytest.mark.parametrize("field", ["quote_date", "order_date"])
    async def test_sorts_by_quotation_date_unquoted_last(
        self, api: httpx.AsyncClient, database: Database, field: str
    ) -> None:
        unquoted = await add_line(api, (await create_cart(api))["id"])
        late, early = await confirmed_line(api), await confirmed_line(api)
        await set_columns(database, QuoteLine, early["id"], quote_date=day("2025-01-01"))
        await set_columns(database, QuoteLine, late["id"], quote_date=day("2025-03-01"))

        assert await list_lines(api, sort=field) == [early["id"], late["id"], unquoted["id"]]
        assert await list_lines(api, sort=f"-{field}") == [unquoted["id"], late["id"], early["id"]]

    async def test_sorts_by_expected_response_date(self, api: httpx.AsyncClient) -> None:
        cart = await create_cart(api)
        undated = await add_line(api, cart["id"])
        late = await add_line(api, cart["id"], expected_response_date="2025-09-21")
        early = await add_line(api, cart["id"], expected_response_date="2025-01-02")

        ascending = [early["id"], late["id"], undated["id"]]
        assert await list_lines(api, sort="expected_response_date") == ascending
        assert await list_lines(api, sort="-expected_response_date") == ascending[::-1]

    @pytest.mark.parametrize(
        ("params", "error"),
        [
            ({"sort": "price"}, ("invalid_sort", "sort")),
            ({"sort": "-"}, ("invalid_sort", "sort")),
            ({"state": "sent"}, ("invalid_choice", "state")),
            ({"creation_date_lt": "soon"}, ("invalid_date", "creation_date_lt")),
            ({"search": "x" * 256}, ("too_long", "search")),
            ({"limit": 1001}, ("out_of_range", "limit")),
            ({"limit": "many"}, ("invalid_type", "limit")),
            ({"offset": 10**30}, ("out_of_range", "offset")),
        ],
    )
    async def test_refuses_a_bad_parameter(
        self, api: httpx.AsyncClient, params: dict[str, Any], error: tuple[str, str]
    ) -> None:
        response = await api.get("/api/v1/quote_item/", params=params)

        assert response.status_code == 422
        assert errors_of(response) == [error]


class TestTrailingSlash:
    async def test_every_path_answers_without_its_slash(self, api: httpx.AsyncClient) -> None:
        created = await api.post("/api/v1/quote", json={})
        cart_id = created.json()["id"]
        body = {ITEM_PATH: ITEM, "product_offerings": [BPE]}
        added = await api.post(f"/api/v1/quote/{cart_id}/quote_item", json=body)
        line_id = added.json()["id"]

        answers = [
            created,
            added,
            await api.get("/api/v1/quote"),
            await api.get(f"/api/v1/quote/{cart_id}"),
            await api.patch(f"/api/v1/quote/{cart_id}", json={"project_id": "P"}),
            await api.patch(f"/api/v1/quote/{cart_id}/quote_item/{line_id}", json={"note": "n"}),
            await api.get("/api/v1/quote_item"),
            await api.get(f"/api/v1/quote_item/{line_id}"),
            await api.delete(f"/api/v1/quote/{cart_id}/quote_item/{line_id}"),
        ]
        await add_line(api, cart_id)
        answers.append(await api.patch(f"/api/v1/quote/{cart_id}/confirm"))

        assert [a.status_code for a in answers] == [
            201,
            201,
            200,
            200,
            200,
            200,
            200,
            200,
            200,
            204,
        ]


class TestQuoteFlow:
    async def test_the_documented_flow_then_an_order_that_follows_the_quote(
        self, api: httpx.AsyncClient
    ) -> None:
        cart = await create_cart(api, external_id="Q-1")
        line = await add_line(api, cart["id"], **FULL_LINE)
        edited = await api.patch(
            f"/api/v1/quote/{cart['id']}/quote_item/{line['id']}/",
            json={"product_offerings": [BPE], "end_customer_name": "Covage corp edited"},
        )
        assert edited.status_code == 200
        await confirm(api, cart["id"])

        quoted = (await api.get(f"/api/v1/quote_item/{line['id']}/")).json()
        assert (quoted["state"], quoted["end_customer_name"]) == ("confirmed", "Covage corp edited")
        assert await list_lines(api, state="confirmed", offer_family="BPE") == [line["id"]]

        session = (await api.post("/api/v1/product_order/", json={})).json()
        order_line = await api.post(
            f"/api/v1/product_order/{session['id']}/product_order_item/",
            json={
                "product_offering_id": BPE,
                "product_offering_qualification_item_id": ITEM,
                "quote_item_id": line["id"],
            },
        )
        assert order_line.status_code == 201
        confirmed = await api.patch(f"/api/v1/product_order/{session['id']}/confirm/")
        assert confirmed.status_code == 200
        assert confirmed.json()["product_order_item"][0]["quote_item_id"] == line["id"]


class TestOpenApi:
    async def test_documents_the_quote_endpoints(self, api: httpx.AsyncClient) -> None:
        document = (await api.get("/openapi.json")).json()
        paths = document["paths"]

        operations = {
            (path, method): operation
            for path, methods in paths.items()
            if path.startswith(("/api/v1/quote/", "/api/v1/quote_item/"))
            for method, operation in methods.items()
        }
        assert {(path, method) for path, method in operations} == {
            ("/api/v1/quote/", "post"),
            ("/api/v1/quote/", "get"),
            ("/api/v1/quote/{id}/", "get"),
            ("/api/v1/quote/{id}/", "patch"),
            ("/api/v1/quote/{id}/confirm/", "patch"),
            ("/api/v1/quote/{quote_id}/quote_item/", "post"),
            ("/api/v1/quote/{quote_id}/quote_item/{quote_item_id}/", "patch"),
            ("/api/v1/quote/{quote_id}/quote_item/{quote_item_id}/", "delete"),
            ("/api/v1/quote_item/", "get"),
            ("/api/v1/quote_item/{id}/", "get"),
        }
        assert all(op["tags"] == ["Quotes"] for op in operations.values())
        confirm_responses = operations[("/api/v1/quote/{id}/confirm/", "patch")]["responses"]
        assert set(confirm_responses) == {"204", "401", "404", "409", "422", "503"}
        assert "content" not in confirm_responses["204"]
        add_responses = operations[("/api/v1/quote/{quote_id}/quote_item/", "post")]["responses"]
        assert set(add_responses) == {"201", "400", "401", "404", "409", "413", "422", "503"}
        assert add_responses["201"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/QuoteLineOut"
        }
        assert set(document["components"]["schemas"]["QuoteLineSummary"]["properties"]) == (
            LIST_FIELDS
        )
        assert set(document["components"]["schemas"]["QuoteLineOut"]["properties"]) == LINE_FIELDS
