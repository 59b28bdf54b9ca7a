"""The workspace link in the app (issue 24): a run trained in one session comes back in a new one opened with
``?ws=TOKEN``, with its metrics, curves and model; deleting it deletes it from the store; a share link never
carries the token; an unusable store is said plainly and training still works."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import open_train_page

from rnn_lab.store import Store, default_store, reset_default_store
from rnn_lab.store.writer import writer

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def _train(at):
    at.button(key="btn_train_start").click().run()
    job = at.session_state["job_train"]
    job.join(timeout=180)
    assert job.state == "done", job.error
    at.run()
    assert not at.exception
    writer().wait()  # the run is written after its results are shown; the tests read the store as written


@pytest.fixture
def fresh_store(tmp_path, monkeypatch):
    monkeypatch.setenv("RNN_LAB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("RNN_LAB_DATABASE_URL", raising=False)
    reset_default_store()
    yield tmp_path
    reset_default_store()


def test_a_run_comes_back_from_the_workspace_link(fresh_store, keras):
    at = open_train_page(train_epochs=3, arch_units_1=4)
    token = at.session_state["_ws_token"]
    assert "ws" not in at.query_params  # the token leaves the address bar (issue 26): the browser's cookie keeps it
    _train(at)
    (run,) = at.session_state["runs"]
    assert run.id == 1 and run.name.startswith("#1 ") and run.store_id
    assert type(at.session_state["job_train"]).__name__ == "SavingTrainJob"  # saved by the job's own thread
    record = default_store().run_record(token, run.store_id)
    assert record["state"] == "done" and record["epochs_done"] == 3 and record["history"] == run.history
    assert record["name"] == run.name and record["settings"]["arch_units_1"] == "4"
    sidebar_code = [c.value for c in at.sidebar.code]
    assert any(f"ws={token}" in c for c in sidebar_code)  # "your work is saved under this link"
    assert sum(token in c for c in sidebar_code) == 1  # only the workspace box holds it
    share_links = [c for c in sidebar_code if "arch_units_1=4" in c]  # the experiment's share link ...
    assert share_links and all(token not in c for c in share_links)  # ... never carries the token

    again = open_train_page(ws=token)  # a new browser session opens the link
    assert again.session_state["_ws_token"] == token and "ws" not in again.query_params
    (back,) = again.session_state["runs"]
    assert back.store_id == run.store_id and back.id == 1
    assert back.history == run.history and back.metrics["model"]["rmse"] == pytest.approx(run.metrics["model"]["rmse"])
    tables = [df.value for df in again.dataframe]
    metrics = next(tb for tb in tables if len(tb) == 4 and tb.shape[1] == 3)
    assert float(metrics.iloc[1, 1]) == pytest.approx(run.metrics["model"]["rmse"], rel=1e-3)
    loss = next(json.loads(c.proto.spec) for c in again.get("plotly_chart") if "Loss per epoch" in c.proto.spec)
    assert loss["data"][0]["y"] == pytest.approx(run.history["loss"])

    again.switch_page("app_pages/inside.py").run()  # the Inside page opens the saved run on its own model
    assert not again.exception, again.exception
    assert again.session_state["inside_source"] == "run" and again.session_state["inside_run"] == back.name
    X = run.prepared.X_train
    np.testing.assert_allclose(np.asarray(back.model(X)), np.asarray(run.model(X)), atol=1e-6)
    again.switch_page("app_pages/train.py").run()
    _train(again)  # numbered per workspace: the second run is #2
    assert [r.id for r in again.session_state["runs"]] == [1, 2]
    again.button(key="btn_train_delete").click().run()  # deletes the shown (latest) run, from the store too
    assert not again.exception
    assert [r["number"] for r in default_store().list_runs(token)] == [1]

    stranger = open_train_page(ws="A" * 32)  # a forged token: an empty workspace, never someone else's
    assert stranger.session_state["runs"] == []
    assert stranger.session_state["_ws_token"] == "A" * 32


def test_an_unusable_store_is_said_plainly_and_training_still_works(tmp_path, monkeypatch, keras):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("RNN_LAB_DATA_DIR", str(blocker))
    monkeypatch.delenv("RNN_LAB_DATABASE_URL", raising=False)
    reset_default_store()
    try:
        at = open_train_page(lang="ko", train_epochs=2, arch_units_1=4)
        assert "_ws_token" not in at.session_state
        assert any("저장되지 않습니다" in w.value for w in at.warning)
        _train(at)
        assert len(at.session_state["runs"]) == 1
        link = open_train_page(ws="B" * 32)  # a workspace link opened while nothing can be saved ...
        assert dict(link.query_params).get("ws") == "B" * 32  # ... stays in the address bar, not lost
    finally:
        reset_default_store()
    assert Store  # the store module imported without a database


def test_same_start_one_change_forks_a_saved_run(fresh_store, keras):
    at = open_train_page(train_epochs=3, arch_units_1=4, train_seed=3)
    token = at.session_state["_ws_token"]
    _train(at)
    (parent,) = at.session_state["runs"]
    at.session_state["train_seed"] = 9  # the user wandered off ...
    at.session_state["arch_units_1"] = 6
    at.run()
    at.button(key="btn_train_fork").click().run()  # ... "same start, one change" brings the run's settings back
    assert not at.exception, at.exception
    assert at.session_state["train_seed"] == 3 and at.session_state["arch_units_1"] == 4
    at.session_state["train_lr"] = 0.05  # the one change
    at.run()
    _train(at)
    parent_back, fork = at.session_state["runs"]
    assert parent_back is parent and fork.id == 2 and fork.train.seed == 3 and fork.train.learning_rate == 0.05
    record = default_store().run_record(token, fork.store_id)
    assert record["parent_run_id"] == parent.store_id and record["parent_kind"] == "fork"
    assert at.session_state["btn_train_compare"] == [1, 2]  # both curves on one axis
    from rnn_lab.train.runs import build

    same = [
        np.array_equal(a, b) for a, b in zip(build(parent.arch, 3).get_weights(), build(fork.arch, 3).get_weights())
    ]
    assert all(same)  # the same initial weights: same model, same seed
    # epoch 1's loss is measured before the first update: the same start; then the learning rates part them
    assert fork.history["loss"][0] == pytest.approx(parent.history["loss"][0])
    assert fork.history["loss"][-1] != pytest.approx(parent.history["loss"][-1])


def test_train_more_epochs_continues_the_curve(fresh_store, keras):
    at = open_train_page(train_epochs=3, arch_units_1=4, train_lr=0.05)
    token = at.session_state["_ws_token"]
    _train(at)
    (first,) = at.session_state["runs"]
    at.number_input(key="btn_train_more_epochs").set_value(3).run()
    at.button(key="btn_train_resume").click().run()
    assert not at.exception, at.exception
    job = at.session_state["job_train"]
    job.join(timeout=180)
    assert job.state == "done", job.error
    at.run()
    assert not at.exception, at.exception
    _, more = at.session_state["runs"]
    assert more.id == 2 and more.epochs_run == 6
    record = default_store().run_record(token, more.store_id)
    assert record["parent_run_id"] == first.store_id and record["parent_kind"] == "resume"
    import dataclasses

    from rnn_lab.train.runs import execute

    straight = execute(first.prepared, first.arch, dataclasses.replace(first.train, epochs=6))
    np.testing.assert_allclose(more.history["loss"], straight.history["loss"], rtol=1e-5)  # Adam went on


def _interrupted_run(epochs_total: int, epochs_trained: int):
    """A run that saved its weights while training and whose server died: ``(token, run id, checkpoint epoch,
    values, prepared, arch, cfg)``."""
    import dataclasses

    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.settings import defaults
    from rnn_lab.store import progress as P
    from rnn_lab.store import records as R
    from rnn_lab.train.engine import TrainConfig
    from rnn_lab.train.runs import execute, training_arch

    values = {**defaults(), "arch_units_1": 4, "train_epochs": epochs_total, "train_lr": 0.05}
    prepared = R.prepare_from_values(values)
    arch, cfg = ArchConfig(units=(4,)), TrainConfig(epochs=epochs_total, learning_rate=0.05)
    store = default_store()
    token = store.open_workspace()
    trained = training_arch(arch, prepared)
    run_id, _ = R.queue_record(store, token, values, trained, cfg, None, "SimpleRNN(4) adam lr=0.05")
    saver = P.ProgressSaver(store, run_id, checkpoint_every=1e-9)  # weights at every epoch end it can get them
    execute(prepared, arch, dataclasses.replace(cfg, epochs=epochs_trained), progress=saver)
    store.fail_run(run_id, "killed", state="interrupted", epochs_done=saver.epoch)  # the server died here
    return token, run_id, saver.checkpoint_epoch, prepared, arch, cfg


@pytest.mark.slow  # two real trainings and three app sessions
def test_an_interrupted_run_resumes_from_its_checkpoint_in_the_app(fresh_store, keras):
    """The counting toy trains in one full batch, so the resumed run's curve equals a straight training of all
    its epochs only when the app starts from the weights and Adam's state of exactly epoch k."""
    from rnn_lab.train.runs import execute

    token, run_id, k, prepared, arch, cfg = _interrupted_run(6, 4)
    assert 1 <= k <= 4
    ko = open_train_page(ws=token, lang="ko")  # said in Korean too
    said = (
        f"실행 #1 SimpleRNN(4) adam lr=0.05은 에포크 6개 중 4번째에서 중단되었습니다. 가중치는 에포크 {k}까지 저장되어"
    )
    assert any(w.value.startswith(said) for w in ko.warning)
    assert ko.button(key="btn_train_resume_from_1").label == f"에포크 {k}부터 이어서 학습하기"

    at = open_train_page(ws=token)
    assert at.session_state["runs"] == []  # nothing finished to draw, but the interrupted run is offered
    said = f"#1 SimpleRNN(4) adam lr=0.05 was interrupted after epoch 4 of 6. Its weights were saved after epoch {k}."
    assert any(w.value == said for w in at.warning)
    at.button(key="btn_train_resume_from_1").click().run()
    assert not at.exception, at.exception
    job = at.session_state["job_train"]
    job.join(timeout=180)
    assert job.state == "done", job.error
    at.run()
    assert not at.exception, at.exception
    (resumed,) = at.session_state["runs"]
    assert resumed.id == 2 and resumed.name.startswith("#2 ") and resumed.name.endswith(f"+{6 - k}")
    assert len(resumed.history["loss"]) == 6  # the saved k epochs, then the 6 - k left
    straight = execute(prepared, arch, cfg)
    np.testing.assert_allclose(resumed.history["loss"], straight.history["loss"], rtol=1e-5)
    writer().wait()
    record = default_store().run_record(token, resumed.store_id)
    assert record["parent_run_id"] == run_id and record["parent_kind"] == "resume" and record["state"] == "done"
    assert record["history"] == resumed.history
    assert not any(b.key.startswith("btn_train_resume_from_") for b in at.button)  # resumed: offered no more
    again = open_train_page(
        ws=token
    )  # a new session: the resumed run is drawn, its interrupted parent no longer offered
    assert [r.store_id for r in again.session_state["runs"]] == [resumed.store_id]
    assert not any((b.key or "").startswith("btn_train_resume_from_") for b in again.button)


