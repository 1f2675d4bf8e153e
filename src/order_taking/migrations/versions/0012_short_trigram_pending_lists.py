"""the trigram indexes of `search` merge their pending entries at 256 kB, not 4 MB

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 15:00:00

A GIN index adds the entries of new rows to a pending list, merged into the index once the list
reaches gin_pending_list_limit (4 MB by default, some 4,000 lines here) or at VACUUM; every
search reads the whole list meanwhile. With lines being created, the rare search of the
side-by-side benchmark took 3.6 ms on an index just vacuumed and 8.3 ms with 1,200 lines pending
(pgbench, 100,000 lines). At 256 kB about 120 lines are pending at most, and the search costs as
much as after a VACUUM; a create that fills the list merges a small one, not 4 MB at once.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGRAM_INDEXES = ("ix_order_lines_search_text", "ix_quote_lines_search_text")
PENDING_LIST_KB = 256


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for index in TRIGRAM_INDEXES:
            op.execute(f"ALTER INDEX {index} SET (gin_pending_list_limit = {PENDING_LIST_KB})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for index in TRIGRAM_INDEXES:
            op.execute(f"ALTER INDEX {index} RESET (gin_pending_list_limit)")
