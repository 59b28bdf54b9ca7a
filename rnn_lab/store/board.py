"""The teacher's live board and leaderboard (issue 26), computed from the class's run records.

Pure functions over plain records (:func:`rnn_lab.store.classes.class_runs`) plus :func:`class_board`, which reads
the store with the teacher key. A student's state is that of their latest run:

- ``none`` (no run yet), ``queued`` (k of m), ``running`` (epoch k/N), ``done``, ``stopped``, ``failed`` (its
  message), ``interrupted``;
- ``diverged``: the loss became NaN/inf, or grew for :data:`GROWING_EPOCHS` epochs in a row
  (:func:`diverged`), whatever the run's state (a running run that diverges says so at once);
- ``loses``: finished, but worse than the baseline (forecast: skill < 0 beyond the tie band; classify / text: the
  verdict "loses").

The leaderboard ranks, per (task, data), each student's best finished run by its score (forecast: skill against
the persistence baseline; classify / text: accuracy), ties broken by fewer parameters; with an assignment only
runs on its task, data and split within its budget count, and those reaching its target are marked.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import math
from datetime import UTC, datetime

from rnn_lab.arch.config import ArchConfig
from rnn_lab.i18n import t
from rnn_lab.store.classes import board_rows, class_runs, members, queue_positions, student_class, teacher_class
from rnn_lab.store.records import settings_values
from rnn_lab.store.schema import runs
from rnn_lab.tasks import get_task

GROWING_EPOCHS = 3  # the loss grew this many epochs in a row: diverged
FINISHED = ("done", "stopped")
CSV_COLUMNS = (
    "nickname",
    "state",
    "detail",
    "task",
    "data",
    "model",
    "params",
    "metric",
    "score",
    "baseline",
    "test_metric",
    "test_value",
    "baseline_value",
    "split",
    "best_score",
    "runs",
    "last_activity",
)


def diverged(history: dict | None, growing: int = GROWING_EPOCHS) -> bool:
    """Whether a loss curve diverged: a NaN/inf loss, or a loss that grew ``growing`` epochs in a row."""
    loss = list((history or {}).get("loss") or [])
    if not loss:
        return False
    values = []
    for v in loss:
        try:
            values.append(float(v))
        except (TypeError, ValueError):
            return True  # None: a NaN that JSON could not keep
    if any(not math.isfinite(v) for v in values):
        return True
    run = 0
    for a, b in zip(values, values[1:], strict=False):
        run = run + 1 if b > a else 0
        if run >= growing:
            return True
    return False


def params_of(arch: dict | None) -> int | None:
    """The trained model's parameter count, from its stored ArchConfig (None when it cannot be rebuilt)."""
    if not arch:
        return None
    return _params_of(json.dumps(arch, sort_keys=True))


@functools.lru_cache(maxsize=4096)
def _params_of(arch_json: str) -> int | None:
    try:
        from rnn_lab.arch.params import total_params  # lazy: not on the home page's path

        return int(total_params(ArchConfig(**json.loads(arch_json))))
    except Exception:  # noqa: BLE001 - an old or odd record: no count rather than no board
        return None


def model_text(arch: dict | None) -> str:
    if not arch:
        return ""
    family = arch.get("family", "rnn")
    if family == "conv1d":
        text = f"Conv1D({arch.get('filters')})"
    elif family == "dense":
        text = "Dense"
    else:
        units = "-".join(str(u) for u in arch.get("units") or [])  # a stack as in the run names: LSTM(16-16)
        text = f"{'Bi' if arch.get('bidirectional') else ''}{arch.get('cell', 'SimpleRNN')}({units})"
    if arch.get("embedding_vocab"):
        text = f"Embedding + {text}"
    return text


def score_of(task: str, metrics: dict | None) -> tuple[str, float | None, float | None, str | None]:
    """``(metric name, model score, baseline score, verdict)`` of a run's metrics: forecast -> skill (baseline
    0), classify / next_token -> accuracy against the baseline's accuracy."""
    m = metrics or {}
    if get_task(task).board_metric == "skill":
        skill = _num(m.get("skill"))
        return "skill", skill, 0.0, m.get("verdict")
    model = m.get("model") or {}
    base = m.get("baseline") or {}
    return "accuracy", _num(model.get("accuracy")), _num(base.get("accuracy")), m.get("verdict")


def test_metric(task: str, metrics: dict | None) -> tuple[str, float | None, float | None, str | None]:
    """``(name, model value, baseline value, split)`` as the Train page reports them: forecast -> RMSE against
    persistence's RMSE, classify / next_token -> accuracy against the baseline's, on the split they were measured."""
    m = metrics or {}
    if get_task(task).label_kind == "number":  # RMSE beside the naive forecast's
        return (
            "rmse",
            _num((m.get("model") or {}).get("rmse")),
            _num((m.get("naive") or {}).get("rmse")),
            m.get("split"),
        )
    return (
        "accuracy",
        _num((m.get("model") or {}).get("accuracy")),
        _num((m.get("baseline") or {}).get("accuracy")),
        m.get("split"),
    )


