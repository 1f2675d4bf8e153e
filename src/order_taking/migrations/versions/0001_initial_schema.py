"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27 03:33:43.825402
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "clients",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients")),
        sa.UniqueConstraint("code", name=op.f("uq_clients_code")),
    )
    op.create_table(
        "eligibility_items",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("street_number", sa.String(length=32), server_default="", nullable=False),
        sa.Column("street_name", sa.String(length=255), server_default="", nullable=False),
        sa.Column("postcode", sa.String(length=16), server_default="", nullable=False),
        sa.Column("city", sa.String(length=255), server_default="", nullable=False),
        sa.Column("insee_code", sa.String(length=16), server_default="", nullable=False),
        sa.Column("building_ref", sa.String(length=64), server_default="", nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_items")),
    )
    op.create_table(
        "operators",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operators")),
        sa.UniqueConstraint("name", name=op.f("uq_operators_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_operators_token_hash")),
    )
    op.create_table(
        "product_offerings",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), server_default="", nullable=False),
        sa.Column("offer_family", sa.String(length=64), server_default="", nullable=False),
        sa.Column("offer_technology", sa.String(length=64), server_default="", nullable=False),
        sa.Column("manual_validation", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_offerings")),
    )
    op.create_table(
        "product_options",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_options")),
    )
    op.create_table(
        "allowed_options",
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("option_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["offering_id"],
            ["product_offerings.id"],
            name=op.f("fk_allowed_options_offering_id_product_offerings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["option_id"],
            ["product_options.id"],
            name=op.f("fk_allowed_options_option_id_product_options"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("offering_id", "option_id", name=op.f("pk_allowed_options")),
    )
    op.create_table(
        "client_tokens",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_tokens_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_client_tokens_token_hash")),
    )
    with op.batch_alter_table("client_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_client_tokens_client_id"), ["client_id"], unique=False)

    op.create_table(
        "eligible_offerings",
        sa.Column("eligibility_item_id", sa.String(length=64), nullable=False),
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["eligibility_item_id"],
            ["eligibility_items.id"],
            name=op.f("fk_eligible_offerings_eligibility_item_id_eligibility_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["offering_id"],
            ["product_offerings.id"],
            name=op.f("fk_eligible_offerings_offering_id_product_offerings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "eligibility_item_id", "offering_id", name=op.f("pk_eligible_offerings")
        ),
    )
    op.create_table(
        "order_sessions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("external_id", sa.String(length=255), server_default="", nullable=False),
        sa.Column("project_id", sa.String(length=255), server_default="", nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("creation_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("order_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completion_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancellation_date", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_order_sessions_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_sessions")),
    )
    with op.batch_alter_table("order_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_sessions_client_id_cancellation_date"),
            ["client_id", "cancellation_date"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_order_sessions_client_id_completion_date"),
            ["client_id", "completion_date"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_order_sessions_client_id_creation_date"),
            ["client_id", "creation_date"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_order_sessions_client_id_external_id"),
            ["client_id", "external_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_order_sessions_client_id_order_date"),
            ["client_id", "order_date"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_order_sessions_client_id_project_id"),
            ["client_id", "project_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_order_sessions_client_id_state"), ["client_id", "state"], unique=False
        )

    op.create_table(
        "quote_carts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("external_id", sa.String(length=255), server_default="", nullable=False),
        sa.Column("project_id", sa.String(length=255), server_default="", nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("creation_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("quote_date", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_quote_carts_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote_carts")),
    )
    with op.batch_alter_table("quote_carts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quote_carts_client_id_creation_date"),
            ["client_id", "creation_date"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_quote_carts_client_id_external_id"),
            ["client_id", "external_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_quote_carts_client_id_project_id"),
            ["client_id", "project_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_quote_carts_client_id_quote_date"),
            ["client_id", "quote_date"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_quote_carts_client_id_state"), ["client_id", "state"], unique=False
        )

    op.create_table(
        "reference_counters",
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("day", sa.String(length=8), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_reference_counters_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("client_id", "kind", "day", name=op.f("pk_reference_counters")),
    )
    op.create_table(
        "order_lines",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("order_reference", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("end_customer_name", sa.String(length=255), server_default="", nullable=False),
        sa.Column("external_id", sa.String(length=255), server_default="", nullable=False),
        sa.Column(
            "option_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("technical_note", sa.Text(), server_default="", nullable=False),
        sa.Column("product_offering_id", sa.String(length=64), server_default="", nullable=False),
        sa.Column(
            "product_offering_qualification_item_id",
            sa.String(length=64),
            server_default="",
            nullable=False,
        ),
        sa.Column("project_id", sa.String(length=255), server_default="", nullable=False),
        sa.Column("quote_item_id", sa.String(length=64), server_default="", nullable=False),
        sa.Column("delivery_mode", sa.String(length=255), server_default="", nullable=False),
        sa.Column("enni", sa.String(length=64), server_default="", nullable=False),
        sa.Column("enni_2", sa.String(length=64), server_default="", nullable=False),
        sa.Column("vlan_reference", sa.Integer(), nullable=True),
        sa.Column("customer_order_name", sa.String(length=255), server_default="", nullable=False),
        sa.Column("business_code", sa.String(length=255), server_default="", nullable=False),
        sa.Column("billing_site_ref", sa.String(length=255), server_default="", nullable=False),
        sa.Column(
            "related_contact_information",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("siret_known", sa.Boolean(), nullable=False),
        sa.Column(
            "additional_vlan_reference", sa.String(length=64), server_default="", nullable=False
        ),
        sa.Column("offer_family", sa.String(length=64), server_default="", nullable=False),
        sa.Column("offer_technology", sa.String(length=64), server_default="", nullable=False),
        sa.Column("specific_request", sa.Text(), server_default="", nullable=False),
        sa.Column("access_instructions", sa.Text(), server_default="", nullable=False),
        sa.Column("scheduled_delivery_date", sa.Date(), nullable=True),
        sa.Column("cpe_networking_number", sa.String(length=64), server_default="", nullable=False),
        sa.Column("cpe_serial_number", sa.String(length=64), server_default="", nullable=False),
        sa.Column("building_ref", sa.String(length=64), server_default="", nullable=False),
        sa.Column("creation_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expiration_date", sa.Date(), nullable=False),
        sa.Column("order_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completion_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancellation_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancellation_reason", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "state_change",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "termination_error",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("backend_order_id", sa.String(length=128), server_default="", nullable=False),
        sa.Column("search_text", sa.Text(), server_default="", nullable=False),
        sa.CheckConstraint(
            "vlan_reference BETWEEN 1 AND 4094", name=op.f("ck_order_lines_vlan_range")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_order_lines_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["order_sessions.id"],
            name=op.f("fk_order_lines_session_id_order_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
        sa.UniqueConstraint("order_reference", name=op.f("uq_order_lines_order_reference")),
    )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_lines_client_id_completion_date"),
            ["client_id", "completion_date"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_order_lines_client_id_creation_date"),
            ["client_id", "creation_date"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_order_lines_client_id_customer_order_name"),
            ["client_id", "customer_order_name"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_order_lines_client_id_end_customer_name"),
            ["client_id", "end_customer_name"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_order_lines_client_id_expiration_date"),
            ["client_id", "expiration_date"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_order_lines_client_id_external_id"),
            ["client_id", "external_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_order_lines_client_id_order_date"),
            ["client_id", "order_date"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_order_lines_client_id_scheduled_delivery_date"),
            ["client_id", "scheduled_delivery_date"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_order_lines_client_id_state_creation_date"),
            ["client_id", "state", "creation_date"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_order_lines_quote_item_id"), ["quote_item_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_order_lines_session_id_creation_date"),
            ["session_id", "creation_date"],
            unique=False,
        )

    op.create_table(
        "quote_lines",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("quote_id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column(
            "product_offering_qualification_item_id",
            sa.String(length=64),
            server_default="",
            nullable=False,
        ),
        sa.Column(
            "product_offerings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("end_customer_name", sa.String(length=255), server_default="", nullable=False),
        sa.Column("external_id", sa.String(length=255), server_default="", nullable=False),
        sa.Column("site_connection_type", sa.String(length=255), server_default="", nullable=False),
        sa.Column("business_sector", sa.String(length=255), server_default="", nullable=False),
        sa.Column("expected_response_date", sa.Date(), nullable=True),
        sa.Column(
            "option_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("technical_note", sa.Text(), server_default="", nullable=False),
        sa.Column("project_id", sa.String(length=255), server_default="", nullable=False),
        sa.Column("customer_order_name", sa.String(length=255), server_default="", nullable=False),
        sa.Column("business_code", sa.String(length=255), server_default="", nullable=False),
        sa.Column(
            "related_contact_information",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("creation_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("quote_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("search_text", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_quote_lines_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["quote_id"],
            ["quote_carts.id"],
            name=op.f("fk_quote_lines_quote_id_quote_carts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote_lines")),
        sa.UniqueConstraint("reference", name=op.f("uq_quote_lines_reference")),
    )
    with op.batch_alter_table("quote_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quote_lines_client_id_business_sector"),
            ["client_id", "business_sector"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_quote_lines_client_id_creation_date"),
            ["client_id", "creation_date"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_quote_lines_client_id_customer_order_name"),
            ["client_id", "customer_order_name"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_quote_lines_client_id_end_customer_name"),
            ["client_id", "end_customer_name"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_quote_lines_client_id_project_id"),
            ["client_id", "project_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_quote_lines_client_id_state_creation_date"),
            ["client_id", "state", "creation_date"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_quote_lines_quote_id_creation_date"),
            ["quote_id", "creation_date"],
            unique=False,
        )

    op.create_table(
        "order_creation_jobs",
        sa.Column("line_id", sa.String(length=36), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("run_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=128), nullable=True),
        sa.Column("claim_token", sa.String(length=36), nullable=True),
        sa.Column("last_error", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["order_lines.id"],
            name=op.f("fk_order_creation_jobs_line_id_order_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["order_sessions.id"],
            name=op.f("fk_order_creation_jobs_session_id_order_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("line_id", name=op.f("pk_order_creation_jobs")),
    )
    with op.batch_alter_table("order_creation_jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_creation_jobs_run_after"), ["run_after"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_order_creation_jobs_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "quote_line_offerings",
        sa.Column("quote_line_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("offer_family", sa.String(length=64), server_default="", nullable=False),
        sa.Column("offer_technology", sa.String(length=64), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["quote_line_id"],
            ["quote_lines.id"],
            name=op.f("fk_quote_line_offerings_quote_line_id_quote_lines"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("quote_line_id", "position", name=op.f("pk_quote_line_offerings")),
    )
    with op.batch_alter_table("quote_line_offerings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quote_line_offerings_offer_family_quote_line_id"),
            ["offer_family", "quote_line_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_quote_line_offerings_offer_technology_quote_line_id"),
            ["offer_technology", "quote_line_id"],
            unique=False,
        )

    if op.get_bind().dialect.name == "postgresql":
        # `search` is a substring match: trigram indexes serve LIKE '%term%' on PostgreSQL.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table in ("order_lines", "quote_lines"):
            op.execute(
                f"CREATE INDEX ix_{table}_search_text ON {table} "
                "USING gin (search_text gin_trgm_ops)"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_order_lines_search_text")
        op.execute("DROP INDEX IF EXISTS ix_quote_lines_search_text")
    with op.batch_alter_table("quote_line_offerings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quote_line_offerings_offer_technology_quote_line_id"))
        batch_op.drop_index(batch_op.f("ix_quote_line_offerings_offer_family_quote_line_id"))

    op.drop_table("quote_line_offerings")
    with op.batch_alter_table("order_creation_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_creation_jobs_session_id"))
        batch_op.drop_index(batch_op.f("ix_order_creation_jobs_run_after"))

    op.drop_table("order_creation_jobs")
    with op.batch_alter_table("quote_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quote_lines_quote_id_creation_date"))
        batch_op.drop_index(batch_op.f("ix_quote_lines_client_id_state_creation_date"))
        batch_op.drop_index(batch_op.f("ix_quote_lines_client_id_project_id"))
        batch_op.drop_index(batch_op.f("ix_quote_lines_client_id_end_customer_name"))
        batch_op.drop_index(batch_op.f("ix_quote_lines_client_id_customer_order_name"))
        batch_op.drop_index(batch_op.f("ix_quote_lines_client_id_creation_date"))
        batch_op.drop_index(batch_op.f("ix_quote_lines_client_id_business_sector"))

    op.drop_table("quote_lines")
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_lines_session_id_creation_date"))
        batch_op.drop_index(batch_op.f("ix_order_lines_quote_item_id"))
        batch_op.drop_index(batch_op.f("ix_order_lines_client_id_state_creation_date"))
        batch_op.drop_index(batch_op.f("ix_order_lines_client_id_scheduled_delivery_date"))
        batch_op.drop_index(batch_op.f("ix_order_lines_client_id_order_date"))
        batch_op.drop_index(batch_op.f("ix_order_lines_client_id_external_id"))
        batch_op.drop_index(batch_op.f("ix_order_lines_client_id_expiration_date"))
        batch_op.drop_index(batch_op.f("ix_order_lines_client_id_end_customer_name"))
        batch_op.drop_index(batch_op.f("ix_order_lines_client_id_customer_order_name"))
        batch_op.drop_index(batch_op.f("ix_order_lines_client_id_creation_date"))
        batch_op.drop_index(batch_op.f("ix_order_lines_client_id_completion_date"))

    op.drop_table("order_lines")
    op.drop_table("reference_counters")
    with op.batch_alter_table("quote_carts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quote_carts_client_id_state"))
        batch_op.drop_index(batch_op.f("ix_quote_carts_client_id_quote_date"))
        batch_op.drop_index(batch_op.f("ix_quote_carts_client_id_project_id"))
        batch_op.drop_index(batch_op.f("ix_quote_carts_client_id_external_id"))
        batch_op.drop_index(batch_op.f("ix_quote_carts_client_id_creation_date"))

    op.drop_table("quote_carts")
    with op.batch_alter_table("order_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_sessions_client_id_state"))
        batch_op.drop_index(batch_op.f("ix_order_sessions_client_id_project_id"))
        batch_op.drop_index(batch_op.f("ix_order_sessions_client_id_order_date"))
        batch_op.drop_index(batch_op.f("ix_order_sessions_client_id_external_id"))
        batch_op.drop_index(batch_op.f("ix_order_sessions_client_id_creation_date"))
        batch_op.drop_index(batch_op.f("ix_order_sessions_client_id_completion_date"))
        batch_op.drop_index(batch_op.f("ix_order_sessions_client_id_cancellation_date"))

    op.drop_table("order_sessions")
    op.drop_table("eligible_offerings")
    with op.batch_alter_table("client_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_client_tokens_client_id"))

    op.drop_table("client_tokens")
    op.drop_table("allowed_options")
    op.drop_table("product_options")
    op.drop_table("product_offerings")
    op.drop_table("operators")
    op.drop_table("eligibility_items")
    op.drop_table("clients")
