"""List parameters and clauses: filters, sort and pages, without a database."""

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

import pytest
from pydantic import Field, ValidationError
from sqlalchemy import Column, Date, Integer, MetaData, String, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from order_taking.core.errors import validation_entries
from order_taking.core.listing import (
    FilterDateTime,
    FilterText,
    Page,
    contains_pattern,
    date_range,
    order_by,
    search_text,
    sort_choices,
    sort_validator,
)
from order_taking.core.settings import get_settings

SORTABLE = ("name", "day")
things = Table(
    "things",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("name", String),
    Column("day", Date),
)


class Filters(Page):
    after: FilterDateTime = None
    text: FilterText = None
    sort: Annotated[str | None, sort_validator(SORTABLE), sort_choices(SORTABLE)] = Field(None)


def refusal(**query: object) -> tuple[str, str]:
    with pytest.raises(ValidationError) as refused:
        Filters.model_validate(query)
    [entry] = validation_entries([dict(e) for e in refused.value.errors()])
    return entry.property_path, entry.code


def sql(statement: object, dialect: object) -> str:
    return str(statement.compile(dialect=dialect))  # type: ignore[attr-defined]


class TestFilterDateTime:
    @pytest.mark.parametrize(
        ("written", "moment"),
        [
            ("2025-04-10T12:11:57.548+02:00", datetime(2025, 4, 10, 10, 11, 57, 548000, UTC)),
            ("2025-04-10T10:11:57Z", datetime(2025, 4, 10, 10, 11, 57, tzinfo=UTC)),
            ("2025-04-10T05:11:57-05:00", datetime(2025, 4, 10, 10, 11, 57, tzinfo=UTC)),
            ("2025-04-10T12:11:57", datetime(2025, 4, 10, 10, 11, 57, tzinfo=UTC)),
            ("2025-04-10T12:11", datetime(2025, 4, 10, 10, 11, tzinfo=UTC)),
            ("2025-04-10", datetime(2025, 4, 9, 22, 0, tzinfo=UTC)),
            ("2025-01-10", datetime(2025, 1, 9, 23, 0, tzinfo=UTC)),
        ],
    )
    def test_takes_any_iso_8601_form_read_in_the_service_zone(
        self, written: str, moment: datetime
    ) -> None:
        assert get_settings().time_zone == "Europe/Paris"

        assert Filters.model_validate({"after": written}).after == moment

    @pytest.mark.parametrize(
        "written",
        [
            "yesterday",
            "10/04/2025",
            "2025-04-31",
            "9999-12-31T23:00:00-05:00",
            "0001-01-01T00:00+01:00",
        ],
    )
    def test_refuses_anything_else(self, written: str) -> None:
        assert refusal(after=written) == ("after", "invalid_date")

    def test_an_empty_filter_is_no_filter(self) -> None:
        assert Filters.model_validate({"after": ""}).after is None


class TestFilterText:
    def test_refuses_what_no_database_compares(self) -> None:
        assert refusal(text="a\x00") == ("text", "invalid_character")
        assert refusal(text="x" * 256) == ("text", "too_long")


class TestPage:
    def test_defaults_to_the_first_fifty(self) -> None:
        assert (Filters().limit, Filters().offset) == (50, 0)

    @pytest.mark.parametrize(
        ("query", "path"),
        [({"limit": 0}, "limit"), ({"limit": 1001}, "limit"), ({"offset": -1}, "offset"),
         ({"offset": 2**31}, "offset")],
    )  # fmt: skip
    def test_bounds_the_page(self, query: dict[str, int], path: str) -> None:
        assert refusal(**query) == (path, "out_of_range")


class TestSort:
    @pytest.mark.parametrize("sort", ["name", "-name", "day", "-day"])
    def test_takes_an_allowed_field_either_way(self, sort: str) -> None:
        assert Filters.model_validate({"sort": sort}).sort == sort

    @pytest.mark.parametrize("sort", ["id", "-", "--name", "name,day", " name", "Name"])
    def test_refuses_any_other(self, sort: str) -> None:
        assert refusal(sort=sort) == ("sort", "invalid_sort")

    def test_documents_its_choices(self) -> None:
        schema = Filters.model_json_schema()["properties"]["sort"]

        assert schema["anyOf"][0]["enum"] == ["name", "-name", "day", "-day"]


COLUMNS = {"name": things.c.name, "day": things.c.day}


class TestOrderBy:
    @pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()])
    def test_empty_values_sort_after_every_other(self, dialect: object) -> None:
        ascending = select(things).order_by(*order_by("day", COLUMNS, things.c.id))
        descending = select(things).order_by(*order_by("-day", COLUMNS, things.c.id))

        assert sql(ascending, dialect).endswith("ORDER BY things.day ASC NULLS LAST, things.id ASC")
        assert sql(descending, dialect).endswith(
            "ORDER BY things.day DESC NULLS FIRST, things.id DESC"
        )


class TestDateRange:
    def test_bounds_are_exclusive_and_optional(self) -> None:
        day = date(2025, 4, 10)

        assert date_range(things.c.day, None, None) == []
        [after] = date_range(things.c.day, day, None)
        [after_too, before] = date_range(things.c.day, day, day + timedelta(days=1))

        assert str(after) == str(after_too) == "things.day > :day_1"
        assert str(before) == "things.day < :day_1"


class TestSearch:
    @pytest.mark.parametrize(
        ("term", "pattern"),
        [
            ("Rouen", "%rouen%"),
            ("Léa", "%lea%"),
            ("100%", "%100\\%%"),
            ("a_b", "%a\\_b%"),
            ("c:\\x", "%c:\\\\x%"),
        ],
    )
    def test_a_term_matches_anywhere_literally(self, term: str, pattern: str) -> None:
        assert contains_pattern(term) == pattern

    def test_the_searched_text_is_folded_without_empty_parts(self) -> None:
        assert search_text("PO_DC173_1", "", None, "Café du Port", 75008) == (
            "po_dc173_1 cafe du port 75008"
        )
