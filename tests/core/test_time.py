"""Time as the API shows it: `2025-04-10T12:11:57.548+02:00`, in the service's zone."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from order_taking.core.settings import get_settings
from order_taking.core.time import local_date, parse_datetime, render_datetime


class TestRenderDatetime:
    @pytest.mark.parametrize(
        ("moment", "rendered"),
        [
            (datetime(2025, 4, 10, 10, 11, 57, 548123, UTC), "2025-04-10T12:11:57.548+02:00"),
            (datetime(2025, 1, 10, 10, 11, 57, tzinfo=UTC), "2025-01-10T11:11:57.000+01:00"),
            (
                datetime(2025, 4, 10, 5, 0, tzinfo=timezone(timedelta(hours=-5))),
                "2025-04-10T12:00:00.000+02:00",
            ),
        ],
    )
    def test_milliseconds_and_offset_in_the_service_zone(
        self, moment: datetime, rendered: str
    ) -> None:
        assert get_settings().time_zone == "Europe/Paris"

        assert render_datetime(moment) == rendered


class TestParseDatetime:
    def test_a_moment_without_offset_is_in_the_service_zone(self) -> None:
        assert parse_datetime("2025-04-10T12:00:00") == datetime(2025, 4, 10, 10, tzinfo=UTC)

    def test_a_moment_with_offset_keeps_it(self) -> None:
        assert parse_datetime(" 2025-04-10T12:00:00-05:00 ") == datetime(
            2025, 4, 10, 17, tzinfo=UTC
        )

    def test_round_trips_what_it_renders(self) -> None:
        moment = datetime(2025, 10, 26, 0, 30, 1, 250000, UTC)

        assert parse_datetime(render_datetime(moment)) == moment


def test_the_local_date_is_the_service_zones_day() -> None:
    assert local_date(datetime(2025, 4, 9, 22, 30, tzinfo=UTC)).isoformat() == "2025-04-10"
