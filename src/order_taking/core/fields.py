"""Types of the request bodies: JSON types checked at the door, formats left to confirmation."""

import math
import re
from datetime import date
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DIGITS = re.compile(r"\s*\d+\s*", re.ASCII)
# JSON Schema's way of saying "no NUL character" (ECMA-262 syntax).
_NO_NUL = "^[^\\u0000]*$"


class AlsoNull:
    """Documents in the request schema that `null` is accepted too (and read as the default)."""

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        documented = handler(schema)
        if handler.mode != "validation" or documented.get("type") == "null":
            return documented
        return {"anyOf": [documented, {"type": "null"}]}


def storable_text(value: Any) -> Any:
    """Refuses what no database keeps as text: NUL characters and unpaired UTF-16 surrogates."""
    if isinstance(value, str):
        if "\x00" in value:
            raise PydanticCustomError("invalid_character", "must not contain NUL characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise PydanticCustomError(
                "invalid_character", "must not contain unpaired surrogate characters"
            ) from None
    return value


class StorableText:
    """Text a database can keep: refused with `invalid_character` otherwise, and documented so."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_before_validator_function(storable_text, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        documented = handler(schema)
        if handler.mode == "validation":
            for choice in documented.get("anyOf", [documented]):
                if choice.get("type") == "string":
                    choice["pattern"] = _NO_NUL
        return documented


def _empty_if_null(value: Any) -> Any:
    return "" if value is None else value


def _number(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("invalid_type", "must be a JSON number")
    try:
        number = float(value)
    except OverflowError:
        raise PydanticCustomError("out_of_range", "must be a finite number") from None
    if not math.isfinite(number):
        raise PydanticCustomError("out_of_range", "must be a finite number")
    return number


def _flag(value: Any) -> Any:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise PydanticCustomError("invalid_type", "must be true or false")
    return value


def _iso_date(value: Any) -> Any:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise PydanticCustomError("invalid_date", "must be a date, YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("invalid_date", "must be a date, YYYY-MM-DD") from None


def _vlan(value: Any) -> Any:
    """A JSON number or a numeric string (`"1257"`), as the documentation's examples send it."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        value = int(value)
    # JSON has one number type: 1257.0 is the integer 1257.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("invalid_type", "must be a whole number or a numeric string")
    if not 1 <= value <= 4094:
        raise PydanticCustomError("out_of_range", "must be a VLAN id, 1..4094")
    return value


def _empty_list_if_null(value: Any) -> Any:
    return [] if value is None else value


_NullAsEmpty = BeforeValidator(_empty_if_null)

# Optional strings: `null` is read as `""`. The constraints come first so that a long string is
# reported as `too_long`, not as a list's `too_many`.
Name = Annotated[str, StringConstraints(max_length=255), StorableText(), _NullAsEmpty, AlsoNull()]
Code = Annotated[str, StringConstraints(max_length=64), StorableText(), _NullAsEmpty, AlsoNull()]
LongText = Annotated[
    str, StringConstraints(max_length=10_000), StorableText(), _NullAsEmpty, AlsoNull()
]
CatalogId = Annotated[str, StringConstraints(max_length=64), StorableText()]
Number = Annotated[float | None, BeforeValidator(_number)]
Flag = Annotated[bool, BeforeValidator(_flag), AlsoNull()]
IsoDate = Annotated[date | None, BeforeValidator(_iso_date)]
VlanId = Annotated[
    int | None,
    BeforeValidator(_vlan),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": 4094},
                # 1..4094 written in digits, as in the documentation's `"vlan_reference": "1257"`
                {
                    "type": "string",
                    "pattern": r"^\s*0*([1-9][0-9]{0,2}|[1-3][0-9]{3}|40[0-8][0-9]|409[0-4])\s*$",
                },
                {"type": "null"},
            ]
        },
        mode="validation",
    ),
]
# Optional arrays: `null` is read as `[]`.
NullAsEmptyList = BeforeValidator(_empty_list_if_null)
IdList = Annotated[list[CatalogId], NullAsEmptyList, AlsoNull()]
RequiredId = Annotated[str, StringConstraints(min_length=1, max_length=64), StorableText()]
