"""token life cycle and OAuth2: token expiry, last use and revocation, operators' tokens in a
table of their own, passwords, signing keys, used refresh tokens, rate-limit buckets

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 19:50:00

An operator had one token in its own row; it becomes the first row of `operator_tokens`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIFE_CYCLE = ("last_used_at", "expires_at", "revoked_at")


def upgrade() -> None:
    with op.batch_alter_table("client_tokens") as batch_op:
        for column in LIFE_CYCLE:
            batch_op.add_column(sa.Column(column, sa.DateTime(timezone=True), nullable=True))
    # Read before the operators table is rebuilt (SQLite) and before the table referring to it
    # exists: dropping a table a foreign key cascades from would delete the tokens.
    operators = sa.table(
        "operators", sa.column("id"), sa.column("token_hash"), sa.column("created_at")
    )
    tokens = [
        {**row._mapping, "operator_id": row.id}
        for row in op.get_bind().execute(sa.select(operators))
    ]
    with op.batch_alter_table("operators") as batch_op:
        batch_op.drop_constraint("uq_operators_token_hash", type_="unique")
        batch_op.drop_column("token_hash")
        batch_op.add_column(sa.Column("password_hash", sa.String(length=255), nullable=True))
    op.create_table(
        "operator_tokens",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("operator_id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        *(sa.Column(column, sa.DateTime(timezone=True), nullable=True) for column in LIFE_CYCLE),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_operator_tokens_operator_id_operators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_operator_tokens_token_hash")),
    )
    op.create_index(
        op.f("ix_operator_tokens_operator_id"), "operator_tokens", ["operator_id"], unique=False
    )
    # The operator's id doubles as its first token's id: unique, and no UUID function needed.
    if tokens:
        operator_tokens = sa.table(
            "operator_tokens",
            sa.column("id"),
            sa.column("operator_id"),
            sa.column("token_hash"),
            sa.column("created_at"),
        )
        op.bulk_insert(operator_tokens, tokens)
    with op.batch_alter_table("clients") as batch_op:
        batch_op.add_column(sa.Column("password_hash", sa.String(length=255), nullable=True))

    op.create_table(
        "signing_keys",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("algorithm", sa.String(length=16), nullable=False),
        sa.Column("private_key", sa.Text(), nullable=False),
        sa.Column(
            "public_jwk",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_keys")),
        sa.UniqueConstraint("generation", name=op.f("uq_signing_keys_generation")),
    )
    op.create_table(
        "used_refresh_tokens",
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_used_refresh_tokens")),
    )
    op.create_index(
        op.f("ix_used_refresh_tokens_expires_at"),
        "used_refresh_tokens",
        ["expires_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_used_refresh_tokens_expires_at"), table_name="used_refresh_tokens")
    op.drop_table("used_refresh_tokens")
    op.drop_table("signing_keys")
    with op.batch_alter_table("clients") as batch_op:
        batch_op.drop_column("password_hash")
    # Back to one token per operator, its oldest token in use, read before operators is rebuilt.
    op.add_column("operators", sa.Column("token_hash", sa.String(length=64), nullable=True))
    op.execute(
        "UPDATE operators SET token_hash = (SELECT t.token_hash FROM operator_tokens t "
        "WHERE t.operator_id = operators.id AND t.revoked_at IS NULL "
        "ORDER BY t.created_at LIMIT 1)"
    )
    op.drop_index(op.f("ix_operator_tokens_operator_id"), table_name="operator_tokens")
    op.drop_table("operator_tokens")
    op.execute("DELETE FROM operators WHERE token_hash IS NULL")
    with op.batch_alter_table("operators") as batch_op:
        batch_op.drop_column("password_hash")
        batch_op.alter_column("token_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint("uq_operators_token_hash", ["token_hash"])
    with op.batch_alter_table("client_tokens") as batch_op:
        for column in LIFE_CYCLE:
            batch_op.drop_column(column)
