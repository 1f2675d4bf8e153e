"""The schema the migrations build is the one the models describe, on the suite's database."""

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from order_taking.core.database import Base, Database

# Made by the migrations only, on PostgreSQL: `search` reads them through LIKE '%term%'.
TRIGRAM_INDEXES = {"ix_order_lines_search_text", "ix_quote_lines_search_text"}


def _differences(connection: Connection) -> list[Any]:
    def include(item: Any, name: str | None, kind: str, reflected: bool, _other: Any) -> bool:
        return not (kind == "index" and name in TRIGRAM_INDEXES)

    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": include}
    )
    return list(compare_metadata(context, Base.metadata))


async def test_the_migrated_schema_matches_the_models(database: Database) -> None:
    async with database.engine.connect() as connection:
        differences = await connection.run_sync(_differences)

    assert differences == []
