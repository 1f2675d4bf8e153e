"""Filters, sorting and pages of the list endpoints (contract §7)."""

import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError
from sqlalchemy import Column, ColumnElement, Integer, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.visitors import ExternallyTraversible, iterate, replacement_traverse

from order_taking.core.fields import StorableText
from order_taking.core.time import parse_datetime


def _filter_datetime(value: Any) -> Any:
    if value is None or value == "":
        return None
    try:
        # In UTC at once: a moment near year 1 or 9999 that no database can hold fails here.
        return parse_datetime(str(value)).astimezone(UTC)
    except (ValueError, OverflowError):
        raise PydanticCustomError("invalid_date", "must be an ISO 8601 date or datetime") from None


FilterDateTime = Annotated[datetime | None, BeforeValidator(_filter_datetime)]
# A text filter: compared as it is, so only what a database can hold.
FilterText = Annotated[str | None, StringConstraints(max_length=255), StorableText()]

# Far beyond any real list, and within every database's integer range.
MAX_OFFSET = 2**31 - 1


class Page(BaseModel):
    model_config = ConfigDict(extra="ignore")

    limit: int = Field(50, ge=1, le=1000, description="Page size, 1..1000")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip")

    @model_validator(mode="before")
    @classmethod
    def _empty_is_absent(cls, data: Any) -> Any:
        """One rule for every filter: an empty value (`?state=`) is as if it were not sent."""
        if isinstance(data, dict):
            return {name: value for name, value in data.items() if value != ""}
        return data


def sort_validator(allowed: Sequence[str]) -> BeforeValidator:
    """`field` or `-field` among the allowed ones, else a 422 on `sort`."""

    def check(value: Any) -> Any:
        if value is None or value == "":
            return None
        if not isinstance(value, str) or value.removeprefix("-") not in allowed:
            raise PydanticCustomError(
                "invalid_sort", "sort by one of: {allowed}", {"allowed": ", ".join(allowed)}
            )
        return value

    return BeforeValidator(check)


def sort_choices(allowed: Sequence[str]) -> WithJsonSchema:
    """Documents a `sort` parameter with its choices: each field, and each with `-`."""
    choices = [name for field in allowed for name in (field, f"-{field}")]
    return WithJsonSchema({"anyOf": [{"type": "string", "enum": choices}, {"type": "null"}]})


def order_by(sort: str, columns: Mapping[str, Any], tie_breaker: Any) -> list[ColumnElement[Any]]:
    """`field` ascending or `-field` descending, then the tie breaker the same way.

    An empty value sorts after every other, on every database (PostgreSQL's own order, which its
    indexes serve in both directions): last ascending, first descending.
    """
    column = columns[sort.removeprefix("-")]
    if sort.startswith("-"):
        return [column.desc().nulls_first(), tie_breaker.desc()]
    return [column.asc().nulls_last(), tie_breaker.asc()]


def equal(column: Any, value: str | None) -> list[Any]:
    """`column = value` when the filter is given."""
    return [] if value is None else [column == value]


def date_range(column: Any, after: date | None, before: date | None) -> list[Any]:
    """`column > after` and `column < before`, for the bounds given (datetimes or days)."""
    conditions = []
    if after is not None:
        conditions.append(column > after)
    if before is not None:
        conditions.append(column < before)
    return conditions


