"""A run's parent (resume / fork: "same start, one change") and an index on the state (interrupted runs on open).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("parent_run_id", sa.String(32), nullable=True))
        batch.add_column(sa.Column("parent_kind", sa.String(16), nullable=True))
    op.create_index("ix_runs_state", "runs", ["state"])


def downgrade() -> None:
    op.drop_index("ix_runs_state", table_name="runs")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("parent_kind")
        batch.drop_column("parent_run_id")
