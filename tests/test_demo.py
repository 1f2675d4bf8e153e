"""The demo data is varied and consistent: what the API itself could have produced."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest

from order_taking.core.time import local_date
from order_taking.demo import Batch, demo_batches
from order_taking.ordering.contacts import ContactInformation
from order_taking.ordering.states import LINE, LineState, SessionState

AT = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)


def generate(lines: int = 600, per_session: int = 5, seed: int = 7) -> list[Batch]:
    return list(
        demo_batches("client", lines=lines, lines_per_session=per_session, seed=seed, at=AT)
    )


@pytest.fixture(scope="module")
def batches() -> list[Batch]:
    return generate()


def all_lines(batches: list[Batch]) -> list[dict[str, Any]]:
    return [line for batch in batches for line in batch.lines]


def all_sessions(batches: list[Batch]) -> list[dict[str, Any]]:
    return [session for batch in batches for session in batch.sessions]


class TestDemoBatches:
    def test_makes_the_lines_asked_in_sessions_of_the_size_asked(
        self, batches: list[Batch]
    ) -> None:
        sizes = Counter(line["session_id"] for line in all_lines(batches))

        assert len(all_lines(batches)) == 600
        assert set(sizes.values()) == {5}
        assert set(sizes) == {session["id"] for session in all_sessions(batches)}

    def test_the_last_session_takes_the_rest(self) -> None:
        sizes = Counter(line["session_id"] for line in all_lines(generate(lines=12, per_session=5)))

        assert sorted(sizes.values()) == [2, 5, 5]

    def test_the_same_seed_makes_the_same_data(self) -> None:
        first, second = generate(lines=50, seed=3), generate(lines=50, seed=3)

        def strip(line: dict[str, Any]) -> dict[str, Any]:
            return {k: v for k, v in line.items() if k not in ("id", "session_id")}

        assert [strip(line) for line in all_lines(first)] == [
            strip(line) for line in all_lines(second)
        ]

    def test_is_varied(self, batches: list[Batch]) -> None:
        lines = all_lines(batches)

        assert {line["state"] for line in lines} == {state.value for state in LineState}
        assert len({line["end_customer_name"] for line in lines}) > 100
        cities = {line["related_contact_information"][0]["city"] for line in lines}
        assert len(cities) > 10
        months = {line["creation_date"].strftime("%Y-%m") for line in lines}
        assert len(months) >= 12

    @pytest.mark.parametrize("seed", range(5))
    def test_dates_follow_each_other_within_the_year(self, seed: int) -> None:
        for line in all_lines(generate(lines=2000, per_session=50, seed=seed)):
            created = line["creation_date"]
            assert AT - timedelta(days=366) < created < AT
            assert line["expiration_date"] == local_date(created) + timedelta(days=90)
            if line["order_date"] is not None:
                assert created < line["order_date"] <= AT
            for later in ("completion_date", "cancellation_date"):
                if line[later] is not None:
                    assert line["order_date"] < line[later] <= AT

    def test_each_history_follows_the_life_cycle(self, batches: list[Batch]) -> None:
        for line in all_lines(batches):
            states = [change["state"] for change in line["state_change"]]
            assert states[0] == LineState.CREATED
            assert states[-1] == line["state"]
            for before, after in pairwise(states):
                assert LINE.allows(before, after), states
            moments = [datetime.fromisoformat(c["change_date"]) for c in line["state_change"]]
            assert moments == sorted(moments)
            assert moments[0] == line["creation_date"]

    def test_each_state_carries_its_own_fields(self, batches: list[Batch]) -> None:
        for line in all_lines(batches):
            state = LineState(line["state"])
            assert bool(line["termination_error"]) == (state == LineState.REJECTED_CREATION)
            assert (line["cancellation_date"] is not None) == (state == LineState.CANCELLED)
            assert bool(line["cancellation_reason"]) == (state == LineState.CANCELLED)
            assert (line["order_date"] is None) == (state == LineState.CREATED)

    def test_a_confirmed_session_completes_after_its_confirmation(
        self, batches: list[Batch]
    ) -> None:
        for session in all_sessions(batches):
            assert (session["order_date"] is None) == (session["state"] == SessionState.CREATED)
            if session["completion_date"] is not None:
                assert session["creation_date"] < session["order_date"]
                assert session["order_date"] < session["completion_date"] <= AT

    def test_sessions_end_as_their_lines(self, batches: list[Batch]) -> None:
        line_states: dict[str, set[str]] = {}
        for line in all_lines(batches):
            line_states.setdefault(line["session_id"], set()).add(line["state"])
        for session in all_sessions(batches):
            states = line_states[session["id"]]
            rejected = LineState.REJECTED_CREATION in states
            match SessionState(session["state"]):
                case SessionState.CREATED:
                    assert states == {LineState.CREATED}
                case SessionState.REJECTED:
                    assert states == {LineState.REJECTED_CREATION}
                case SessionState.PARTIAL:
                    assert rejected and len(states) > 1
                case SessionState.COMPLETED:
                    assert not rejected and LineState.CREATED not in states

    def test_each_field_is_what_the_api_accepts(self, batches: list[Batch]) -> None:
        for line in all_lines(batches):
            assert 1 <= line["vlan_reference"] <= 4094
            for contact in line["related_contact_information"]:
                ContactInformation.model_validate(contact)
            cpe = "7021" in line["option_ids"]
            assert bool(line["cpe_networking_number"]) == cpe
            assert bool(line["cpe_serial_number"]) == cpe

    def test_comes_in_batches_of_a_few_thousand_lines(self) -> None:
        sizes = [len(batch.lines) for batch in generate(lines=12_000, per_session=10)]

        assert sum(sizes) == 12_000
        assert all(5000 <= size < 5010 for size in sizes[:-1])
