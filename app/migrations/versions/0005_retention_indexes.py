"""Indexes the retention purge reads by: when a plan was made, when an outcome was recorded,
and which outcomes a visit has.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXES = (
    ("ix_plans_created_at", "plans", "created_at"),
    ("ix_visit_outcomes_recorded_at", "visit_outcomes", "recorded_at"),
    ("ix_visit_outcomes_visit_id", "visit_outcomes", "visit_id"),
)


def upgrade() -> None:
    for name, table, column in _INDEXES:
        op.create_index(name, table, [column])


def downgrade() -> None:
    for name, table, _ in reversed(_INDEXES):
        op.drop_index(name, table_name=table)
