"""A running run's latest weights (issue 24: "a crash leaves 'interrupted after epoch k' with the last saved
weights"): ``checkpoint`` (npz of the model's weights and the optimizer's variables after epoch
``checkpoint_epoch``), saved every few seconds while it trains; cleared when the run finishes with its ``model``.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("checkpoint", sa.LargeBinary, nullable=True))
        batch.add_column(sa.Column("checkpoint_epoch", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("checkpoint_epoch")
        batch.drop_column("checkpoint")
