"""Classes (issue 26): a teacher's class with a short join code and a hashed teacher key, and its members.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "classes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(16), nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("teacher_key_hash", sa.String(64), nullable=False),
        sa.Column("show_leaderboard", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("assignment", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "class_members",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("class_id", sa.Integer, sa.ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "workspace_id",
            sa.Integer,
            sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("nickname", sa.Text, nullable=False),
        sa.Column("display", sa.Text, nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("class_id", "display", name="uq_class_members_display"),
    )
    op.create_index("ix_class_members_class", "class_members", ["class_id"])


def downgrade() -> None:
    op.drop_index("ix_class_members_class", table_name="class_members")
    op.drop_table("class_members")
    op.drop_table("classes")
