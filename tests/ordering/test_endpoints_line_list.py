"""GET /api/v1/product_order_item/: filters, search, sort and pages of the order lines."""

from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from order_taking.core.database import Database
from order_taking.ordering.models import OrderLine
from order_taking.ordering.schemas import LINE_SORT_FIELDS
from tests.ordering.factories import (
    API_DATETIME,
    assert_error,
    confirm,
    contact,
    create_line,
    create_session,
    create_session_with_line,
)

SUMMARY_FIELDS = {
    "id", "product_order_id", "end_customer_name", "external_id", "product_offering_id",
    "product_offering_qualification_item_id", "state", "order_reference", "temporary_reference",
    "customer_order_name", "creation_date", "order_date", "expiration_date",
    "scheduled_delivery_date",
}  # fmt: skip


async def set_line(database: Database, line_id: str, **values: Any) -> None:
    """Puts a line where only time, the back end or the staff could."""
    async with database.transaction() as db:
        await db.execute(update(OrderLine).where(OrderLine.id == line_id).values(**values))


async def listed(api: httpx.AsyncClient, **query: Any) -> list[str]:
    """The ids the list answers, in its order."""
    response = await api.get("/api/v1/product_order_item", params=query)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


class TestListLines:
    async def test_lists_the_lines_of_every_session_newest_first(
        self, api: httpx.AsyncClient
    ) -> None:
        first_session, first = await create_session_with_line(api)
        second = await create_line(api, first_session["id"])
        _, third = await create_session_with_line(api)

        response = await api.get("/api/v1/product_order_item/")

        assert response.status_code == 200
        page = response.json()
        assert page["count"] == 3
        assert [item["id"] for item in page["items"]] == [third["id"], second["id"], first["id"]]
        item = page["items"][2]
        assert set(item) == SUMMARY_FIELDS
        assert item == {name: first[name] for name in SUMMARY_FIELDS}
        assert API_DATETIME.fullmatch(item["creation_date"])

    @pytest.mark.parametrize(
        "field",
        ["order_reference", "temporary_reference", "customer_order_name", "end_customer_name"],
    )
    async def test_filters_on_a_field(self, api: httpx.AsyncClient, field: str) -> None:
        session = await create_session(api)
        lines = [
            await create_line(
                api, session["id"], customer_order_name=f"order {n}", end_customer_name=f"Site {n}"
            )
            for n in range(3)
        ]
        value = lines[1]["order_reference" if field == "temporary_reference" else field]

        assert await listed(api, **{field: value}) == [lines[1]["id"]]
        assert await listed(api, **{field: value.upper() + "?"}) == []

    async def test_filters_on_state(self, api: httpx.AsyncClient) -> None:
        confirmed, confirmed_line = await create_session_with_line(api)
        await confirm(api, confirmed["id"])
        _, draft = await create_session_with_line(api)

        assert await listed(api, state="in_progress") == [confirmed_line["id"]]
        assert await listed(api, state="created") == [draft["id"]]
        assert await listed(api, state="acknowledged") == []

    @pytest.mark.parametrize("column", ["creation_date", "order_date"])
    async def test_filters_on_a_moment(
        self, api: httpx.AsyncClient, database: Database, column: str
    ) -> None:
        session = await create_session(api)
        lines = [(await create_line(api, session["id"]))["id"] for _ in range(3)]
        for line_id, hour in zip(lines, (8, 12, 16), strict=True):
            # Created before being ordered, as every line is.
            created = datetime(2025, 4, 1, hour, tzinfo=UTC)
            await set_line(
                database,
                line_id,
                **{"creation_date": created, column: datetime(2025, 4, 10, hour, tzinfo=UTC)},
            )

        # 12:00 UTC is 14:00 in Paris: a moment without offset is read in the service's zone.
        assert await listed(api, **{f"{column}_gt": "2025-04-10T12:00:00Z"}) == [lines[2]]
        assert await listed(api, **{f"{column}_gt": "2025-04-10T13:59:59"}) == lines[:0:-1]
        assert await listed(api, **{f"{column}_lt": "2025-04-10T14:00:00+02:00"}) == [lines[0]]
        assert await listed(api, **{f"{column}_gt": "2025-04-10"}) == lines[::-1]
        assert await listed(api, **{f"{column}_lt": "2025-04-10"}) == []
        assert await listed(
            api, **{f"{column}_gt": "2025-04-10T09:00:00Z", f"{column}_lt": "2025-04-10T15:00Z"}
        ) == [lines[1]]

    async def test_filters_on_the_expiry_day(
        self, api: httpx.AsyncClient, database: Database
    ) -> None:
        session = await create_session(api)
        lines = [(await create_line(api, session["id"]))["id"] for _ in range(3)]
        for line_id, day in zip(lines, (1, 10, 20), strict=True):
            await set_line(database, line_id, expiration_date=date(2025, 7, day))

        assert await listed(api, expiration_date_gt="2025-07-10") == [lines[2]]
        assert await listed(api, expiration_date_gt="2025-07-09T23:00:00") == lines[:0:-1]
        assert await listed(api, expiration_date_lt="2025-07-10T08:00:00+02:00") == [lines[0]]
        assert await listed(
            api, expiration_date_gt="2025-07-01", expiration_date_lt="2025-07-20"
        ) == [lines[1]]

    @pytest.mark.parametrize(
        ("term", "matches"),
        [
            ("po_dc173", {"hoche", "rouen"}),
            ("EXT-ROUEN", {"rouen"}),
            ("boulangerie", {"hoche"}),
            ("ACME", {"rouen"}),
            ("CAFÉ DU PORT", {"rouen"}),
            ("cafe du port", {"rouen"}),  # accents are ignored, both ways
            ("Boulangérie", {"hoche"}),
            ("Mont-Saint", {"hoche"}),
            ("avenue hoche", {"hoche"}),
            ("75008", {"hoche"}),
            ("76540", {"rouen"}),
            ("nowhere", set()),
        ],
    )
    async def test_searches_references_names_ids_and_addresses(
        self, api: httpx.AsyncClient, term: str, matches: set[str]
    ) -> None:
        session = await create_session(api)
        hoche = await create_line(
            api,
            session["id"],
            end_customer_name="Boulangerie Martin",
            related_contact_information=[
                contact(street_name="Avenue Hoche", postcode="75008", insee_code="75108")
            ],
        )
        rouen = await create_line(
            api,
            session["id"],
            external_id="ext-rouen-1",
            customer_order_name="Acme fibre",
            related_contact_information=[
                contact(end_customer_name="Café du Port", city="Rouen", insee_code="76540")
            ],
        )
        names = {hoche["id"]: "hoche", rouen["id"]: "rouen"}

        response = await api.get("/api/v1/product_order_item", params={"search": term})

        assert {names[item["id"]] for item in response.json()["items"]} == matches
        assert response.json()["count"] == len(matches)

    async def test_a_term_with_spaces_is_found_across_fields(self, api: httpx.AsyncClient) -> None:
        """The fields are searched as one text, in their order (reference, external id, names,
        address): a term with spaces is found across the end of one field and the start of the
        next. Kept so: an index over each field apart would lose these matches."""
        session = await create_session(api)
        north = await create_line(
            api,
            session["id"],
            external_id="ext-nord",
            end_customer_name="Acme Fibre",
            customer_order_name="Jean Dupont",
        )
        await create_line(api, session["id"], external_id="ext-sud", end_customer_name="Acme Fibre")

        assert await listed(api, search="nord acme") == [north["id"]]
        assert await listed(api, search="rd ac") == [north["id"]]
        assert await listed(api, search="EXT-NORD ACME FIBRE JEAN DUP") == [north["id"]]
        assert await listed(api, search="ext-nord fibre") == []

    async def test_search_takes_percent_and_underscore_literally(
        self, api: httpx.AsyncClient
    ) -> None:
        session = await create_session(api)
        percent = await create_line(api, session["id"], external_id="100%")
        underscore = await create_line(api, session["id"], external_id="a_b")
        await create_line(api, session["id"], external_id="1000 axb")

        assert await listed(api, search="100%") == [percent["id"]]
        assert await listed(api, search="a_b") == [underscore["id"]]
        assert await listed(api, search="%") == [percent["id"]]

    async def test_each_request_binds_its_own_values_to_a_kept_query(
        self, api: httpx.AsyncClient, other_api: httpx.AsyncClient
    ) -> None:
        """The list's statements are kept per shape of request: the same filters with other
        values, or for another client, answer their own lines."""
        session = await create_session(api)
        alpha = await create_line(api, session["id"], end_customer_name="Alpha", external_id="a")
        bravo = await create_line(api, session["id"], end_customer_name="Bravo", external_id="b")
        _, theirs = await create_session_with_line(other_api, end_customer_name="Alpha")

        assert await listed(api, end_customer_name="Alpha") == [alpha["id"]]
        assert await listed(api, end_customer_name="Bravo") == [bravo["id"]]
        assert await listed(other_api, end_customer_name="Alpha") == [theirs["id"]]
        assert await listed(api, search="a", sort="external_id") == [alpha["id"], bravo["id"]]
        assert await listed(api, search="bravo", sort="external_id") == [bravo["id"]]

    async def test_search_follows_updates(self, api: httpx.AsyncClient) -> None:
        session, line = await create_session_with_line(api, end_customer_name="Old name")
        await api.patch(
            f"/api/v1/product_order/{session['id']}/product_order_item/{line['id']}",
            json={"end_customer_name": "New name"},
        )

        assert await listed(api, search="new name") == [line["id"]]
        assert await listed(api, search="old name") == []

    @pytest.mark.parametrize("field", LINE_SORT_FIELDS)
    async def test_sorts_on_each_field_both_ways(
        self, api: httpx.AsyncClient, database: Database, field: str
    ) -> None:
        column = "order_reference" if field == "temporary_reference" else field
        values: dict[str, list[Any]] = {
            "creation_date": [datetime(2025, 4, d, tzinfo=UTC) for d in (3, 1, 2)],
            "order_date": [datetime(2025, 4, d, tzinfo=UTC) for d in (3, 1, 2)],
            "completion_date": [datetime(2025, 4, d, tzinfo=UTC) for d in (3, 1, 2)],
            "expiration_date": [date(2025, 7, d) for d in (3, 1, 2)],
            "scheduled_delivery_date": [date(2025, 9, d) for d in (3, 1, 2)],
            "order_reference": ["PO_DC173_20250403_000003", "PO_DC173_20250401_000001",
                                "PO_DC173_20250402_000002"],
            "state": ["in_progress", "acknowledged", "created"],
            "customer_order_name": ["charlie", "alpha", "bravo"],
            "end_customer_name": ["charlie", "alpha", "bravo"],
            "external_id": ["c-3", "a-1", "b-2"],
        }[column]  # fmt: skip
        session = await create_session(api)
        lines = [(await create_line(api, session["id"]))["id"] for _ in values]
        for line_id, value in zip(lines, values, strict=True):
            await set_line(database, line_id, **{column: value})
        ascending = [lines[1], lines[2], lines[0]]

        assert await listed(api, sort=field) == ascending
        assert await listed(api, sort=f"-{field}") == ascending[::-1]
        # A search counts in the page's query, sorted apart: in the same order (every line was
        # created with a reference, which its search text keeps).
        assert await listed(api, sort=field, search="po_") == ascending
        assert await listed(api, sort=f"-{field}", search="po_") == ascending[::-1]

    @pytest.mark.parametrize("field", ["order_date", "completion_date", "scheduled_delivery_date"])
    async def test_empty_dates_sort_last_ascending_first_descending(
        self, api: httpx.AsyncClient, database: Database, field: str
    ) -> None:
        session = await create_session(api)
        dated, empty = [(await create_line(api, session["id"]))["id"] for _ in range(2)]
        await set_line(database, dated, **{field: datetime(2025, 4, 1, tzinfo=UTC)})

        assert await listed(api, sort=field) == [dated, empty]
        assert await listed(api, sort=f"-{field}") == [empty, dated]

    async def test_equal_values_keep_a_stable_order(self, api: httpx.AsyncClient) -> None:
        session = await create_session(api)
        lines = [
            (await create_line(api, session["id"], external_id="same"))["id"] for _ in range(4)
        ]

        first_page = await listed(api, sort="external_id", limit=2)
        second_page = await listed(api, sort="external_id", limit=2, offset=2)

        assert sorted(first_page + second_page) == sorted(lines)

    async def test_pages_with_limit_and_offset(self, api: httpx.AsyncClient) -> None:
        session = await create_session(api)
        lines = [(await create_line(api, session["id"]))["id"] for _ in range(5)][::-1]

        response = await api.get("/api/v1/product_order_item", params={"limit": 2, "offset": 2})

        assert response.json()["count"] == 5
        assert [item["id"] for item in response.json()["items"]] == lines[2:4]
        assert await listed(api, offset=5) == []

    @pytest.mark.parametrize(
        ("limit", "offset", "shown"),
        [(10, 0, 5), (5, 0, 5), (3, 0, 3), (3, 3, 2), (2, 4, 1), (2, 5, 0), (2, 9, 0)],
    )
    async def test_counts_every_line_whatever_the_page(
        self, api: httpx.AsyncClient, limit: int, offset: int, shown: int
    ) -> None:
        session = await create_session(api)
        for _ in range(5):
            await create_line(api, session["id"])

        response = await api.get(
            "/api/v1/product_order_item", params={"limit": limit, "offset": offset}
        )

        assert (response.json()["count"], len(response.json()["items"])) == (5, shown)

    @pytest.mark.parametrize(
        ("limit", "offset", "shown"), [(10, 0, 3), (3, 0, 3), (2, 0, 2), (2, 2, 1), (2, 3, 0)]
    )
    async def test_a_search_counts_its_matches_whatever_the_page(
        self, api: httpx.AsyncClient, limit: int, offset: int, shown: int
    ) -> None:
        session = await create_session(api)
        for n in range(3):
            await create_line(api, session["id"], external_id=f"match-{n}")
        await create_line(api, session["id"], external_id="other")

        response = await api.get(
            "/api/v1/product_order_item",
            params={"search": "match", "limit": limit, "offset": offset},
        )

        items = response.json()["items"]
        assert (response.json()["count"], len(items)) == (3, shown)
        assert all(set(item) == SUMMARY_FIELDS for item in items)

    async def test_shows_fifty_lines_by_default(self, api: httpx.AsyncClient) -> None:
        session = await create_session(api)
        for _ in range(51):
            await create_line(api, session["id"])

        response = await api.get("/api/v1/product_order_item")

        assert (response.json()["count"], len(response.json()["items"])) == (51, 50)

    @pytest.mark.parametrize(
        ("query", "path", "code"),
        [
            ({"sort": "price"}, "sort", "invalid_sort"),
            ({"sort": "-"}, "sort", "invalid_sort"),
            ({"sort": "--creation_date"}, "sort", "invalid_sort"),
            ({"limit": 0}, "limit", "out_of_range"),
            ({"limit": 1001}, "limit", "out_of_range"),
            ({"offset": -1}, "offset", "out_of_range"),
            ({"offset": 2**63}, "offset", "out_of_range"),
            ({"state": "lost"}, "state", "invalid_choice"),
            ({"creation_date_gt": "last week"}, "creation_date_gt", "invalid_date"),
            ({"expiration_date_lt": "2025-02-30"}, "expiration_date_lt", "invalid_date"),
            ({"order_date_gt": "9999-12-31T23:59:59-12:00"}, "order_date_gt", "invalid_date"),
            ({"search": "x" * 256}, "search", "too_long"),
            ({"search": "a\x00"}, "search", "invalid_character"),
        ],
    )
    async def test_bad_parameters_are_refused(
        self, api: httpx.AsyncClient, query: dict[str, object], path: str, code: str
    ) -> None:
        response = await api.get("/api/v1/product_order_item", params=query)

        body = assert_error(response, 422, "validation_error")
        assert [(e["property_path"], e["code"]) for e in body["errors"]] == [(path, code)]
