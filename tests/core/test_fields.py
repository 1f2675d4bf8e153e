"""Request-body types: JSON types and lengths checked at the door, `null` read as the default."""

import re
from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel, Field, ValidationError

from order_taking.core.errors import validation_entries
from order_taking.core.fields import (
    CatalogId,
    Code,
    Flag,
    IdList,
    IsoDate,
    LongText,
    Name,
    Number,
    RequiredId,
    VlanId,
)


class Body(BaseModel):
    name: Name = ""
    code: Code = ""
    text: LongText = ""
    catalog_id: CatalogId = ""
    required_id: RequiredId = "x"
    number: Number = None
    flag: Flag = False
    day: IsoDate = None
    vlan: VlanId = None
    ids: IdList = Field(default_factory=list)


def refusal(**fields: Any) -> tuple[str, str]:
    """The one (property_path, code) the body is refused with."""
    with pytest.raises(ValidationError) as refused:
        Body.model_validate(fields)
    [entry] = validation_entries([dict(e) for e in refused.value.errors()])
    return entry.property_path, entry.code


class TestOptionalStrings:
    @pytest.mark.parametrize("field", ["name", "code", "text"])
    def test_null_is_read_as_empty(self, field: str) -> None:
        assert getattr(Body.model_validate({field: None}), field) == ""

    @pytest.mark.parametrize(
        ("field", "limit"), [("name", 255), ("code", 64), ("text", 10_000), ("catalog_id", 64)]
    )
    def test_a_string_over_its_length_is_too_long(self, field: str, limit: int) -> None:
        assert getattr(Body.model_validate({field: "x" * limit}), field) == "x" * limit
        assert refusal(**{field: "x" * (limit + 1)}) == (field, "too_long")

    @pytest.mark.parametrize("value", [1, 1.5, True, [], {}])
    def test_another_json_type_is_refused(self, value: object) -> None:
        assert refusal(name=value) == ("name", "invalid_type")

    @pytest.mark.parametrize("value", ["a\x00b", "a\ud800b"])
    @pytest.mark.parametrize("field", ["name", "code", "text", "catalog_id", "required_id"])
    def test_what_no_database_stores_is_refused(self, field: str, value: str) -> None:
        assert refusal(**{field: value}) == (field, "invalid_character")

    def test_any_other_text_is_kept_as_sent(self) -> None:
        text = "  Café « 東京 » 🚀\n\t"

        assert Body.model_validate({"name": text}).name == text

    def test_the_request_schema_says_nul_is_refused(self) -> None:
        pattern = Body.model_json_schema()["properties"]["code"]["anyOf"][0]["pattern"]

        assert re.search(pattern, "AZ001234")
        assert not re.search(pattern, "AZ\x00")

    def test_a_required_id_is_not_empty(self) -> None:
        assert refusal(required_id="") == ("required_id", "too_short")
        assert refusal(required_id=None) == ("required_id", "invalid_type")


class TestNumber:
    @pytest.mark.parametrize(("sent", "read"), [(49.47, 49.47), (-1, -1.0), (0, 0.0), (None, None)])
    def test_takes_a_json_number(self, sent: object, read: float | None) -> None:
        assert Body.model_validate({"number": sent}).number == read

    @pytest.mark.parametrize("sent", ["49.47", True, [1.0]])
    def test_refuses_anything_else(self, sent: object) -> None:
        assert refusal(number=sent) == ("number", "invalid_type")

    @pytest.mark.parametrize("sent", [float("inf"), float("-inf"), float("nan"), 10**400])
    def test_refuses_what_is_not_finite(self, sent: object) -> None:
        assert refusal(number=sent) == ("number", "out_of_range")


class TestFlag:
    @pytest.mark.parametrize(("sent", "read"), [(True, True), (False, False), (None, False)])
    def test_takes_a_json_boolean(self, sent: object, read: bool) -> None:
        assert Body.model_validate({"flag": sent}).flag is read

    @pytest.mark.parametrize("sent", ["true", 1, 0, "yes"])
    def test_refuses_anything_else(self, sent: object) -> None:
        assert refusal(flag=sent) == ("flag", "invalid_type")


class TestIsoDate:
    @pytest.mark.parametrize(
        ("sent", "read"), [("2025-09-21", date(2025, 9, 21)), ("", None), (None, None)]
    )
    def test_takes_a_calendar_date(self, sent: object, read: date | None) -> None:
        assert Body.model_validate({"day": sent}).day == read

    @pytest.mark.parametrize(
        "sent",
        ["2025-02-29", "21/09/2025", "2025-9-21", "2025-09-21T00:00:00", "20250921", 20250921],
    )
    def test_refuses_anything_else(self, sent: object) -> None:
        assert refusal(day=sent) == ("day", "invalid_date")


class TestVlanId:
    @pytest.mark.parametrize(
        ("sent", "read"),
        [
            (1, 1),
            (4094, 4094),
            (1257.0, 1257),
            ("1257", 1257),
            (" 7 ", 7),
            ("007", 7),
            ("", None),
            (None, None),
        ],
    )
    def test_takes_a_number_or_a_numeric_string(self, sent: object, read: int | None) -> None:
        assert Body.model_validate({"vlan": sent}).vlan == read

    @pytest.mark.parametrize(
        ("sent", "code"),
        [
            (0, "out_of_range"),
            (4095, "out_of_range"),
            ("9999", "out_of_range"),
            (False, "invalid_type"),
            (12.5, "invalid_type"),
            (float("inf"), "invalid_type"),
            ("1e3", "invalid_type"),
            ("+12", "invalid_type"),
            ("١٢", "invalid_type"),
        ],
    )
    def test_refuses_anything_else(self, sent: object, code: str) -> None:
        assert refusal(vlan=sent) == ("vlan", code)


class TestIdList:
    def test_null_is_read_as_empty(self) -> None:
        assert Body.model_validate({"ids": None}).ids == []

    def test_each_id_is_checked_at_its_index(self) -> None:
        assert refusal(ids=["2210", 2220]) == ("ids[1]", "invalid_type")


class TestDocumentation:
    def test_the_request_schema_says_null_is_accepted(self) -> None:
        properties = Body.model_json_schema()["properties"]

        assert properties["name"]["anyOf"] == [
            {"type": "string", "maxLength": 255, "pattern": "^[^\\u0000]*$"},
            {"type": "null"},
        ]
        assert {"type": "null"} in properties["ids"]["anyOf"]
        assert {"type": "null"} in properties["flag"]["anyOf"]

    def test_the_vlan_id_is_documented_as_number_or_digits(self) -> None:
        [number, digits, null] = Body.model_json_schema()["properties"]["vlan"]["anyOf"]

        assert number == {"type": "integer", "minimum": 1, "maximum": 4094}
        assert digits["type"] == "string"
        assert null == {"type": "null"}

    @pytest.mark.parametrize("digits", ["0", "1", "007", " 42 ", "4094", "4095", "9999", "1.5"])
    def test_the_documented_digits_are_those_accepted(self, digits: str) -> None:
        pattern = Body.model_json_schema()["properties"]["vlan"]["anyOf"][1]["pattern"]
        try:
            Body.model_validate({"vlan": digits})
            accepted = True
        except ValidationError:
            accepted = False

        assert bool(re.search(pattern, digits)) is accepted
