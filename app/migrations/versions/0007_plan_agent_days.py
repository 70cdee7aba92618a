"""A plan of several days gives an agent one row per working day.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _plan_agents(primary_key: set[str]) -> sa.Table:
    """The table as it is with ``primary_key``: SQLite cannot alter a primary key, so the
    batch copies the rows into a table of this shape."""
    return sa.Table(
        "plan_agents",
        sa.MetaData(),
        sa.Column(
            "plan_id",
            sa.String(36),
            sa.ForeignKey("plans.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("agent_id", sa.String(100), primary_key=True),
        sa.Column("date", sa.Date(), nullable=False, primary_key="date" in primary_key),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Index("ix_plan_agents_agent_date", "agent_id", "date", "created_at"),
    )


def _set_primary_key(columns: list[str]) -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(
            "plan_agents", copy_from=_plan_agents(set(columns)), recreate="always"
        ):
            pass
        return
    op.drop_constraint("plan_agents_pkey", "plan_agents", type_="primary")
    op.create_primary_key("plan_agents_pkey", "plan_agents", columns)


def upgrade() -> None:
    _set_primary_key(["plan_id", "agent_id", "date"])


def downgrade() -> None:
    _set_primary_key(["plan_id", "agent_id"])
