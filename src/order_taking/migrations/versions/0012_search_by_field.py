"""`search` through each field's own trigrams: the lines' searched fields stored folded one by
one, under one trigram index in place of the search text's

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 14:00:00

A term is looked for as LIKE '%term%'. The search text's trigram index finds the lines holding
all of the term's trigrams anywhere in their text: for `EXT-00123` (trigrams such as "ext", " 00",
"001", "012", "123"), the trigrams come from the external id of one line, the reference and the
names' numbers of another, and at 1,000,000 lines some ten thousand lines hold them all, each then
read and compared. A term without a space lies within one field, so the index is now over the
fields one by one (the address words one text), where a line holds a term's trigrams together
only if one field does: a few candidates. A term with spaces is still compared with the whole
search text, which keeps it (unindexed).
"""

import unicodedata
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000
FIELDS = (
    "search_reference",
    "search_external_id",
    "search_end_customer_name",
    "search_customer_order_name",
    "search_address",
)
# As order_taking.ordering.contacts.address_words reads a contact at this revision.
ADDRESS_KEYS = (
    "end_customer_name",
    "street_number",
    "street_name",
    "postcode",
    "city",
    "insee_code",
)


def _search_text(*parts: object) -> str:
    # As order_taking.core.listing.search_text folds at this revision (kept here, frozen with it).
    def fold(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        return "".join(c for c in decomposed if not unicodedata.combining(c))

    return " ".join(fold(str(p)) for p in parts if p not in (None, ""))


def _searched(row: Any) -> dict[str, str]:
    contacts = row.related_contact_information or []
    address = [str(contact.get(key, "")) for contact in contacts for key in ADDRESS_KEYS]
    return {
        "key": row.id,
        "search_reference": _search_text(row.order_reference),
        "search_external_id": _search_text(row.external_id),
        "search_end_customer_name": _search_text(row.end_customer_name),
        "search_customer_order_name": _search_text(row.customer_order_name),
        "search_address": _search_text(*address),
    }


def upgrade() -> None:
    # Plain ALTERs, not a batch: a batch rebuilds the table on SQLite, which drops its triggers.
    for name in FIELDS:
        op.add_column("order_lines", sa.Column(name, sa.Text(), server_default="", nullable=False))

    connection = op.get_bind()
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:  # first: every line is rewritten below, and would be indexed there again
        op.execute("DROP INDEX ix_order_lines_search_text")
    lines = sa.table(
        "order_lines",
        sa.column("id", sa.String),
        sa.column("order_reference", sa.String),
        sa.column("external_id", sa.String),
        sa.column("end_customer_name", sa.String),
        sa.column("customer_order_name", sa.String),
        sa.column("related_contact_information", sa.JSON),
        *(sa.column(name, sa.Text) for name in FIELDS),
    )
    fill = (
        lines.update()
        .where(lines.c.id == sa.bindparam("key"))
        .values({name: sa.bindparam(name) for name in FIELDS})
    )
    read = sa.select(
        lines.c.id,
        lines.c.order_reference,
        lines.c.external_id,
        lines.c.end_customer_name,
        lines.c.customer_order_name,
        lines.c.related_contact_information,
    ).order_by(lines.c.id)
    after = None
    while True:  # in batches of ids, so that a large table is never all in memory
        batch = read.where(lines.c.id > after) if after is not None else read
        rows = connection.execute(batch.limit(BATCH)).all()
        if not rows:
            break
        connection.execute(fill, [_searched(row) for row in rows])
        after = rows[-1].id

    if postgresql:
        columns = ", ".join(f"{name} gin_trgm_ops" for name in FIELDS)
        op.execute(
            f"CREATE INDEX ix_order_lines_search_fields ON order_lines USING gin ({columns})"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_order_lines_search_text ON order_lines "
            "USING gin (search_text gin_trgm_ops)"
        )
        op.execute("DROP INDEX ix_order_lines_search_fields")
    for name in FIELDS:
        op.drop_column("order_lines", name)
