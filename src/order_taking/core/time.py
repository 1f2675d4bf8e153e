"""Time as the API shows it: aware datetimes, rendered in the service's zone with milliseconds."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from order_taking.core.settings import get_settings


def now() -> datetime:
    return datetime.now(UTC)


def local_today() -> date:
    return now().astimezone(get_settings().zone).date()


def local_date(moment: datetime) -> date:
    return moment.astimezone(get_settings().zone).date()


def render_datetime(moment: datetime) -> str:
    """`2025-04-10T12:11:57.548+02:00`, as in the documentation's examples."""
    return moment.astimezone(get_settings().zone).isoformat(timespec="milliseconds")


def parse_datetime(text: str) -> datetime:
    """Any ISO 8601 date or datetime; one without an offset is read in the service's zone."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=get_settings().zone)
    return moment


def days_later(day: date, days: int) -> date:
    return day + timedelta(days=days)


class UtcDateTime(TypeDecorator[datetime]):
    """Stored as UTC on every database (SQLite keeps no offset), read back as aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UtcDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
