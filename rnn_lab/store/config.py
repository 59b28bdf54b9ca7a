"""Where the store lives, from the environment (the same for the app, the command line and the workers).

``RNN_LAB_DATABASE_URL``: a SQLAlchemy URL, e.g. ``postgresql+psycopg://user:pw@host:5432/rnn_lab`` for a server
farm. Unset: the embedded SQLite file ``rnn_lab.sqlite3`` in ``RNN_LAB_DATA_DIR`` (default: the user data directory
that ``platformdirs`` gives, e.g. ``~/.local/share/rnn-lab``).
``RNN_LAB_RETENTION_DAYS``: workspaces untouched for longer are removed when a store opens (unset or 0: kept).
``RNN_LAB_STORE_MAX_MB``: SQLite only, a cap on the file's size (a shared server's quota); beyond it saving stops
with "the disk is full" and the app trains without saving.
"""

from __future__ import annotations

import os
from pathlib import Path

DB_FILE = "rnn_lab.sqlite3"


def data_dir() -> Path:
    configured = os.environ.get("RNN_LAB_DATA_DIR", "").strip()
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("rnn-lab"))


def database_url() -> str:
    """``RNN_LAB_DATABASE_URL``, or the SQLite file in the data directory."""
    url = os.environ.get("RNN_LAB_DATABASE_URL", "").strip()
    if url:
        return url
    return f"sqlite:///{data_dir() / DB_FILE}"


def retention_days() -> float | None:
    raw = os.environ.get("RNN_LAB_RETENTION_DAYS", "").strip()
    if not raw:
        return None
    try:
        days = float(raw)
    except ValueError:
        return None
    return days if days > 0 else None


def max_mb() -> float | None:
    raw = os.environ.get("RNN_LAB_STORE_MAX_MB", "").strip()
    try:
        value = float(raw) if raw else 0.0
    except ValueError:
        return None
    return value if value > 0 else None