def fold(text: str) -> str:
    """Without case nor accents, as `search` compares: "Léa", "LEA" and "lea" are one."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def contains_pattern(term: str) -> str:
    """A LIKE pattern matching the folded `term` anywhere, its own % and _ taken literally."""
    escaped = fold(term).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def like_pattern(column: Any, pattern: Any) -> Any:
    """`column LIKE pattern`, for a pattern of `contains_pattern` (or a parameter bound to one)."""
    return column.like(pattern, escape="\\")


def contains(column: Any, term: str | None) -> list[Any]:
    """`column` holds the folded `term` somewhere, when a term is given (for `search`)."""
    return [] if not term else [like_pattern(column, contains_pattern(term))]


def search_text(*parts: object) -> str:
    """What `search` looks in, folded once at write time."""
    return " ".join(fold(str(p)) for p in parts if p not in (None, ""))


class PagedQuery:
    """A list query's statements in one order: its page, its page counted, its count. Each is
    built once, on first use; a page binds only its values (`:page_limit`, `:page_offset`,
    `:count_cap`), so a list whose statements are kept per shape costs no building per request."""

    def __init__(self, query: Select[Any], order: Sequence[ColumnElement[Any]]) -> None:
        self.query = query
        self.order = order

    @cached_property
    def page(self) -> Select[Any]:
        return self.query.order_by(*self.order).limit(_LIMIT).offset(_OFFSET)

    @cached_property
    def counted_page(self) -> Select[Any]:
        return _counted_page(self.query, self.order)

    @cached_property
    def count(self) -> Select[Any]:
        return select(func.count()).select_from(self.query.order_by(None).subquery())

    @cached_property
    def capped_count(self) -> Select[Any]:
        capped = self.query.order_by(None).limit(bindparam("count_cap", type_=Integer))
        return select(func.count()).select_from(capped.subquery())


_LIMIT = bindparam("page_limit", type_=Integer)
_OFFSET = bindparam("page_offset", type_=Integer)


async def fetch_page(
    db: AsyncSession,
    query: Select[Any] | PagedQuery,
    page: Page,
    order: Sequence[ColumnElement[Any]] = (),
    *,
    params: Mapping[str, Any] | None = None,
    count_ahead: int | None = None,
    kept_total: Select[Any] | None = None,
    counted_with_page: bool = False,
) -> tuple[list[Any], int]:
    """The page of the query in that order, and the total of the rows it matches: entities, or
    rows of columns when the query selects several. `params`: the values of the query's own
    bound parameters, if it has any (a `PagedQuery` kept for its shape).

    With `count_ahead`, rows are counted only up to that many past the page's offset: a total of
    `offset + count_ahead` means "at least that many" (a wide search then costs no full count).
    `kept_total` is a query answering the exact total without counting the rows, where one is kept.
    `counted_with_page` counts in the page's own query (`count(*) OVER ()`, rows of columns only),
    for filters whose every match is read anyway, such as a search: one scan of them, not two.
    """
    paged = query if isinstance(query, PagedQuery) else PagedQuery(query, order)
    values = {**(params or {}), "page_limit": page.limit, "page_offset": page.offset}
    if counted_with_page and count_ahead is None and kept_total is None:
        counted = (await db.execute(paged.counted_page, values)).all()
        if counted or page.offset == 0:
            return list(counted), counted[0].matching if counted else 0
    result = await db.execute(paged.page, values)
    rows = result.all() if len(paged.query.column_descriptions) > 1 else result.scalars().all()
    if len(rows) < page.limit and (rows or page.offset == 0):
        # A short page is the last: the total is known without counting (a search that finds a
        # few lines then costs one query, not two).
        return list(rows), page.offset + len(rows)
    cap = None if count_ahead is None else page.offset + count_ahead
    if kept_total is not None:
        kept = await db.scalar(kept_total, values) or 0
        return list(rows), kept if cap is None else min(kept, cap)
    if cap is None:
        total = await db.scalar(paged.count, values)
    else:
        total = await db.scalar(paged.capped_count, {**values, "count_cap": cap})
    return list(rows), total or 0


def _counted_page(query: Select[Any], order: Sequence[ColumnElement[Any]]) -> Select[Any]:
    """The page of the query with the count of its rows in a column `matching`: the rows are
    counted in a subquery and sorted outside it, so that the matches are read once in whatever
    order is cheapest (sorted in the same query, the count would walk the sort's index instead)."""
    shown = set(query.selected_columns)
    sorted_by = [c for clause in order for c in iterate(clause) if isinstance(c, Column)]
    missing = [c for c in dict.fromkeys(sorted_by) if c not in shown]
    matches = query.add_columns(*missing, func.count().over().label("matching")).subquery()

    def on_matches(element: ExternallyTraversible, **_: Any) -> ExternallyTraversible | None:
        return matches.c[element.key] if isinstance(element, Column) else None

    no_options: dict[str, Any] = {}
    return (
        select(*list(matches.c)[: len(shown)], matches.c.matching)
        .order_by(*(replacement_traverse(clause, no_options, on_matches) for clause in order))
        .limit(_LIMIT)
        .offset(_OFFSET)
    )
