"""Column helpers shared by the feature models."""

import uuid
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import mapped_column

# JSONB on PostgreSQL, JSON text elsewhere.
Json = JSON().with_variant(JSONB(), "postgresql")


def new_id() -> str:
    return str(uuid.uuid4())


def id_column() -> Any:
    return mapped_column(String(36), primary_key=True, default=new_id)


def text_field(length: int = 255) -> Any:
    """An optional string of the API: never NULL, `""` when not given."""
    return mapped_column(String(length), nullable=False, default="", server_default="")
