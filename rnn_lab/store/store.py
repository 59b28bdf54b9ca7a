"""The run store: workspaces, their runs and the data files they were trained on, in one SQL database.

SQLite (one file, WAL, busy timeout, ``BEGIN IMMEDIATE`` so concurrent writers queue instead of failing) by
default; PostgreSQL (psycopg 3) when ``RNN_LAB_DATABASE_URL`` says so. Opening a store upgrades its schema
(:mod:`rnn_lab.store.migrate`), applies the retention (``RNN_LAB_RETENTION_DAYS``) and marks runs whose training
process died as ``interrupted``. Every database error becomes :class:`StoreUnavailable` (a catalogue message); a
failed write is rolled back, so what was saved before stays as it was.

Access is by workspace token only: every query on runs is filtered by the token's workspace, an unknown token
finds nothing, and no function lists workspaces.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import socket
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from rnn_lab import __version__
from rnn_lab.store import config
from rnn_lab.store.errors import StoreUnavailable, classify_error
from rnn_lab.store.pack import dumps, loads
from rnn_lab.store.schema import blobs, runs, workspaces

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")  # secrets.token_urlsafe(24): 24 bytes -> 32 characters
ACTIVE = ("queued", "running")
STALE_SECONDS = 600  # a run on another host not updated for this long is taken as interrupted
SUMMARY_COLUMNS = (
    runs.c.id,
    runs.c.number,
    runs.c.name,
    runs.c.task,
    runs.c.state,
    runs.c.message,
    runs.c.epochs_done,
    runs.c.epochs_total,
    runs.c.data_identity,
    runs.c.parent_run_id,
    runs.c.parent_kind,
    runs.c.checkpoint_epoch,
    runs.c.app_version,
    runs.c.created_at,
    runs.c.updated_at,
    runs.c.finished_at,
)


def now() -> datetime:
    return datetime.now(UTC)


def new_token(nbytes: int = 24) -> str:
    """An unguessable token (``secrets.token_urlsafe``) that never starts with "-": one in 64 would, and the command
    line would then read ``--workspace TOKEN`` as two options ("expected one argument")."""
    while True:
        token = secrets.token_urlsafe(nbytes)
        if not token.startswith("-"):
            return token


def valid_token(token: str | None) -> bool:
    return bool(token) and bool(TOKEN_RE.match(str(token)))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


PROCESS_TAG = uuid.uuid4().hex[:12]  # this process's incarnation: a restarted container reuses pid 1


def owner_tag() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{PROCESS_TAG}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child not yet reaped by its parent is a zombie: dead for us
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite gives naive datetimes back: they were written in UTC
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


class Store:
    """One database. Thread-safe: share one Store per process (:func:`rnn_lab.store.default_store`)."""

    def __init__(self, url: str | None = None, *, migrate: bool = True, housekeeping: bool = True):
        self.url = url or config.database_url()
        self.where = self._where()
        try:
            self.engine = self._make_engine()
            if migrate:
                from rnn_lab.store.migrate import upgrade  # alembic: only when a store opens

                upgrade(self.engine)
            if housekeeping:
                self.mark_interrupted()
                days = config.retention_days()
                if days:
                    self.remove_untouched(days)
        except StoreUnavailable:
            raise
        except (SQLAlchemyError, OSError) as err:
            raise classify_error(err, self.where) from None

    # ------------------------------------------------------------------ engine
    def _where(self) -> str:
        url = sa.engine.make_url(self.url)
        if url.get_backend_name() == "sqlite":
            return str(url.database or ":memory:")
        return url.render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def _make_engine(self) -> sa.Engine:
        url = sa.engine.make_url(self.url)
        if url.get_backend_name() != "sqlite":
            return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=30)
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, pool_size=5, max_overflow=30
        )
        cap = config.max_mb()

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA busy_timeout = 30000")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute("PRAGMA secure_delete = ON")  # a deleted run's bytes are overwritten, not left in free pages
            if cap:
                page = cur.execute("PRAGMA page_size").fetchone()[0]
                cur.execute(f"PRAGMA max_page_count = {max(1, int(cap * 1024 * 1024 / page))}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            # IMMEDIATE takes the write lock at once: a second writer waits (busy timeout) instead of failing with
            # "database is locked" when it upgrades a read lock that a concurrent commit made stale
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine

    @contextmanager
    def _tx(self) -> Iterator[sa.Connection]:
        """One transaction; any database failure becomes StoreUnavailable after the rollback."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except StoreUnavailable:
            raise
        except (SQLAlchemyError, OSError) as err:
            raise classify_error(err, self.where) from None

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ workspaces
    def open_workspace(self, token: str | None = None) -> str:
        """The token of a workspace: ``token``'s if it exists, else a new empty one.

        A well-formed token that is unknown (forged, or removed by the retention) opens a new, empty workspace
        under that token; anything else gets a fresh token. Never anybody else's runs."""
        if not valid_token(token):
            token = new_token()
        with self._tx() as conn:
            row = conn.execute(sa.select(workspaces.c.id).where(workspaces.c.token == token)).first()
            if row is not None:
                conn.execute(sa.update(workspaces).where(workspaces.c.id == row.id).values(touched_at=now()))
                return token
        try:
            with self._tx() as conn:
                conn.execute(sa.insert(workspaces).values(token=token, created_at=now(), touched_at=now()))
        except StoreUnavailable as err:
            if "UNIQUE" not in str(err).upper() and "duplicate" not in str(err).lower():
                raise  # else: created at the same moment by another session: it exists now
        return token

    def workspace_exists(self, token: str) -> bool:
        if not valid_token(token):
            return False
        with self._tx() as conn:
            return conn.execute(sa.select(workspaces.c.id).where(workspaces.c.token == token)).first() is not None

    def _workspace_id(self, conn: sa.Connection, token: str, create: bool = False) -> int | None:
        if not valid_token(token):
            return None
        row = conn.execute(sa.select(workspaces.c.id).where(workspaces.c.token == token)).first()
        if row is None and create:
            wid = conn.execute(
                sa.insert(workspaces).values(token=token, created_at=now(), touched_at=now())
            ).inserted_primary_key[0]
            return int(wid)
        return None if row is None else int(row.id)

    def delete_workspace(self, token: str) -> bool:
        """Remove the workspace, every run of it and every blob no other workspace's run uses."""
        with self._tx() as conn:
            wid = self._workspace_id(conn, token)
            if wid is None:
                return False
            shas = {r[0] for r in conn.execute(sa.select(runs.c.data_sha256).where(runs.c.workspace_id == wid))}
            conn.execute(sa.delete(runs).where(runs.c.workspace_id == wid))
            conn.execute(sa.delete(workspaces).where(workspaces.c.id == wid))
            self._drop_orphans(conn, shas)
        self._checkpoint()
        return True

    def _checkpoint(self) -> None:
        """SQLite: copy the WAL into the file and empty it, so deleted bytes do not linger in the log."""
        if self.is_sqlite:
            try:
                with self.engine.connect() as conn:
                    conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except (SQLAlchemyError, OSError, sqlite3.Error):
                pass  # the next checkpoint will do it; the rows are deleted either way

    def remove_untouched(self, days: float) -> int:
        """Delete the workspaces untouched for more than ``days`` days (with their runs and blobs); how many."""
        cutoff = now() - timedelta(days=days)
        with self._tx() as conn:
            ids = [r[0] for r in conn.execute(sa.select(workspaces.c.id).where(workspaces.c.touched_at < cutoff))]
            if not ids:
                return 0
            shas = {r[0] for r in conn.execute(sa.select(runs.c.data_sha256).where(runs.c.workspace_id.in_(ids)))}
            conn.execute(sa.delete(runs).where(runs.c.workspace_id.in_(ids)))
            conn.execute(sa.delete(workspaces).where(workspaces.c.id.in_(ids)))
            self._drop_orphans(conn, shas)
        self._checkpoint()
        return len(ids)

    @staticmethod
    def _drop_orphans(conn: sa.Connection, shas: set) -> None:
        for sha in shas - {None}:
            used = conn.execute(sa.select(runs.c.id).where(runs.c.data_sha256 == sha).limit(1)).first()
            if used is None:
                conn.execute(sa.delete(blobs).where(blobs.c.sha256 == sha))

    # ------------------------------------------------------------------ runs
    def put_blob(self, conn: sa.Connection, data: bytes) -> str:
        digest = sha256(data)
        if conn.execute(sa.select(blobs.c.sha256).where(blobs.c.sha256 == digest)).first() is None:
            conn.execute(sa.insert(blobs).values(sha256=digest, data=data, size=len(data), created_at=now()))
        return digest

    def blob(self, digest: str) -> bytes | None:
        with self._tx() as conn:
            row = conn.execute(sa.select(blobs.c.data).where(blobs.c.sha256 == digest)).first()
        return None if row is None else bytes(row.data)

    def start_run(
        self,
        token: str,
        *,
        name: str,
        task: str,
        settings: dict,
        arch: dict,
        train: dict,
        data_identity: str,
        data_bytes: bytes | None = None,
        epochs_total: int = 0,
        initial_weights: bytes | None = None,
        parent_run_id: str | None = None,
        parent_kind: str | None = None,
        state: str = "running",
        run_id: str | None = None,
    ) -> tuple[str, int]:
        """A new run record in ``token``'s workspace (created if new): ``(run id, number in the workspace)``.

        ``name`` may hold ``{number}``, filled with the run's number. ``data_bytes`` (an upload, an own text) is
        stored once by its SHA-256 and shared."""
        run_id = run_id or uuid.uuid4().hex  # given: the caller queued the record's write and knows its id already
        with self._tx() as conn:
            wid = self._workspace_id(conn, token, create=True)
            if wid is None:
                raise StoreUnavailable("bad_workspace")
            number = (
                conn.execute(
                    sa.update(workspaces)
                    .where(workspaces.c.id == wid)
                    .values(next_number=workspaces.c.next_number + 1, touched_at=now())
                    .returning(workspaces.c.next_number)
                ).scalar_one()
                - 1
            )
            digest = self.put_blob(conn, data_bytes) if data_bytes is not None else None
            stamp = now()
            conn.execute(
                sa.insert(runs).values(
                    id=run_id,
                    workspace_id=wid,
                    number=number,
                    name=name.replace("{number}", str(number)),
                    task=task,
                    settings=dumps(settings),
                    arch=dumps(arch),
                    train=dumps(train),
                    data_identity=data_identity,
                    data_sha256=digest,
                    state=state,
                    epochs_done=0,
                    epochs_total=epochs_total,
                    history=dumps({}),
                    initial_weights=initial_weights,
                    owner=owner_tag(),
                    app_version=__version__,
                    created_at=stamp,
                    updated_at=stamp,
                    parent_run_id=parent_run_id,
                    parent_kind=parent_kind,
                )
            )
        return run_id, number

    def _update(self, run_id: str, **values: Any) -> bool:
        values["updated_at"] = now()
        with self._tx() as conn:
            done = conn.execute(sa.update(runs).where(runs.c.id == run_id).values(**values)).rowcount
        return bool(done)

    def update_progress(
        self,
        run_id: str,
        epochs_done: int,
        history: dict,
        model: bytes | None = None,
        checkpoint: bytes | None = None,
        checkpoint_epoch: int | None = None,
    ) -> bool:
        """While training: epochs done and the history so far (and the latest weights when given: ``checkpoint``,
        the npz of :func:`rnn_lab.store.pack.checkpoint_bytes` after epoch ``checkpoint_epoch``)."""
        values: dict[str, Any] = {"state": "running", "epochs_done": int(epochs_done), "history": dumps(history)}
        if model is not None:
            values["model"] = model
        if checkpoint is not None:
            values["checkpoint"] = checkpoint
            values["checkpoint_epoch"] = int(checkpoint_epoch if checkpoint_epoch is not None else epochs_done)
        return self._update(run_id, **values)

    def finish_run(
        self,
        run_id: str,
        *,
        state: str,
        epochs_done: int,
        history: dict,
        metrics: dict | None,
        details: dict,
        results: bytes | None,
        model: bytes | None,
        optimizer_state: bytes | None = None,
        name: str | None = None,
    ) -> bool:
        values: dict[str, Any] = {
            "state": state,
            "epochs_done": int(epochs_done),
            "history": dumps(history),
            "metrics": dumps(metrics),
            "details": dumps(details),
            "results": results,
            "model": model,
            "optimizer_state": optimizer_state,
            "checkpoint": None,  # the finished model replaces it
            "checkpoint_epoch": None,
            "finished_at": now(),
            "message": None,
        }
        if name is not None:
            values["name"] = name
        return self._update(run_id, **values)

    def fail_run(self, run_id: str, message: str, *, state: str = "failed", epochs_done: int | None = None) -> bool:
        values: dict[str, Any] = {"state": state, "message": message[:2000], "finished_at": now()}
        if epochs_done is not None:
            values["epochs_done"] = int(epochs_done)
        return self._update(run_id, **values)

    def rename_run(self, token: str, run_id: str, name: str) -> bool:
        with self._tx() as conn:
            wid = self._workspace_id(conn, token)
            if wid is None:
                return False
            return bool(
                conn.execute(
                    sa.update(runs).where(runs.c.id == run_id, runs.c.workspace_id == wid).values(name=name)
                ).rowcount
            )

    def list_runs(self, token: str) -> list[dict]:
        """The workspace's runs (no blobs), oldest first: id, number, name, task, state, epochs, timestamps."""
        with self._tx() as conn:
            wid = self._workspace_id(conn, token)
            if wid is None:
                return []
            rows = conn.execute(
                sa.select(*SUMMARY_COLUMNS).where(runs.c.workspace_id == wid).order_by(runs.c.number)
            ).all()
        return [self._summary(r._mapping) for r in rows]

    @staticmethod
    def _summary(m) -> dict:
        out = {c.name: m[c.name] for c in SUMMARY_COLUMNS}
        for key in ("created_at", "updated_at", "finished_at"):
            out[key] = _iso(out[key])
        return out

    def run_record(self, token: str, run_id: str, *, blobs_too: bool = False) -> dict | None:
        """One run of ``token``'s workspace as plain data (JSON columns decoded), or None: a run of another
        workspace is not found. ``blobs_too`` adds results, model, optimizer state, initial weights, data."""
        cols = list(SUMMARY_COLUMNS) + [
            runs.c.model.is_not(None).label("has_model"),
            runs.c.settings,
            runs.c.arch,
            runs.c.train,
            runs.c.history,
            runs.c.metrics,
            runs.c.details,
            runs.c.data_sha256,
        ]
        if blobs_too:
            cols += [runs.c.results, runs.c.model, runs.c.optimizer_state, runs.c.initial_weights, runs.c.checkpoint]
        with self._tx() as conn:
            wid = self._workspace_id(conn, token)
            if wid is None or not isinstance(run_id, str):
                return None
            row = conn.execute(sa.select(*cols).where(runs.c.id == run_id, runs.c.workspace_id == wid)).first()
            if row is None:
                return None
            m = row._mapping
            out = self._summary(m)
            for key in ("settings", "arch", "train", "history", "metrics", "details"):
                out[key] = loads(m[key])
            out["data_sha256"] = m["data_sha256"]
            out["has_model"] = bool(m["has_model"])
            if blobs_too:
                for key in ("results", "model", "optimizer_state", "initial_weights", "checkpoint"):
                    out[key] = None if m[key] is None else bytes(m[key])
                data = None
                if m["data_sha256"]:
                    b = conn.execute(sa.select(blobs.c.data).where(blobs.c.sha256 == m["data_sha256"])).first()
                    data = None if b is None else bytes(b.data)
                out["data_bytes"] = data
        return out

    def model_bytes(self, token: str, run_id: str) -> bytes | None:
        with self._tx() as conn:
            wid = self._workspace_id(conn, token)
            if wid is None:
                return None
            row = conn.execute(sa.select(runs.c.model).where(runs.c.id == run_id, runs.c.workspace_id == wid)).first()
        return None if row is None or row.model is None else bytes(row.model)

    def delete_run(self, token: str, run_id: str) -> bool:
        """Delete one run of ``token``'s workspace (and its data file if no other run uses it)."""
        with self._tx() as conn:
            wid = self._workspace_id(conn, token)
            if wid is None:
                return False
            row = conn.execute(
                sa.select(runs.c.data_sha256).where(runs.c.id == run_id, runs.c.workspace_id == wid)
            ).first()
            if row is None:
                return False
            conn.execute(sa.delete(runs).where(runs.c.id == run_id))
            self._drop_orphans(conn, {row.data_sha256})
        self._checkpoint()
        return True

    # ------------------------------------------------------------------ crashes
    def mark_interrupted(self) -> int:
        """Runs left ``queued``/``running`` by a process that is gone become ``interrupted`` (their epochs done
        and last saved weights stay). A process on this host is checked by its pid; one elsewhere counts as gone
        when its run was not updated for STALE_SECONDS."""
        host, me = socket.gethostname(), os.getpid()
        cutoff = now() - timedelta(seconds=STALE_SECONDS)
        with self._tx() as conn:
            rows = conn.execute(
                sa.select(runs.c.id, runs.c.owner, runs.c.updated_at).where(runs.c.state.in_(ACTIVE))
            ).all()
            gone = []
            for r in rows:
                parts = (r.owner or "").split(":")
                h, pid, tag = (parts + ["", "", ""])[:3] if len(parts) <= 3 else (":".join(parts[:-2]), *parts[-2:])
                if h == host and pid.isdigit():
                    if int(pid) == me:
                        if tag and tag != PROCESS_TAG:  # an earlier incarnation with the same pid (a restart)
                            gone.append(r.id)
                    elif not _pid_alive(int(pid)):
                        gone.append(r.id)
                else:
                    stamp = r.updated_at if r.updated_at.tzinfo else r.updated_at.replace(tzinfo=UTC)
                    if stamp < cutoff:
                        gone.append(r.id)
            if gone:
                conn.execute(sa.update(runs).where(runs.c.id.in_(gone)).values(state="interrupted", updated_at=now()))
        return len(gone)


_DEFAULT: Store | None = None
_DEFAULT_KEY: str | None = None
_DEFAULT_LOCK = threading.Lock()


def default_store() -> Store:
    """The process's Store for the configured URL (opened, upgraded and cleaned once). Raises StoreUnavailable;
    a later call tries again (e.g. once the disk has room)."""
    global _DEFAULT, _DEFAULT_KEY
    url = config.database_url()
    with _DEFAULT_LOCK:
        if _DEFAULT is None or _DEFAULT_KEY != url:
            _DEFAULT = Store(url)
            _DEFAULT_KEY = url
        return _DEFAULT


def reset_default_store() -> None:
    global _DEFAULT, _DEFAULT_KEY
    with _DEFAULT_LOCK:
        if _DEFAULT is not None:
            _DEFAULT.close()
        _DEFAULT, _DEFAULT_KEY = None, None


__all__ = ["Store", "StoreUnavailable", "default_store", "new_token", "valid_token", "IntegrityError", "DBAPIError"]
