"""Classes (issue 26): a teacher's class, joined by students' workspaces with a short code and a nickname.

- A class has a short **code** to write on the board (:data:`CODE_LENGTH` characters of :data:`CODE_ALPHABET`, no
  0/O, 1/I/L look-alikes) and a secret **teacher key** (``secrets.token_urlsafe``). Only the key's SHA-256 is
  stored; a key is checked with ``hmac.compare_digest``. Without the key no class data is read (every teacher
  function takes code + key and finds nothing on a wrong one).
- A **member** is a workspace (the run store's unit of access) with a nickname; a workspace is in at most one class.
  Nicknames are plain text: control and bidi characters removed, whitespace collapsed, cut to
  :data:`NICKNAME_MAX` characters; the pages show them as data, never as markup. Two members with the same
  nickname are told apart as "Mina", "Mina (2)", ...
- **Wrong codes are slowed**: :class:`JoinLimiter` counts a client's wrong codes and makes it wait (doubling, up to
  :data:`MAX_DELAY` seconds) after :data:`FREE_ATTEMPTS` (a browser session) or :data:`SHARED_FREE_ATTEMPTS` (a
  network address, shared by a class behind one NAT). It lives in memory: right for one server process; a
  farm of servers (or every new CLI process) has its own counters.
- A student sees only their own class's name, assignment and, when the teacher turned it on, the leaderboard's
  nicknames and scores (:func:`student_view`); never another member's runs.

The tables are those of migration ``0003``; the board itself (states, leaderboard) is :mod:`rnn_lab.store.board`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa

from rnn_lab.i18n import MessageError
from rnn_lab.share import decode, encode, parse_link
from rnn_lab.store.pack import loads
from rnn_lab.store.records import data_identity, settings_values
from rnn_lab.store.schema import metadata, runs, workspaces
from rnn_lab.store.store import Store, new_token, now, valid_token
from rnn_lab.tasks import task_of

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: readable from the back of the room
CODE_LENGTH = 6
NICKNAME_MAX = 40
NAME_MAX = 80
FREE_ATTEMPTS = 3  # wrong codes a client (a browser session) may enter before it has to wait
SHARED_FREE_ATTEMPTS = 30  # the same for a whole network address: a class behind one NAT shares it
MAX_DELAY = 60.0  # seconds

classes = sa.Table(
    "classes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("code", sa.String(16), nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("teacher_key_hash", sa.String(64), nullable=False),  # sha256 hex of the teacher key
    sa.Column("show_leaderboard", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("assignment", sa.Text, nullable=True),  # JSON (see Assignment)
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

class_members = sa.Table(
    "class_members",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("class_id", sa.Integer, sa.ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "workspace_id", sa.Integer, sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False, unique=True
    ),
    sa.Column("nickname", sa.Text, nullable=False),  # as cleaned
    sa.Column("display", sa.Text, nullable=False),  # unique in the class: "Mina", "Mina (2)"
    sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("class_id", "display", name="uq_class_members_display"),
)
sa.Index("ix_class_members_class", class_members.c.class_id)


class ClassError(MessageError):
    """A join or a class request that cannot be done, said plainly (``class_board.err.*``)."""

    namespace = "class_board.err"


# ---------------------------------------------------------------------- text
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def clean_nickname(raw: str | None) -> str:
    """A nickname as stored and shown: control/bidi/format-override characters removed, whitespace collapsed,
    at most NICKNAME_MAX characters. HTML stays as typed (the pages show it as text). Empty -> ClassError."""
    text = unicodedata.normalize("NFC", str(raw or ""))
    kept = []
    for ch in text:
        if ch in _BIDI:
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cs", "Co", "Cn"):
            kept.append(" " if ch in "\t\n\r\x0b\x0c" else "")
            continue
        kept.append(ch)
    text = re.sub(r"\s+", " ", "".join(kept)).strip()
    text = text[:NICKNAME_MAX].strip()
    if not text:
        raise ClassError("nickname_empty")
    return text


def clean_name(raw: str | None) -> str:
    text = re.sub(r"\s+", " ", "".join(c for c in str(raw or "") if unicodedata.category(c)[0] != "C")).strip()
    text = text[:NAME_MAX].strip()
    if not text:
        raise ClassError("name_empty")
    return text


def normalise_code(raw: str | None) -> str:
    """What a student typed, as a code: upper case, spaces and dashes removed."""
    return re.sub(r"[\s-]+", "", str(raw or "")).upper()[:16]


def key_hash(key: str) -> str:
    return hashlib.sha256(str(key).encode("utf-8")).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


# ---------------------------------------------------------------------- wrong codes
class JoinLimiter:
    """Per-client wrong-code counter in memory: after FREE_ATTEMPTS wrong codes a client waits 1, 2, 4, ...
    (at most MAX_DELAY) seconds before its next try is even checked. A right code resets it."""

    def __init__(self, clock=time.monotonic, free_attempts: int = FREE_ATTEMPTS):
        self.clock = clock
        self.free = free_attempts
        self._state: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def wait_left(self, client: str) -> float:
        with self._lock:
            _, until = self._state.get(client, (0, 0.0))
        return max(0.0, until - self.clock())

    def failed(self, client: str) -> None:
        with self._lock:
            count, _ = self._state.get(client, (0, 0.0))
            count += 1
            delay = 0.0 if count < self.free else min(MAX_DELAY, 2.0 ** (count - self.free))
            self._state[client] = (count, self.clock() + delay)
            if len(self._state) > 10_000:  # forget the oldest clients rather than grow without end
                for old in list(self._state)[:1000]:
                    self._state.pop(old, None)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._state.pop(client, None)


LIMITER = JoinLimiter()  # per browser session (or "cli")
SHARED_LIMITER = JoinLimiter(free_attempts=SHARED_FREE_ATTEMPTS)  # per network address: a reload is no way around


# ---------------------------------------------------------------------- assignment
@dataclass(frozen=True)
class Assignment:
    """What the teacher pinned: an experiment (its share-link settings: task, data, split, seed), a budget and a
    target. ``metric`` is "skill" (forecast: 1 - RMSE/RMSE of the baseline) or "accuracy" (classify, text)."""

    settings: dict  # share-link parameters (rnn_lab.share.encode) of the pinned experiment
    task: str
    data: str  # data identity, e.g. "toy:counting"
    max_params: int | None = None
    max_epochs: int | None = None
    metric: str = "skill"
    target: float | None = None

    def to_json(self) -> str:
        return json.dumps(self.__dict__, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> Assignment | None:
        if not text:
            return None
        try:
            d = json.loads(text)
            return cls(**{k: d.get(k) for k in cls.__dataclass_fields__ if k in d})
        except (ValueError, TypeError):
            return None

    @property
    def seed(self) -> int:
        return int(self.settings.get("train_seed", 0) or 0)

    @property
    def split(self) -> tuple[float, float]:  # (validation, test) fractions, as board.split_of
        v = settings_values(self.settings or {})
        return float(v.get("data_val_frac", 0.0)), float(v.get("data_test_frac", 0.0))


def assignment_from_link(
    link: str,
    *,
    max_params: int | None = None,
    max_epochs: int | None = None,
    metric: str | None = None,
    target: float | None = None,
) -> Assignment:
    """An assignment from an experiment's share link (the whole URL or its query string)."""
    text = str(link or "").strip()
    if not text:
        raise ClassError("link_empty")
    if "?" not in text and "=" in text:
        text = "?" + text
    try:
        _, params = parse_link(text)
    except ValueError:
        raise ClassError("link_bad") from None
    params = {k: v for k, v in params.items() if k not in ("ws", "class", "teacher", "join", "lang")}
    values, _ = decode(params)
    task = task_of(values).name
    metric = metric or task_of(values).board_metric
    if metric not in ("skill", "accuracy"):
        raise ClassError("metric_bad")
    for value in (max_params, max_epochs):
        if value is not None and (not isinstance(value, int) or value < 1):
            raise ClassError("budget_bad")
    return Assignment(
        settings=encode(values),
        task=task,
        data=data_identity(values),
        max_params=max_params,
        max_epochs=max_epochs,
        metric=metric,
        target=None if target is None else float(target),
    )


