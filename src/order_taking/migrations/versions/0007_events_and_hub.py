"""state histories everywhere; the events outbox, the hub's listeners and their deliveries

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 19:50:00

Sessions, quote carts and quote lines keep a `state_change` history like order lines (with who
made each move); rows written before start with an empty one.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HISTORY_TABLES = ("order_sessions", "quote_carts", "quote_lines")


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _sequence() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    for table in HISTORY_TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column("state_change", _json(), server_default="[]", nullable=False)
            )

    op.create_table(
        "events",
        sa.Column("seq", _sequence(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("client_id", sa.String(36), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("resource_id", sa.String(36), nullable=False),
        sa.Column("event_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", _json(), nullable=False),
        sa.Column("position", _sequence(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name="fk_events_client_id_clients", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("seq", name="pk_events"),
        sa.UniqueConstraint("event_id", name="uq_events_event_id"),
        sa.UniqueConstraint("position", name="uq_events_position"),
    )
    op.create_index("ix_events_client_id_position", "events", ["client_id", "position"])
    op.create_index("ix_events_resource_id", "events", ["resource_id"])
    op.create_index("ix_events_event_time", "events", ["event_time"])

    op.create_table(
        "listeners",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("client_id", sa.String(36), nullable=False),
        sa.Column("callback", sa.Text(), nullable=False),
        sa.Column("query", sa.String(255), server_default="", nullable=False),
        sa.Column("event_types", _json(), nullable=False),
        sa.Column("secret", sa.String(128), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("creation_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled_date", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name="fk_listeners_client_id_clients",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_listeners"),
    )
    op.create_index(
        "ix_listeners_client_id_creation_date", "listeners", ["client_id", "creation_date"]
    )

    op.create_table(
        "deliveries",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("event_seq", _sequence(), nullable=False),
        sa.Column("listener_id", sa.String(36), nullable=False),
        sa.Column("resource_id", sa.String(36), nullable=False),
        sa.Column("position", _sequence(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claim_token", sa.String(36), nullable=True),
        sa.Column("claimed_by", sa.String(128), nullable=True),
        sa.Column("response_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), server_default="", nullable=False),
        sa.Column("delivered_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("creation_date", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_seq"], ["events.seq"], name="fk_deliveries_event_seq_events", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["listener_id"],
            ["listeners.id"],
            name="fk_deliveries_listener_id_listeners",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
    )
    op.create_index(
        "ix_deliveries_status_next_attempt_date", "deliveries", ["status", "next_attempt_date"]
    )
    op.create_index(
        "ix_deliveries_listener_id_resource_id_position",
        "deliveries",
        ["listener_id", "resource_id", "position"],
    )
    op.create_index("ix_deliveries_event_seq", "deliveries", ["event_seq"])

    op.create_table(
        "delivery_attempts",
        sa.Column("id", _sequence(), autoincrement=True, nullable=False),
        sa.Column("delivery_id", sa.String(36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("attempt_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("response_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), server_default="", nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name="fk_delivery_attempts_delivery_id_deliveries",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_delivery_attempts"),
    )
    op.create_index("ix_delivery_attempts_delivery_id", "delivery_attempts", ["delivery_id"])


def downgrade() -> None:
    op.drop_table("delivery_attempts")
    op.drop_table("deliveries")
    op.drop_table("listeners")
    op.drop_table("events")
    for table in HISTORY_TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("state_change")
