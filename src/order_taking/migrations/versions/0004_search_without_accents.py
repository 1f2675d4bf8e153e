"""search ignores accents: the stored search text is folded again, accents removed

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 05:40:00

`search` now compares text without case nor accents ("Lea" finds "Léa"); lines written before
hold lower-cased text with its accents, which this folds as the code now writes it. Folding is
one-way: the downgrade leaves the text folded, which the older code searches just as well for
terms typed without accents.
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000


def _fold(text: str) -> str:
    # As order_taking.core.listing.fold does at this revision (kept here, frozen with it).
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def upgrade() -> None:
    connection = op.get_bind()
    for table_name in ("order_lines", "quote_lines"):
        table = sa.table(table_name, sa.column("id", sa.String), sa.column("search_text", sa.Text))
        rows = connection.execute(sa.select(table.c.id, table.c.search_text)).all()
        changed = [
            {"key": row.id, "folded": _fold(row.search_text)}
            for row in rows
            if _fold(row.search_text) != row.search_text
        ]
        statement = (
            table.update()
            .where(table.c.id == sa.bindparam("key"))
            .values(search_text=sa.bindparam("folded"))
        )
        for start in range(0, len(changed), BATCH):
            connection.execute(statement, changed[start : start + BATCH])


def downgrade() -> None:
    pass