# ---------------------------------------------------------------------- the store side
def create_class(store: Store, name: str) -> tuple[str, str]:
    """A new class: ``(code, teacher key)``. The key is shown once; only its hash is kept."""
    name = clean_name(name)
    key = new_token(24)  # the teacher passes it as --key KEY: never starting with '-'
    for _ in range(20):
        code = new_code()
        with store._tx() as conn:
            if conn.execute(sa.select(classes.c.id).where(classes.c.code == code)).first() is not None:
                continue
            conn.execute(
                sa.insert(classes).values(code=code, name=name, teacher_key_hash=key_hash(key), created_at=now())
            )
            return code, key
    raise ClassError("no_code")


def _class_row(conn: sa.Connection, code: str):
    return conn.execute(sa.select(classes).where(classes.c.code == normalise_code(code))).first()


def teacher_class(store: Store, code: str, key: str | None) -> dict | None:
    """The class ``code`` if ``key`` is its teacher key, else None (the same None for an unknown code)."""
    if not key or not code:
        return None
    with store._tx() as conn:
        row = _class_row(conn, code)
    expected = row.teacher_key_hash if row is not None else key_hash("not a class " + secrets.token_hex(8))
    if not hmac.compare_digest(key_hash(key), expected) or row is None:
        return None
    return _class_dict(row)


