"""The Class page (issue 26) in AppTest: a teacher link shows the board and leaves the address bar, a wrong key
shows nothing, a student joins and sees only their own class, the teacher opens a student's run read-only on the
Train page (no control that changes it), the assignment reaches the student's Home page, Korean has no raw keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from rnn_lab.store import default_store, reset_default_store
from rnn_lab.store.classes import assignment_from_link, create_class, join_class, set_assignment

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fresh_store(tmp_path, monkeypatch):
    monkeypatch.setenv("RNN_LAB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("RNN_LAB_DATABASE_URL", raising=False)
    reset_default_store()
    yield default_store()
    reset_default_store()


def _open(params: dict | None = None, lang: str = "en", page: str = "app_pages/class.py", **state) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
    parts += [h.value for h in at.header] + [h.value for h in at.subheader] + [c.value for c in at.code]
    for table in list(at.dataframe) + list(at.table):
        parts.append(table.value.to_string())
    return "\n".join(str(p) for p in parts)


def _train_into(store, token: str, *extra: str) -> str:
    from contextlib import redirect_stderr, redirect_stdout
    from io import StringIO

    from rnn_lab.cli import main

    out = StringIO()
    with redirect_stdout(out), redirect_stderr(StringIO()):
        code = main(
            ["train", "--data", "toy:counting", "--units", "4", *extra, "--save-run", f"--workspace={token}", "--json"]
        )
    assert code == 0
    import json

    return json.loads(out.getvalue())["run_id"]


def test_teacher_board_student_view_and_read_only_run(fresh_store, keras):
    store = fresh_store
    code, key = create_class(store, "Class <i>3-2</i>")
    mina = join_class(store, code, "<b>Mina</b> 🙂", client="t")
    jun = join_class(store, code, "Jun", client="t")
    mina_run = _train_into(store, mina["workspace"], "--epochs", "3")
    jun_run = _train_into(store, jun["workspace"], "--lr", "10", "--optimizer", "sgd", "--epochs", "6")

    # a wrong teacher key: an error, no nickname, no class name
    wrong = _open({"class": code, "teacher": key[:-2] + "xx"})
    assert "Mina" not in _texts(wrong) and "3-2" not in _texts(wrong)
    assert any("not valid" in e.value for e in wrong.error)
    assert "teacher" not in wrong.query_params and "class" not in wrong.query_params

    teacher = _open({"class": code, "teacher": key})
    text = _texts(teacher)
    assert "teacher" not in teacher.query_params and "class" not in teacher.query_params  # the secret left
    assert "<b>Mina</b> 🙂" in text and "diverged" in text and "loses to the baseline" in text
    assert key in "\n".join(c.value for c in teacher.code)  # the teacher link, for the teacher (not projected)

    # projection mode: the key and the workspace token are nowhere on the page nor in the address bar
    projected = _open({"class": code, "teacher": key}, projection=True)
    shown = _texts(projected) + str(dict(projected.query_params))
    assert key not in shown and projected.session_state["_ws_token"] not in shown and code in shown

    # open Mina's run read-only: the Train page shows its results and no control that trains, renames or deletes
    teacher.selectbox(key="class_open_student").select("<b>Mina</b> 🙂").run()
    teacher.button(key="class_open_go").click().run()
    assert not teacher.exception
    teacher.switch_page("app_pages/train.py").run()
    assert not teacher.exception
    labels = [b.label for b in teacher.button]
    assert "Back to the class" in labels and "Train" not in labels
    run_controls = [b.key or "" for b in teacher.button if not (b.key or "").startswith("btn_ws_")]  # not the
    # sidebar's own-workspace box (the teacher's workspace, never the student's)
    assert not any(k in key for key in run_controls for k in ("delete", "rename", "resume", "fork"))
    assert any("Read-only" in m.value for m in teacher.markdown)
    teacher.switch_page("app_pages/inside.py").run()  # the Inside page opens the student's model
    assert not teacher.exception
    assert any("Read-only" in m.value for m in teacher.markdown)
    assert teacher.session_state["inside_run"].startswith("<b>Mina</b> 🙂 · #1")
    record = store.run_record(mina["workspace"], mina_run)
    assert record["name"].startswith("#1 ") and record["state"] == "done"  # untouched

    # the student: their class and nothing of the others; the assignment on the Home page
    set_assignment(store, code, key, assignment_from_link("?arch_units_1=4", max_params=100, target=0.3))
    student = _open({"ws": mina["workspace"]})
    text = _texts(student)
    assert "Jun" not in text and "diverged" not in text and "Mina" in text
    home = _open({"ws": mina["workspace"]}, page="app_pages/home.py")
    assert any("Not at the target yet" in m.value for m in home.markdown)

    # a student session asks for another student's run by id (the teacher's read-only slot): nothing
    peek = _open({"ws": mina["workspace"]}, page="app_pages/train.py", _class_view=(code, jun_run, "Jun"))
    assert not any("Read-only" in m.value for m in peek.markdown) and "Jun" not in _texts(peek)
    assert all(getattr(r, "store_id", None) != jun_run for r in peek.session_state["runs"])
    forged = _open(
        {"ws": mina["workspace"]},
        page="app_pages/train.py",
        _class_teacher=(code, "x" * 32),
        _class_view=(code, jun_run, "Jun"),
    )
    assert not any("Read-only" in m.value for m in forged.markdown)

    # Korean: no raw keys
    ko = _open({"class": code, "teacher": key}, lang="ko")
    assert "class_page." not in _texts(ko) and "class_board." not in _texts(ko) and "발산함" in _texts(ko)


def test_a_student_joins_with_the_code_and_wrong_codes_are_refused(fresh_store):
    code, _ = create_class(fresh_store, "Class")
    at = _open({"join": code})
    assert "join" not in at.query_params
    assert at.text_input[0].value == code
    at.text_input[1].input("<script>x</script>")
    at.button[0].click().run()  # the join form's submit
    assert not at.exception
    assert any("<script>x</script>" in m.value.replace("\\", "") for m in at.markdown)
    again = _open()
    again.text_input[0].input("WRONG9")
    again.text_input[1].input("Bo")
    again.button[0].click().run()
    assert any("no class with that code" in e.value for e in again.error)
