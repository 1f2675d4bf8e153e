"""operations: the confirm's request id on each order creation job, the rate limits' buckets

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-01 19:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_creation_jobs") as batch:
        batch.add_column(sa.Column("request_id", sa.String(length=128), nullable=True))
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("tat", sa.Double(), nullable=False),
        sa.Column("wait", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limits")),
    )


def downgrade() -> None:
    op.drop_table("rate_limits")
    with op.batch_alter_table("order_creation_jobs") as batch:
        batch.drop_column("request_id")