def _class_dict(row) -> dict:
    return {
        "id": int(row.id),
        "code": row.code,
        "name": row.name,
        "show_leaderboard": bool(row.show_leaderboard),
        "assignment": Assignment.from_json(row.assignment),
    }


def class_exists(store: Store, code: str) -> bool:
    with store._tx() as conn:
        return _class_row(conn, code) is not None


def join_class(
    store: Store,
    code: str,
    nickname: str,
    workspace: str | None = None,
    *,
    client: str = "local",
    limiter: JoinLimiter | None = None,
    address: str | None = None,
    shared_limiter: JoinLimiter | None = None,
) -> dict:
    """Join class ``code`` with ``workspace`` (a new workspace when None). Returns ``{"workspace", "display",
    "class_name", "code"}``. A wrong code counts against ``client`` (ClassError ``bad_code``, then ``slow_down``)
    and against its network ``address``, which may make SHARED_FREE_ATTEMPTS wrong codes before it is slowed: a
    whole class behind one NAT is not stopped by one student's typos, and a reload (a new session) gains nothing
    beyond that.
    A workspace already in this class keeps its membership (the nickname it joined with); in another class it
    cannot join (``other_class``)."""
    limiter = limiter or LIMITER
    shared = shared_limiter or SHARED_LIMITER
    wait = max(limiter.wait_left(client), shared.wait_left(address) if address else 0.0)
    if wait > 0:
        raise ClassError("slow_down", seconds=int(wait) + 1)
    nick = clean_nickname(nickname)
    with store._tx() as conn:
        row = _class_row(conn, code)
    if row is None:
        limiter.failed(client)
        if address:
            shared.failed(address)
        raise ClassError("bad_code")
    limiter.succeeded(client)  # the address's count stays: one right code does not clear a class's guesses
    token = store.open_workspace(workspace if valid_token(workspace) else None)
    for attempt in range(10):
        try:
            with store._tx() as conn:
                wid = conn.execute(sa.select(workspaces.c.id).where(workspaces.c.token == token)).scalar_one()
                mine = conn.execute(
                    sa.select(class_members.c.class_id, class_members.c.display).where(
                        class_members.c.workspace_id == wid
                    )
                ).first()
                if mine is not None:
                    if mine.class_id != row.id:
                        raise ClassError("other_class")
                    return {"workspace": token, "display": mine.display, "class_name": row.name, "code": row.code}
                taken = {
                    r[0]
                    for r in conn.execute(sa.select(class_members.c.display).where(class_members.c.class_id == row.id))
                }
                display, n = nick, 1
                while display.casefold() in {t.casefold() for t in taken}:
                    n += 1
                    display = f"{nick} ({n})"
                conn.execute(
                    sa.insert(class_members).values(
                        class_id=row.id, workspace_id=wid, nickname=nick, display=display, joined_at=now()
                    )
                )
            return {"workspace": token, "display": display, "class_name": row.name, "code": row.code}
        except ClassError:
            raise
        except Exception as err:  # noqa: BLE001 - a concurrent join took the same display name: try again
            if attempt == 9 or "unique" not in str(err).lower() and "duplicate" not in str(err).lower():
                raise
    raise ClassError("no_code")  # pragma: no cover


