"""quote lines keep their site: the eligibility item's address as it was when quoted

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# quote_lines column ← eligibility_items column
SITE_COLUMNS = {
    "site_street_number": ("street_number", sa.String(32)),
    "site_street_name": ("street_name", sa.String(255)),
    "site_postcode": ("postcode", sa.String(16)),
    "site_city": ("city", sa.String(255)),
    "site_insee_code": ("insee_code", sa.String(16)),
}
SITE_COORDINATES = {"site_latitude": "latitude", "site_longitude": "longitude"}


def upgrade() -> None:
    with op.batch_alter_table("quote_lines") as batch_op:
        for column, (_, kind) in SITE_COLUMNS.items():
            batch_op.add_column(sa.Column(column, kind, server_default="", nullable=False))
        for column in SITE_COORDINATES:
            batch_op.add_column(sa.Column(column, sa.Float(), nullable=True))
    # Lines quoted before this revision take their site from the catalog as it is now.
    copied = {**{c: item for c, (item, _) in SITE_COLUMNS.items()}, **SITE_COORDINATES}
    assignments = ", ".join(
        f"{column} = COALESCE((SELECT e.{item} FROM eligibility_items e "
        f"WHERE e.id = quote_lines.product_offering_qualification_item_id), {column})"
        for column, item in copied.items()
    )
    op.execute(f"UPDATE quote_lines SET {assignments}")


def downgrade() -> None:
    with op.batch_alter_table("quote_lines") as batch_op:
        for column in [*SITE_COLUMNS, *SITE_COORDINATES]:
            batch_op.drop_column(column)
