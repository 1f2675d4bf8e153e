"""Types of the request bodies: JSON types checked at the door, formats left to confirmation."""

import math
import re
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, StringConstraints
from pydantic_core import PydanticCustomError

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _empty_if_null(value: Any) -> Any:
    return "" if value is None else value


def _number(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PydanticCustomError("invalid_type", "must be a finite JSON number")
    return value


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
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("invalid_type", "must be a whole number or a numeric string")
    if not 1 <= value <= 4094:
        raise PydanticCustomError("out_of_range", "must be a VLAN id, 1..4094")
    return value


def _id_list(value: Any) -> Any:
    return [] if value is None else value


_NullAsEmpty = BeforeValidator(_empty_if_null)

# Optional strings: `null` is read as `""`. The length comes before the null rule so that it is
# checked as a string's (`string_too_long`), not as a generic length (`too_long`, for lists).
Name = Annotated[str, StringConstraints(max_length=255), _NullAsEmpty]
Code = Annotated[str, StringConstraints(max_length=64), _NullAsEmpty]
LongText = Annotated[str, StringConstraints(max_length=10_000), _NullAsEmpty]
CatalogId = Annotated[str, StringConstraints(max_length=64)]
Number = Annotated[float | None, BeforeValidator(_number)]
Flag = Annotated[bool, BeforeValidator(_flag)]
IsoDate = Annotated[date | None, BeforeValidator(_iso_date)]
VlanId = Annotated[int | None, BeforeValidator(_vlan)]
IdList = Annotated[list[CatalogId], BeforeValidator(_id_list)]
RequiredId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
