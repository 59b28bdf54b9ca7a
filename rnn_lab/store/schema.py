"""The tables of the run store (SQLAlchemy Core), as the newest migration leaves them.

The schema has a version: Alembic's ``alembic_version`` table, upgraded on open by :mod:`rnn_lab.store.migrate`
(migrations in ``rnn_lab/store/migrations/versions``). A change here needs a new revision there.

- ``workspaces``: one per link; ``token`` is the unguessable link part (``secrets.token_urlsafe(24)``), the only
  way in. ``next_number`` numbers the workspace's runs (#1, #2, ...).
- ``blobs``: uploaded files and own texts by SHA-256, stored once and shared by every run trained on them.
- ``runs``: one per training, with everything the pages draw (see :mod:`rnn_lab.store.records`).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

RUN_STATES = ("queued", "running", "done", "stopped", "failed", "interrupted")

workspaces = sa.Table(
    "workspaces",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("token", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("touched_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("next_number", sa.Integer, nullable=False, server_default="1"),
)

blobs = sa.Table(
    "blobs",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),  # uuid4 hex: all a worker needs to find the run
    sa.Column("workspace_id", sa.Integer, sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),  # per workspace: a student's first run is #1
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("task", sa.String(16), nullable=False),
    sa.Column("settings", sa.Text, nullable=False),  # JSON: the share link's parameters (rnn_lab.share.encode)
    sa.Column("arch", sa.Text, nullable=False),  # JSON: the ArchConfig trained
    sa.Column("train", sa.Text, nullable=False),  # JSON: the TrainConfig
    sa.Column("data_identity", sa.Text, nullable=False),  # "toy:counting", "upload:<sha256>", "text:own:<sha256>"
    sa.Column("data_sha256", sa.String(64), sa.ForeignKey("blobs.sha256"), nullable=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("message", sa.Text, nullable=True),  # failed: the error
    sa.Column("epochs_done", sa.Integer, nullable=False, server_default="0"),
    sa.Column("epochs_total", sa.Integer, nullable=False, server_default="0"),
    sa.Column("history", sa.Text, nullable=False),  # JSON {"loss": [...], "val_loss": [...], ...}
    sa.Column("metrics", sa.Text, nullable=True),  # JSON
    sa.Column("details", sa.Text, nullable=True),  # JSON: stop_reason, best_epoch, batch_size, n, notes, ...
    sa.Column("results", sa.LargeBinary, nullable=True),  # rnn_lab.store.pack: Run.results + predictions
    sa.Column("model", sa.LargeBinary, nullable=True),  # .keras bytes
    sa.Column("optimizer_state", sa.LargeBinary, nullable=True),  # npz of the optimizer's variables (resume)
    sa.Column("initial_weights", sa.LargeBinary, nullable=True),  # npz of the weights before epoch 1 (fork)
    sa.Column("owner", sa.Text, nullable=True),  # "host:pid" of the process training it (interrupted runs)
    sa.Column("app_version", sa.String(32), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    # revision 0002
    sa.Column("parent_run_id", sa.String(32), nullable=True),  # resumed from / forked from (kept if it is deleted)
    sa.Column("parent_kind", sa.String(16), nullable=True),  # "resume" | "fork"
    # revision 0004: while it trains, the weights and optimizer state after epoch checkpoint_epoch (npz, see
    # rnn_lab.store.pack.checkpoint_bytes): what an interrupted run resumes from; cleared when it finishes
    sa.Column("checkpoint", sa.LargeBinary, nullable=True),
    sa.Column("checkpoint_epoch", sa.Integer, nullable=True),
    sa.UniqueConstraint("workspace_id", "number", name="uq_runs_workspace_number"),
)
sa.Index("ix_runs_state", runs.c.state)
