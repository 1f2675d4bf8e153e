"""Column helpers shared by the feature models."""

import uuid
from typing import Any

from sqlalchemy import JSON, String, Table
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import mapped_column
from sqlalchemy.sql.schema import ScalarElementColumnDefault

# JSONB on PostgreSQL, JSON text elsewhere.
Json = JSON().with_variant(JSONB(), "postgresql")


def new_id() -> str:
    return str(uuid.uuid4())


def id_column() -> Any:
    return mapped_column(String(36), primary_key=True, default=new_id)


def text_field(length: int = 255) -> Any:
    """An optional string of the API: never NULL, `""` when not given."""
    return mapped_column(String(length), nullable=False, default="", server_default="")


def new_row(table: Table, **values: Any) -> dict[str, Any]:
    """Every column of a new row of `table` as the database will hold it: the values given, else
    the column's constant default, else NULL where it may be null. A Core INSERT of it then
    needs no read back to know the row."""
    for column in table.columns:
        if column.key in values:
            continue
        if isinstance(column.default, ScalarElementColumnDefault):
            values[column.key] = column.default.arg
        elif column.nullable:
            values[column.key] = None
        else:
            raise ValueError(f"a new row of {table.name} needs a value for {column.key}")
    return values