def test_deleting_the_workspace_from_the_sidebar_removes_its_runs(fresh_store, keras):
    at = open_train_page(train_epochs=2, arch_units_1=4)
    token = at.session_state["_ws_token"]
    _train(at)
    assert at.sidebar.button(key="btn_ws_delete").disabled  # only after saying yes
    at.sidebar.checkbox(key="btn_ws_delete_sure").check().run()
    at.sidebar.button(key="btn_ws_delete").click().run()
    assert not at.exception, at.exception
    assert at.session_state["runs"] == [] and at.session_state["_ws_token"] != token
    assert not default_store().workspace_exists(token) and default_store().list_runs(token) == []
    assert open_train_page(ws=token).session_state["runs"] == []  # the old link opens an empty workspace


def test_when_saving_stops_the_runs_stay_with_numbers_of_their_own(fresh_store, monkeypatch, keras):
    at = open_train_page(train_epochs=2, arch_units_1=4)
    _train(at)  # saved as #1
    monkeypatch.setenv("RNN_LAB_STORE_MAX_MB", "0.01")  # the "disk" is full from now on (a new connection reads it)
    reset_default_store()
    _train(at)
    writer().wait()  # the run is written after its results are shown; the page says how it went on its next draw
    at.run()
    assert not at.exception, at.exception
    first, second = at.session_state["runs"]
    assert first.store_id and getattr(second, "store_id", None) is None
    assert second.id != first.id and second.name.startswith(f"#{second.id} ")
    assert any("nothing is being saved" in w.value for w in at.warning)  # said plainly on the page


