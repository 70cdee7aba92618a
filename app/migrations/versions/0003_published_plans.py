"""When a plan was published to its agents.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("plans", "plan_agents"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table in ("plan_agents", "plans"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("published_at")
