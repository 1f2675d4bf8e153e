"""back office: server-side sessions of the staff, and the lines' indexes across clients

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 19:45:00

A back-office session is a row (the SHA-256 of its cookie's token, its operator, its CSRF token,
when it was last used), so that signing out or an idle timeout ends it on the server. The back
office lists lines of every client: newest first, the ADV queue oldest first, the lines rejected
in the last day; the existing indexes all start with client_id, so these get their own.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LINE_INDEXES = {
    "ix_order_lines_creation_date_id_state": ["creation_date", "id", "state"],
    "ix_order_lines_state_order_date_id": ["state", "order_date", "id"],
    "ix_order_lines_state_completion_date": ["state", "completion_date"],
}


def upgrade() -> None:
    op.create_table(
        "backoffice_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("operator_id", sa.String(length=36), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_backoffice_sessions_operator_id_operators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backoffice_sessions")),
    )
    with op.batch_alter_table("backoffice_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_backoffice_sessions_operator_id"), ["operator_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_backoffice_sessions_last_seen_at"), ["last_seen_at"], unique=False
        )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        for name, columns in LINE_INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        for name in LINE_INDEXES:
            batch_op.drop_index(name)
    op.drop_table("backoffice_sessions")