def test_the_sidebar_knows_when_a_run_of_part_of_the_page_left_it_behind(fresh_store):
    """The Train page's training area reruns alone (a fragment): ``sidebar_stale`` tells it that the sidebar's box
    (drawn by the router's last whole run) no longer shows the session's state, so it asks for a whole run."""
    from streamlit.testing.v1 import AppTest

    def script():
        import streamlit as st

        from ui import workspace

        if st.session_state.get("draw_sidebar", True):  # the router's whole run draws the sidebar; a fragment does not
            workspace.sidebar_ui()
        st.write(f"stale={workspace.sidebar_stale()}")

    at = AppTest.from_function(script, default_timeout=60)
    at.run()
    assert not at.exception and at.markdown[0].value == "stale=False"
    at.session_state["draw_sidebar"] = False
    at.run()
    assert at.markdown[0].value == "stale=False"  # nothing changed since the sidebar was drawn
    at.session_state["_ws_others"] = [{"id": 7, "number": 3, "name": "#3", "state": "interrupted", "epochs_done": 2}]
    at.run()
    assert at.markdown[0].value == "stale=True"  # a saved run the sidebar does not list yet
    at.session_state["draw_sidebar"] = True
    at.run()
    assert at.markdown[0].value == "stale=False"  # drawn again: current
