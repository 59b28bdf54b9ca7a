"""The run record claim: a worker takes a run only by moving its record from ``queued`` / ``interrupted`` (or
``running`` under an owner known to be dead) to ``running`` under its own owner, in one conditional UPDATE. Two
workers handed the same run id (a redelivered message, a retry) cannot both win: the second finds the state or the
owner changed and leaves the run alone. Uses the store's own tables; no schema change."""

from __future__ import annotations

import sqlalchemy as sa

from rnn_lab.store.schema import runs, workspaces
from rnn_lab.store.store import now

CLAIMABLE = ("queued", "interrupted")


def claim(store, run_id: str, owner: str, dead_owner: str | None = None) -> bool:
    """True when this ``owner`` now holds ``run_id``."""
    cond = runs.c.state.in_(CLAIMABLE)
    if dead_owner:
        cond = sa.or_(cond, sa.and_(runs.c.state == "running", runs.c.owner == dead_owner))
    with store._tx() as conn:
        done = conn.execute(
            sa.update(runs)
            .where(runs.c.id == run_id, cond)
            .values(state="running", owner=owner, message=None, updated_at=now())
        ).rowcount
    return bool(done)


def record_owner(store, run_id: str) -> tuple[str | None, str | None, str | None]:
    """``(workspace token, state, owner)`` of a run by its id alone (a worker is given nothing else), or Nones."""
    with store._tx() as conn:
        row = conn.execute(
            sa.select(workspaces.c.token, runs.c.state, runs.c.owner)
            .select_from(runs.join(workspaces, runs.c.workspace_id == workspaces.c.id))
            .where(runs.c.id == run_id)
        ).first()
    return (None, None, None) if row is None else (row.token, row.state, row.owner)


def fail_if_owned(store, run_id: str, owner: str | None, message: str) -> bool:
    """Mark the run failed unless someone else took it meanwhile (its owner changed or it finished)."""
    cond = [runs.c.id == run_id, runs.c.state.in_(("queued", "running", "interrupted"))]
    if owner is not None:
        cond.append(runs.c.owner == owner)
    with store._tx() as conn:
        done = conn.execute(
            sa.update(runs)
            .where(*cond)
            .values(state="failed", message=message[:2000], finished_at=now(), updated_at=now())
        ).rowcount
    return bool(done)