def members(store: Store, class_id: int) -> list[dict]:
    """The members of a class (teacher side only): workspace id and token, nickname, display, joined_at."""
    with store._tx() as conn:
        rows = conn.execute(
            sa.select(
                class_members.c.workspace_id,
                workspaces.c.token,
                class_members.c.nickname,
                class_members.c.display,
                class_members.c.joined_at,
            )
            .join(workspaces, workspaces.c.id == class_members.c.workspace_id)
            .where(class_members.c.class_id == class_id)
            .order_by(class_members.c.id)
        ).all()
    return [dict(r._mapping) for r in rows]


BOARD_COLUMNS = (
    runs.c.id,
    runs.c.workspace_id,
    runs.c.number,
    runs.c.task,
    runs.c.state,
    runs.c.message,
    runs.c.epochs_done,
    runs.c.epochs_total,
    runs.c.data_identity,
    runs.c.settings,
    runs.c.arch,
    runs.c.train,
    runs.c.history,
    runs.c.metrics,
    runs.c.created_at,
    runs.c.updated_at,
)


def class_runs(store: Store, class_id: int) -> list[dict]:
    """Every run of the class's members (no blobs), oldest first, JSON columns decoded."""
    member_ws = sa.select(class_members.c.workspace_id).where(class_members.c.class_id == class_id)
    return board_rows(store, runs.c.workspace_id.in_(member_ws))


def board_rows(store: Store, where) -> list[dict]:
    """The runs matching ``where`` (board columns, no blobs), oldest first, JSON columns decoded."""
    with store._tx() as conn:
        rows = conn.execute(sa.select(*BOARD_COLUMNS).where(where).order_by(runs.c.created_at)).all()
    out = []
    for r in rows:
        m = dict(r._mapping)
        for key in ("settings", "arch", "train", "history", "metrics"):
            m[key] = loads(m[key])
        out.append(m)
    return out


def queue_positions(store: Store) -> dict[str, tuple[int, int]]:
    """Queued runs of the whole store in the order they were queued: run id -> (k, m)."""
    with store._tx() as conn:
        ids = [
            r[0] for r in conn.execute(sa.select(runs.c.id).where(runs.c.state == "queued").order_by(runs.c.created_at))
        ]
    return {rid: (i + 1, len(ids)) for i, rid in enumerate(ids)}


def set_assignment(store: Store, code: str, key: str, assignment: Assignment | None) -> bool:
    cls = teacher_class(store, code, key)
    if cls is None:
        return False
    with store._tx() as conn:
        conn.execute(
            sa.update(classes)
            .where(classes.c.id == cls["id"])
            .values(assignment=None if assignment is None else assignment.to_json())
        )
    return True


def set_show_leaderboard(store: Store, code: str, key: str, show: bool) -> bool:
    cls = teacher_class(store, code, key)
    if cls is None:
        return False
    with store._tx() as conn:
        conn.execute(sa.update(classes).where(classes.c.id == cls["id"]).values(show_leaderboard=bool(show)))
    return True


def student_class(store: Store, token: str | None) -> dict | None:
    """The class of the workspace ``token`` (name, code, the student's display name, the assignment, whether the
    leaderboard is shown), or None. Nothing about the other members."""
    if not valid_token(token):
        return None
    with store._tx() as conn:
        row = conn.execute(
            sa.select(classes, class_members.c.display, class_members.c.workspace_id)
            .join(class_members, class_members.c.class_id == classes.c.id)
            .join(workspaces, workspaces.c.id == class_members.c.workspace_id)
            .where(workspaces.c.token == token)
        ).first()
    if row is None:
        return None
    out = _class_dict(row)
    out["display"] = row.display
    out["workspace_id"] = int(row.workspace_id)
    return out


def member_token(store: Store, class_id: int, run_id: str) -> str | None:
    """The workspace token of the member who owns ``run_id`` in this class (teacher side), or None."""
    if not isinstance(run_id, str):
        return None
    with store._tx() as conn:
        row = conn.execute(
            sa.select(workspaces.c.token)
            .join(class_members, class_members.c.workspace_id == workspaces.c.id)
            .join(runs, runs.c.workspace_id == workspaces.c.id)
            .where(class_members.c.class_id == class_id, runs.c.id == run_id)
        ).first()
    return None if row is None else row.token