def _num(value) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def run_state(run: dict, queue: dict | None = None) -> tuple[str, dict]:
    """A run's board state and its values (k, m, epochs, message)."""
    state = run.get("state")
    if diverged(run.get("history")):
        return "diverged", {"epoch": run.get("epochs_done", 0)}
    if state == "queued":
        k, m = (queue or {}).get(run["id"], (1, 1))
        return "queued", {"k": k, "m": m}
    if state == "running":
        return "running", {"k": run.get("epochs_done", 0), "n": run.get("epochs_total", 0)}
    if state == "failed":
        return "failed", {"message": (run.get("message") or "")[:300]}
    if state in FINISHED:
        _, score, _, verdict = score_of(run.get("task", ""), run.get("metrics"))
        if verdict == "loses":
            return "loses", {}
        return state, {}
    return state or "none", {}


def within_budget(run: dict, assignment) -> bool:
    if assignment is None:
        return True
    if assignment.max_epochs is not None and int(run.get("epochs_done") or 0) > assignment.max_epochs:
        return False
    if assignment.max_params is not None:
        p = params_of(run.get("arch"))
        if p is None or p > assignment.max_params:
            return False
    return True


def counts_for(run: dict, assignment) -> bool:
    """A finished run with a score, on the assignment's task and data (when there is one), within its budget."""
    if run.get("state") not in FINISHED or diverged(run.get("history")):
        return False
    if score_of(run.get("task", ""), run.get("metrics"))[1] is None:
        return False
    if assignment is not None and (run.get("task") != assignment.task or run.get("data_identity") != assignment.data):
        return False
    if assignment is not None and run.get("settings") is not None and split_of(run["settings"]) != assignment.split:
        return False  # another split scores on other windows: not comparable
    return within_budget(run, assignment)


def split_of(settings: dict) -> tuple[float, float]:
    """(validation, test) fractions of a run's stored settings."""
    v = settings_values(settings or {})
    return float(v.get("data_val_frac", 0.0)), float(v.get("data_test_frac", 0.0))


def met_target(score: float | None, assignment) -> bool | None:
    if assignment is None or assignment.target is None or score is None:
        return None
    return score >= assignment.target


def _best(candidates: list[dict]) -> dict | None:
    best = None
    for run in candidates:
        score = score_of(run.get("task", ""), run.get("metrics"))[1]
        key = (score, -(params_of(run.get("arch")) or 0))
        if best is None or key > best[0]:
            best = (key, run)
    return None if best is None else best[1]


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.isoformat()
    return str(value)


def build_board(members: list[dict], runs: list[dict], assignment=None, queue: dict | None = None) -> list[dict]:
    """One row per member (in joining order)::

    {"nickname", "state", "values", "run_id", "task", "data", "model", "params", "metric", "score",
     "baseline", "best_run_id", "best_score", "met", "runs", "last_activity"}
    """
    by_ws: dict[int, list[dict]] = {}
    for run in runs:
        by_ws.setdefault(run["workspace_id"], []).append(run)
    rows = []
    for member in members:
        mine = by_ws.get(member["workspace_id"], [])
        latest = mine[-1] if mine else None
        row = {
            "nickname": member["display"],
            "state": "none",
            "values": {},
            "run_id": None,
            "task": None,
            "data": None,
            "model": None,
            "params": None,
            "metric": None,
            "score": None,
            "baseline": None,
            "test_metric": None,
            "test_value": None,
            "baseline_value": None,
            "split": None,
            "best_run_id": None,
            "best_score": None,
            "met": None,
            "runs": len(mine),
            "last_activity": _iso(member.get("joined_at")),
        }
        if latest is not None:
            state, values = run_state(latest, queue)
            metric, score, baseline, _ = score_of(latest.get("task", ""), latest.get("metrics"))
            row.update(
                state=state,
                values=values,
                run_id=latest["id"],
                task=latest.get("task"),
                data=latest.get("data_identity"),
                model=model_text(latest.get("arch")),
                params=params_of(latest.get("arch")),
                metric=metric,
                score=score if latest.get("state") in FINISHED else None,
                baseline=baseline if latest.get("state") in FINISHED else None,
                last_activity=_iso(max(r["updated_at"] for r in mine)),
            )
            if latest.get("state") in FINISHED:
                name, value, base, split = test_metric(latest.get("task", ""), latest.get("metrics"))
                row.update(test_metric=name, test_value=value, baseline_value=base, split=split)
            best = _best([r for r in mine if counts_for(r, assignment)])
            if best is not None:
                best_score = score_of(best.get("task", ""), best.get("metrics"))[1]
                row.update(best_run_id=best["id"], best_score=best_score, met=met_target(best_score, assignment))
        rows.append(row)
    return rows


