"""The first schema: workspaces, blobs, runs.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("token", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("touched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_number", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("workspace_id", sa.Integer, sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("task", sa.String(16), nullable=False),
        sa.Column("settings", sa.Text, nullable=False),
        sa.Column("arch", sa.Text, nullable=False),
        sa.Column("train", sa.Text, nullable=False),
        sa.Column("data_identity", sa.Text, nullable=False),
        sa.Column("data_sha256", sa.String(64), sa.ForeignKey("blobs.sha256"), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("message", sa.Text, nullable=True),
        sa.Column("epochs_done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("epochs_total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("history", sa.Text, nullable=False),
        sa.Column("metrics", sa.Text, nullable=True),
        sa.Column("details", sa.Text, nullable=True),
        sa.Column("results", sa.LargeBinary, nullable=True),
        sa.Column("model", sa.LargeBinary, nullable=True),
        sa.Column("optimizer_state", sa.LargeBinary, nullable=True),
        sa.Column("initial_weights", sa.LargeBinary, nullable=True),
        sa.Column("owner", sa.Text, nullable=True),
        sa.Column("app_version", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("workspace_id", "number", name="uq_runs_workspace_number"),
    )


def downgrade() -> None:
    op.drop_table("runs")
    op.drop_table("blobs")
    op.drop_table("workspaces")
