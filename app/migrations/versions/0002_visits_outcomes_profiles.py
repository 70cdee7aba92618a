"""Planned visits, their recorded outcomes, and admin-added compliance profiles.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_visits",
        sa.Column("visit_id", sa.String(36), primary_key=True),
        sa.Column(
            "plan_id", sa.String(36), sa.ForeignKey("plans.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("case_id", sa.String(100), nullable=False),
        sa.Column("agent_id", sa.String(100), nullable=False),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("service_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(600), nullable=False),
    )
    op.create_index("ix_plan_visits_plan_id", "plan_visits", ["plan_id"])
    op.create_index("ix_plan_visits_case_id", "plan_visits", ["case_id"])
    op.create_table(
        "visit_outcomes",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("visit_id", sa.String(36), sa.ForeignKey("plan_visits.visit_id"), nullable=False),
        sa.Column("case_id", sa.String(100), nullable=False),
        sa.Column("agent_id", sa.String(100), nullable=False),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("place", sa.String(600), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("promise_date", sa.Date(), nullable=True),
        sa.Column("amount", sa.Float(), nullable=True),
    )
    op.create_index("ix_visit_outcomes_case", "visit_outcomes", ["case_id", "occurred_at"])
    op.create_index("ix_visit_outcomes_region", "visit_outcomes", ["region"])
    op.create_table(
        "compliance_profiles",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("compliance_profiles")
    op.drop_index("ix_visit_outcomes_region", table_name="visit_outcomes")
    op.drop_index("ix_visit_outcomes_case", table_name="visit_outcomes")
    op.drop_table("visit_outcomes")
    op.drop_index("ix_plan_visits_case_id", table_name="plan_visits")
    op.drop_index("ix_plan_visits_plan_id", table_name="plan_visits")
    op.drop_table("plan_visits")