def build_leaderboard(members: list[dict], runs: list[dict], assignment=None) -> dict[tuple[str, str], list[dict]]:
    """Per (task, data): ``[{"rank", "nickname", "score", "metric", "params", "run_id", "met"}]``, best first."""
    names = {m["workspace_id"]: m["display"] for m in members}
    groups: dict[tuple[str, str], dict[int, list[dict]]] = {}
    for run in runs:
        if run["workspace_id"] in names and counts_for(run, assignment):
            groups.setdefault((run["task"], run["data_identity"]), {}).setdefault(run["workspace_id"], []).append(run)
    out = {}
    for key, per_student in groups.items():
        entries = []
        for wid, candidates in per_student.items():
            best = _best(candidates)
            metric, score, _, _ = score_of(best["task"], best.get("metrics"))
            entries.append(
                {
                    "nickname": names[wid],
                    "score": score,
                    "metric": metric,
                    "params": params_of(best.get("arch")),
                    "run_id": best["id"],
                    "met": met_target(score, assignment),
                }
            )
        entries.sort(key=lambda e: (-e["score"], e["params"] if e["params"] is not None else 1 << 62, e["nickname"]))
        for i, e in enumerate(entries):
            e["rank"] = i + 1
        out[key] = entries
    return out


def class_board(store, code: str, key: str | None) -> dict | None:
    """The whole board for the teacher: ``{"class": ..., "rows": [...], "leaderboard": {...}}``, or None on a
    wrong code or key."""
    cls = teacher_class(store, code, key)
    if cls is None:
        return None
    who = members(store, cls["id"])
    runs = class_runs(store, cls["id"])
    queue = queue_positions(store) if any(r["state"] == "queued" for r in runs) else {}
    return {
        "class": cls,
        "rows": build_board(who, runs, cls["assignment"], queue),
        "leaderboard": build_leaderboard(who, runs, cls["assignment"]),
    }


def student_view(store, token: str | None) -> dict | None:
    """What a student may see of their class: its name and code, their display name, the assignment with their
    own best result against it, and the leaderboard's nicknames and scores only if the teacher turned it on."""
    cls = student_class(store, token)
    if cls is None:
        return None
    assignment = cls["assignment"]
    runs = [r for r in store_runs_of(store, cls)]
    mine = [r for r in runs if r["workspace_id"] == cls["workspace_id"]]
    best = _best([r for r in mine if counts_for(r, assignment)])
    best_score = None if best is None else score_of(best["task"], best.get("metrics"))[1]
    out = {
        "name": cls["name"],
        "code": cls["code"],
        "display": cls["display"],
        "assignment": assignment,
        "best_score": best_score,
        "best_run_id": None if best is None else best["id"],
        "met": met_target(best_score, assignment),
        "leaderboard": None,
    }
    if cls["show_leaderboard"]:
        who = members(store, cls["id"])
        board = build_leaderboard(who, class_runs(store, cls["id"]), assignment)
        out["leaderboard"] = {
            key: [{"rank": e["rank"], "nickname": e["nickname"], "score": e["score"], "met": e["met"]} for e in rows]
            for key, rows in board.items()
        }
    return out


def store_runs_of(store, cls: dict) -> list[dict]:
    """The student's own runs only (board columns), by their workspace."""
    return board_rows(store, runs.c.workspace_id == cls["workspace_id"])


def _csv_cell(value) -> str:
    """A cell as text; one that a spreadsheet would run as a formula (=, +, -, @ first) is quoted with '."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        text = "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def state_text(row: dict, lang: str = "en") -> str:
    return t(f"class_board.state.{row['state']}", lang, **row.get("values", {}))


def board_csv(rows: list[dict], lang: str = "en") -> str:
    """The class table as CSV (UTF-8 text; formulas neutralised)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                _csv_cell(row["nickname"]),
                _csv_cell(row["state"]),
                _csv_cell(state_text(row, lang)),
                _csv_cell(row["task"]),
                _csv_cell(row["data"]),
                _csv_cell(row["model"]),
                _csv_cell(row["params"]),
                _csv_cell(row["metric"]),
                _csv_cell(None if row["score"] is None else round(row["score"], 4)),
                _csv_cell(None if row["baseline"] is None else round(row["baseline"], 4)),
                _csv_cell(row["test_metric"]),
                _csv_cell(None if row["test_value"] is None else round(row["test_value"], 6)),
                _csv_cell(None if row["baseline_value"] is None else round(row["baseline_value"], 6)),
                _csv_cell(row["split"]),
                _csv_cell(None if row["best_score"] is None else round(row["best_score"], 4)),
                _csv_cell(row["runs"]),
                _csv_cell(row["last_activity"]),
            ]
        )
    return buf.getvalue()
