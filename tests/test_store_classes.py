"""Classes (issue 26): joining, the teacher's board, the leaderboard, the assignment, privacy, the CLI.

On SQLite and on a real PostgreSQL the tests start (tests/services.py). The board's states come from real tiny
Keras trainings of the counting toy (SimpleRNN(4)): SGD with learning rate 10 diverges, 3 epochs of Adam lose to the
persistence baseline."""

from __future__ import annotations

import json

import pytest

from rnn_lab.store import Store, new_token
from rnn_lab.store.board import board_csv, build_leaderboard, class_board, diverged, student_view
from rnn_lab.store.classes import (
    NICKNAME_MAX,
    Assignment,
    ClassError,
    JoinLimiter,
    assignment_from_link,
    clean_nickname,
    create_class,
    join_class,
    set_assignment,
    set_show_leaderboard,
)


def _cli(*args):
    from contextlib import redirect_stderr, redirect_stdout
    from io import StringIO

    from rnn_lab.cli import main

    out, err = StringIO(), StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_env(request, tmp_path, monkeypatch):
    """The store the CLI and the library use, by environment (as the app)."""
    from rnn_lab.store import reset_default_store

    monkeypatch.setenv("RNN_LAB_DATA_DIR", str(tmp_path))
    if request.param == "sqlite":
        monkeypatch.delenv("RNN_LAB_DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("RNN_LAB_DATABASE_URL", request.getfixturevalue("postgres_url"))
    reset_default_store()
    from rnn_lab.store import default_store

    yield default_store()
    reset_default_store()


def test_nicknames_are_plain_text_cut_and_told_apart(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 's.sqlite3'}")
    code, _ = create_class(store, "Class 3-2")
    long = "<script>alert(1)</script>🙂" + "가" * 200
    cleaned = clean_nickname(long)
    assert len(cleaned) == NICKNAME_MAX and cleaned.startswith("<script>alert(1)</script>🙂")
    assert clean_nickname("Mi\x00na\u202e\n ") == "Mina"
    with pytest.raises(ClassError):
        clean_nickname("\x00 \t")
    names = [join_class(store, code, n, client="t")["display"] for n in ("Mina", "Mina", "mina", long)]
    assert names == ["Mina", "Mina (2)", "mina (3)", cleaned]
    # a workspace is in one class: joining again keeps its name, another class is refused
    first = join_class(store, code, "Jun", client="t")
    assert join_class(store, code, "Other", first["workspace"], client="t")["display"] == "Jun"
    code2, _ = create_class(store, "Class 3-3")
    with pytest.raises(ClassError, match="another class"):
        join_class(store, code2, "Jun", first["workspace"], client="t")


def test_wrong_codes_are_slowed_and_a_wrong_key_shows_nothing(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 's.sqlite3'}")
    code, key = create_class(store, "Class")
    clock = [0.0]
    limiter = JoinLimiter(clock=lambda: clock[0])
    for _ in range(3):
        with pytest.raises(ClassError, match="no class"):
            join_class(store, "WRONG1", "Mina", client="a", limiter=limiter)
    with pytest.raises(ClassError, match="wait"):  # even the right code must wait now
        join_class(store, code, "Mina", client="a", limiter=limiter)
    assert join_class(store, code, "Bo", client="b", limiter=limiter)["display"] == "Bo"  # another client
    clock[0] += 1.5
    assert join_class(store, code, "Mina", client="a", limiter=limiter)["display"] == "Mina"
    # a network address shared by a class (one NAT) allows more wrong codes, then slows every session behind it
    shared = JoinLimiter(clock=lambda: clock[0], free_attempts=5)
    for i in range(5):
        with pytest.raises(ClassError, match="no class"):
            join_class(store, "WRONG1", "x", client=f"s{i}", limiter=limiter, address="ip:1", shared_limiter=shared)
    with pytest.raises(ClassError, match="wait"):  # a new session (a reload) from the same address
        join_class(store, code, "Ana", client="s9", limiter=limiter, address="ip:1", shared_limiter=shared)
    assert join_class(store, code, "Ana", client="s9", limiter=limiter, address="ip:2", shared_limiter=shared)
    assert class_board(store, code, key)["rows"][0]["nickname"] == "Bo"
    for wrong in (None, "", key[:-1] + ("A" if key[-1] != "A" else "B"), new_token()):
        assert class_board(store, code, wrong) is None
    assert class_board(store, "ZZZZZZ", key) is None
    assert not set_show_leaderboard(store, code, "nope", True)


def test_diverged_is_a_function_of_the_history():
    assert diverged({"loss": [1.0, float("nan")]}) and diverged({"loss": [1.0, None]})
    assert diverged({"loss": [1, 2, 3, 4]}) and not diverged({"loss": [1, 2, 3, 2.5, 2.6]})
    assert not diverged({"loss": [5, 4, 3]}) and not diverged({})


def test_leaderboard_ranks_by_score_then_fewer_parameters_within_the_budget():
    def run(wid, skill, units, epochs=3, rid=None):
        return {
            "id": rid or f"r{wid}{units}",
            "workspace_id": wid,
            "task": "forecast",
            "data_identity": "toy:counting",
            "state": "done",
            "epochs_done": epochs,
            "arch": {"units": [units]},
            "history": {"loss": [3, 2, 1]},
            "metrics": {"skill": skill, "verdict": "beats"},
        }

    members = [{"workspace_id": i, "display": n} for i, n in ((1, "A"), (2, "B"), (3, "C"))]
    runs = [run(1, 0.5, 8), run(2, 0.5, 4), run(3, 0.9, 64), run(3, 0.4, 4)]
    board = build_leaderboard(members, runs)[("forecast", "toy:counting")]
    assert [(e["nickname"], e["score"]) for e in board] == [("C", 0.9), ("B", 0.5), ("A", 0.5)]
    budget = Assignment(settings={}, task="forecast", data="toy:counting", max_params=200, target=0.45)
    board = build_leaderboard(members, runs, budget)[("forecast", "toy:counting")]  # C's 64 units are over budget
    assert [(e["nickname"], e["score"], e["met"]) for e in board] == [
        ("B", 0.5, True),
        ("A", 0.5, True),
        ("C", 0.4, False),
    ]
    other_split = {**run(1, 0.99, 4, rid="split"), "settings": {"data_test_frac": "0.2"}}
    board = build_leaderboard(members, [*runs, other_split], budget)[("forecast", "toy:counting")]
    assert "split" not in [e["run_id"] for e in board]  # scored on other windows: not comparable


def test_the_class_from_the_command_line_with_real_trainings(store_env, keras):
    code, out, _ = _cli("class", "create", "--name", "Class 3-2", "--json")
    created = json.loads(out)
    assert code == 0 and len(created["code"]) == 6 and created["join_link"].endswith(f"?join={created['code']}")
    assert created["teacher_key"] not in created["join_link"]
    cls, key = created["code"], created["teacher_key"]
    ws = {}
    for nick in ("Mina", "Mina", "<b>Jun</b> 🙂" + "x" * 200):
        code, out, _ = _cli("class", "join", cls.lower(), "--nickname", nick, "--json")
        assert code == 0
        joined = json.loads(out)
        ws[joined["nickname"]] = joined["workspace"]
    long_name = ("<b>Jun</b> 🙂" + "x" * 200)[:NICKNAME_MAX]
    assert list(ws) == ["Mina", "Mina (2)", long_name]
    trained = {}
    for nick, extra in (
        ("Mina", ["--lr", "10", "--optimizer", "sgd", "--epochs", "6"]),
        ("Mina (2)", ["--epochs", "3"]),
    ):
        code, out, _ = _cli(
            "train", "--data", "toy:counting", "--units", "4", *extra, "--save-run", f"--workspace={ws[nick]}", "--json"
        )
        assert code == 0
        trained[nick] = json.loads(out)["run_id"]
    code, out, _ = _cli("class", "board", cls, "--teacher-key", key, "--json")
    board = json.loads(out)
    rows = {r["nickname"]: r for r in board["rows"]}
    assert code == 0 and list(rows) == ["Mina", "Mina (2)", long_name]
    assert rows["Mina"]["state"] == "diverged" and rows["Mina"]["best_score"] is None
    assert rows["Mina (2)"]["state"] == "loses" and rows["Mina (2)"]["score"] < 0
    assert rows["Mina (2)"]["best_score"] == rows["Mina (2)"]["score"] and rows["Mina (2)"]["params"] == 29
    assert rows[long_name]["state"] == "none" and rows[long_name]["runs"] == 0
    assert [e["nickname"] for e in board["leaderboard"][0]["entries"]] == ["Mina (2)"]  # a diverged run never ranks
    # a wrong key: exit 2 with one line, nothing printed on stdout
    code, out, err = _cli("class", "board", cls, "--teacher-key", key + "x", "--json")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    # a student asks for another student's run by id: nothing
    code, out, err = _cli("runs", "show", trained["Mina"], f"--workspace={ws['Mina (2)']}", "--json")
    assert code == 2 and out == "" and err.startswith("error: no run") and "loss" not in err
    code, out, _ = _cli("inside", "--run-id", trained["Mina"], f"--workspace={ws[long_name]}", "--json")
    assert code == 2 and out == ""
    # the student's view: their own best result, no one else's until the teacher turns the leaderboard on
    view = student_view(store_env, ws["Mina (2)"])
    assert view["best_run_id"] == trained["Mina (2)"] and view["leaderboard"] is None
    assert trained["Mina"] not in json.dumps(view, default=str)
    set_show_leaderboard(store_env, cls, key, True)
    view = student_view(store_env, ws[long_name])
    assert view["best_score"] is None
    assert view["leaderboard"][("forecast", "toy:counting")][0].keys() == {"rank", "nickname", "score", "met"}
    # an assignment: pinned from an experiment link, a budget that leaves the run out
    pinned = assignment_from_link(
        "http://localhost:8501/train?arch_units_1=4&train_epochs=3&ws=" + new_token(), max_params=20, target=0.3
    )
    assert pinned.task == "forecast" and pinned.data == "toy:counting" and "ws" not in pinned.settings
    assert set_assignment(store_env, cls, key, pinned)
    assert class_board(store_env, cls, key)["leaderboard"] == {}  # 29 parameters > 20
    set_assignment(store_env, cls, key, assignment_from_link("?arch_units_1=4", max_params=100, target=0.3))
    entry = class_board(store_env, cls, key)["leaderboard"][("forecast", "toy:counting")][0]
    assert entry["nickname"] == "Mina (2)" and entry["met"] is False
    # the CSV keeps the nickname as text and neutralises a formula
    join_class(store_env, cls, "=HYPERLINK(1)", client="t")
    text = board_csv(class_board(store_env, cls, key)["rows"])
    assert "'=HYPERLINK(1)" in text and long_name in text


def test_board_states_from_records():
    from datetime import UTC, datetime

    from rnn_lab.store.board import build_board

    stamp = datetime(2026, 1, 1, tzinfo=UTC)

    def rec(wid, state, **kw):
        base = {
            "id": f"r{wid}",
            "workspace_id": wid,
            "task": "classify",
            "data_identity": "digits:mnist",
            "state": state,
            "epochs_done": 2,
            "epochs_total": 5,
            "arch": {"units": [4], "dense_units": 10, "head_activation": "softmax"},
            "history": {"loss": [2.0, 1.5]},
            "metrics": None,
            "message": None,
            "updated_at": stamp,
        }
        return {**base, **kw}

    members = [{"workspace_id": i, "display": f"s{i}", "joined_at": stamp} for i in range(1, 8)]
    runs = [
        rec(1, "queued"),
        rec(2, "running"),
        rec(3, "failed", message="out of memory"),
        rec(4, "stopped", metrics={"model": {"accuracy": 0.9}, "baseline": {"accuracy": 0.1}, "verdict": "beats"}),
        rec(5, "done", metrics={"model": {"accuracy": 0.1}, "baseline": {"accuracy": 0.5}, "verdict": "loses"}),
        rec(6, "running", history={"loss": [2.0, float("inf")]}),
    ]
    rows = build_board(members, runs, queue={"r1": (2, 3)})
    got = [(r["state"], r["values"]) for r in rows]
    assert got == [
        ("queued", {"k": 2, "m": 3}),
        ("running", {"k": 2, "n": 5}),
        ("failed", {"message": "out of memory"}),
        ("stopped", {}),
        ("loses", {}),
        ("diverged", {"epoch": 2}),
        ("none", {}),
    ]
    assert rows[3]["score"] == 0.9 and rows[3]["baseline"] == 0.1 and rows[3]["best_score"] == 0.9
    from rnn_lab.store.board import state_text

    assert state_text(rows[0], "ko") == "대기 중 (3개 중 2번째)" and "out of memory" in state_text(rows[2])


def test_deleting_a_members_workspace_removes_it_from_the_class(store_env):
    code, key = create_class(store_env, "Class")
    ws = join_class(store_env, code, "Mina", client="t")["workspace"]
    assert [r["nickname"] for r in class_board(store_env, code, key)["rows"]] == ["Mina"]
    assert store_env.delete_workspace(ws)
    assert class_board(store_env, code, key)["rows"] == []
