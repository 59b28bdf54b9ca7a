"""The run store (issue 24) on SQLite and on a real PostgreSQL server started by the tests (tests/services.py).

Real Keras runs (the counting toy, SimpleRNN(4), 3 epochs), real databases, a real process killed with SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from rnn_lab.arch.config import ArchConfig
from rnn_lab.store import Store, StoreUnavailable, new_token, valid_token
from rnn_lab.store import progress as P
from rnn_lab.store import records as R
from rnn_lab.store.migrate import HEAD, current_revision, upgrade
from rnn_lab.store.pack import checkpoint_from_bytes, pack, unpack, weights_from_bytes
from rnn_lab.store.schema import blobs, runs, workspaces
from rnn_lab.store.store import now, owner_tag
from rnn_lab.train.runs import build

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'rnn_lab.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="module")
def trained(keras):
    """One real run and the settings it was trained with (the counting toy, as the Data page prepares it)."""
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.settings import defaults
    from rnn_lab.train.engine import TrainConfig
    from rnn_lab.train.runs import execute

    values = {**defaults(), "arch_units_1": 4, "train_epochs": 3}
    prepared = R.prepare_from_values(values)
    run = execute(prepared, ArchConfig(units=(4,)), TrainConfig(epochs=3, learning_rate=0.02))
    return run, values


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_pack_keeps_frames_series_arrays_and_plain_values():
    index = pd.date_range("2024-01-01", periods=4, freq="D")
    values = {
        "forecast": pd.Series([1.0, np.nan, 3.5, 4.0], index=index, name="forecast"),
        "frame": pd.DataFrame({"split": ["train", "test"], "p_0": [0.25, 0.75], 3: [1, 2]}),
        "array": np.arange(12, dtype=np.float32).reshape(3, 4),
        "reason": None,
        "numbers": {"rmse": float("nan"), "n": 3, "pair": (1, 2), "inner": {"arr": np.ones(2)}},
    }
    back = unpack(pack(values))
    pd.testing.assert_series_equal(back["forecast"], values["forecast"])
    pd.testing.assert_frame_equal(back["frame"], values["frame"])
    assert back["array"].dtype == np.float32 and np.array_equal(back["array"], values["array"])
    assert back["reason"] is None and np.isnan(back["numbers"]["rmse"]) and back["numbers"]["pair"] == (1, 2)
    assert np.array_equal(back["numbers"]["inner"]["arr"], np.ones(2))
    with pytest.raises(TypeError):
        pack({"bad": object()})


def test_a_saved_run_comes_back_whole(store_url, trained):
    run, values = trained
    store = Store(store_url)
    token = store.open_workspace()
    assert valid_token(token)
    run_id, number = R.save_finished(store, token, run, values)
    assert number == 1 and R.save_finished(store, token, run, values)[1] == 2  # numbered per workspace
    back = R.load_run(Store(store_url), token, run_id)  # a new Store: as after a restart
    assert back.id == 1 and back.name.startswith("#1 ") and back.store_id == run_id
    assert back.history == run.history and back.task == "forecast"
    assert back.metrics["model"]["rmse"] == pytest.approx(run.metrics["model"]["rmse"])
    assert back.summary() | {"id": 0, "name": ""} == run.summary() | {"id": 0, "name": ""}
    pd.testing.assert_frame_equal(back.predictions, run.predictions)
    assert np.array_equal(back.prepared.X_train, run.prepared.X_train)  # rebuilt from the settings
    X = run.prepared.X_train
    np.testing.assert_allclose(np.asarray(back.model(X)), np.asarray(run.model(X)), rtol=0, atol=1e-6)
    record = store.run_record(token, run_id)
    assert record["state"] == "done" and record["settings"]["arch_units_1"] == "4"
    assert record["data_identity"] == "toy:counting"


def test_a_forged_or_unknown_token_opens_an_empty_workspace(store_url, trained):
    run, values = trained
    store = Store(store_url)
    owner = store.open_workspace()
    run_id, _ = R.save_finished(store, owner, run, values)
    forged = new_token()
    assert store.open_workspace(forged) == forged  # well formed but unknown: a new, empty workspace
    assert store.list_runs(forged) == []
    assert store.run_record(forged, run_id) is None and R.load_run(store, forged, run_id) is None
    assert store.model_bytes(forged, run_id) is None
    assert not store.delete_run(forged, run_id) and store.run_record(owner, run_id) is not None
    for bad in ("", "../../etc", owner[:-1], owner + "x", "' OR 1=1 --"):
        fresh = store.open_workspace(bad)
        assert fresh != bad and fresh != owner and valid_token(fresh) and store.list_runs(fresh) == []
    assert store.list_runs("' OR 1=1 --") == []


def test_a_new_token_never_starts_with_a_dash_and_an_old_one_works_on_the_command_line(tmp_path, monkeypatch):
    """One token_urlsafe in 64 starts with "-", which the command line read as an option ("--workspace: expected
    one argument"): new tokens never do, and one issued before is written --workspace=TOKEN."""
    assert not any(new_token().startswith("-") for _ in range(3000))  # ~47 of 3000 would, by chance alone
    monkeypatch.setenv("RNN_LAB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("RNN_LAB_DATABASE_URL", raising=False)
    from rnn_lab.store.store import default_store, reset_default_store

    reset_default_store()
    old = "-" + new_token()[1:]
    assert valid_token(old) and default_store().open_workspace(old) == old
    code, out, _ = _cli("runs", "list", f"--workspace={old}", "--json")
    assert code == 0 and json.loads(out)["runs"] == []
    reset_default_store()


def _count(store, table, **where) -> int:
    with store.engine.connect() as conn:
        query = sa.select(sa.func.count()).select_from(table)
        for key, value in where.items():
            query = query.where(table.c[key] == value)
        return conn.execute(query).scalar_one()


def test_deleting_a_workspace_removes_every_row_and_byte_it_alone_uses(store_url, trained):
    run, values = trained
    store = Store(store_url)
    a, b = store.open_workspace(), store.open_workspace()
    secret = b"date,value\n2024-01-01,1\n" + b"UNIQUE-TO-A-" * 50
    shared = b"date,value\n2024-01-01,2\n" + b"SHARED-A-B-" * 50
    upload = {**values, "data_source_kind": "upload", "data_upload_name": "x.csv"}
    for token, data in ((a, secret), (a, shared), (b, shared)):
        R.start_record(store, token, upload, run.arch, run.train, data, "#{number} PRIVATE-NAME-OF-A", 3)
    a_id = store.list_runs(a)[0]["id"]
    assert store.list_runs(a)[0]["data_identity"].startswith("upload:") and _count(store, blobs) == 2
    assert store.delete_workspace(a)
    assert not store.workspace_exists(a) and store.list_runs(a) == [] and store.run_record(a, a_id) is None
    assert _count(store, runs) == 1 and _count(store, blobs) == 1 and _count(store, workspaces) == 1
    assert store.blob(R.data_identity(upload, shared).split(":")[1]) == shared  # B still uses it
    if store.is_sqlite:  # secure_delete + a checkpoint: the bytes are gone from the file and its log
        path = store.engine.url.database
        raw = b"".join(open(p, "rb").read() for p in (path, path + "-wal") if os.path.exists(p))
        assert b"UNIQUE-TO-A-" not in raw and a.encode() not in raw
    assert store.delete_workspace(b) and not store.delete_workspace(b)
    assert _count(store, runs) == 0 and _count(store, blobs) == 0 and _count(store, workspaces) == 0


def test_runs_left_running_by_a_dead_process_are_interrupted_on_open(store_url, trained):
    run, values = trained
    store = Store(store_url)
    token = store.open_workspace()

    def started(owner: str, minutes_ago: float = 0) -> str:
        run_id, _ = R.start_record(store, token, values, run.arch, run.train, None, "#{number} x", 50)
        store.update_progress(run_id, 7, {"loss": [float(i) for i in range(7)]})
        with store.engine.begin() as conn:
            conn.execute(
                sa.update(runs)
                .where(runs.c.id == run_id)
                .values(owner=owner, updated_at=now() - timedelta(minutes=minutes_ago))
            )
        return run_id

    host = socket.gethostname()
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        dead = started(f"{host}:{_dead_pid()}")
        alive = started(f"{host}:{sleeper.pid}")
        far_old = started("elsewhere:12", minutes_ago=60)
        far_recent = started("elsewhere:13")
        earlier_me = started(f"{host}:{os.getpid()}:0123456789ab")  # this pid, an earlier incarnation (restart)
        me_now = started(owner_tag())
        Store(store_url)  # opened again (a restarted server): it checks the runs left running
    finally:
        sleeper.kill()
        sleeper.wait()
    states = {r["id"]: r for r in store.list_runs(token)}
    assert states[dead]["state"] == "interrupted" and states[dead]["epochs_done"] == 7
    assert states[far_old]["state"] == "interrupted"
    assert states[far_recent]["state"] == "running"
    assert states[earlier_me]["state"] == "interrupted" and states[me_now]["state"] == "running"
    assert store.run_record(token, dead)["history"]["loss"] == [float(i) for i in range(7)]
    assert alive in states  # its process was alive when the store opened
    assert states[alive]["state"] == "running"


def test_retention_removes_untouched_workspaces(store_url, monkeypatch):
    store = Store(store_url)
    old, recent = store.open_workspace(), store.open_workspace()
    with store.engine.begin() as conn:
        conn.execute(
            sa.update(workspaces).where(workspaces.c.token == old).values(touched_at=now() - timedelta(days=30))
        )
    monkeypatch.setenv("RNN_LAB_RETENTION_DAYS", "7")
    reopened = Store(store_url)
    assert not reopened.workspace_exists(old) and reopened.workspace_exists(recent)


def test_thirty_sessions_save_at_once(store_url, trained):
    run, values = trained
    store = Store(store_url)
    model, results = R.model_to_bytes(run.model), R.run_results(run)
    errors, saved = [], {}
    barrier = threading.Barrier(30)

    def session(i: int) -> None:
        try:
            token = store.open_workspace()
            barrier.wait(30)
            run_id, number = R.start_record(store, token, values, run.arch, run.train, None, "#{number} s", 3)
            store.update_progress(run_id, 1, {"loss": [1.0]})
            store.finish_run(
                run_id,
                state="done",
                epochs_done=3,
                history=run.history,
                metrics=run.metrics,
                details=R.run_details(run),
                results=results,
                model=model,
            )
            saved[token] = (run_id, number)
        except Exception as err:  # noqa: BLE001 - counted below
            errors.append(repr(err))

    threads = [threading.Thread(target=session, args=(i,)) for i in range(30)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert errors == [] and len(saved) == 30
    for token, (run_id, number) in saved.items():
        (only,) = store.list_runs(token)
        assert only["id"] == run_id and number == 1 and only["state"] == "done"
    assert _count(store, runs) == 30


def test_a_store_of_the_previous_schema_opens_and_upgrades(store_url):
    old = Store(store_url, migrate=False, housekeeping=False)
    upgrade(old.engine, "0001")
    assert current_revision(old.engine) == "0001"
    token, stamp = new_token(), now()
    with old.engine.begin() as conn:
        wid = conn.execute(
            sa.text(
                "INSERT INTO workspaces (token, created_at, touched_at, next_number) VALUES (:t, :s, :s, 2)"
                " RETURNING id"
            ),
            {"t": token, "s": stamp},
        ).scalar_one()
        conn.execute(
            sa.text(
                "INSERT INTO runs (id, workspace_id, number, name, task, settings, arch, train, data_identity, state,"
                " epochs_done, epochs_total, history, metrics, app_version, created_at, updated_at)"
                " VALUES ('r1', :w, 1, '#1 old', 'forecast', '{}', '{}', '{}', 'toy:counting', 'done', 3, 3,"
                " :h, '{\"split\": \"train\"}', '0.0.9', :s, :s)"
            ),
            {"w": wid, "h": json.dumps({"loss": [3.0, 2.0, 1.0]}), "s": stamp},
        )
        with pytest.raises(sa.exc.DBAPIError):  # revision 1 has no parent column
            with conn.begin_nested():
                conn.execute(sa.text("SELECT parent_run_id FROM runs"))
    old.close()
    store = Store(store_url)  # the app opens it: upgraded to the head, the data intact
    assert current_revision(store.engine) == HEAD
    record = store.run_record(token, "r1")
    assert record["history"] == {"loss": [3.0, 2.0, 1.0]} and record["metrics"] == {"split": "train"}
    assert record["parent_run_id"] is None and record["app_version"] == "0.0.9"
    assert record["checkpoint_epoch"] is None  # revision 0004's column, empty on an old run
    assert (
        store.start_run(
            token,
            name="#{number} new",
            task="forecast",
            settings={},
            arch={},
            train={},
            data_identity="toy:counting",
            parent_run_id="r1",
            parent_kind="fork",
        )[1]
        == 2
    )


def test_an_unusable_data_directory_is_said_plainly(tmp_path, monkeypatch):
    in_the_way = tmp_path / "not-a-dir"
    in_the_way.write_text("a file where the data directory should be")
    monkeypatch.setenv("RNN_LAB_DATA_DIR", str(in_the_way))
    monkeypatch.delenv("RNN_LAB_DATABASE_URL", raising=False)
    with pytest.raises(StoreUnavailable) as info:
        Store()
    assert info.value.message_key == "cannot_open" and "nothing is being saved" in str(info.value)
    assert "저장되지 않습니다" in info.value.text("ko")


def test_a_full_disk_stops_saving_and_damages_nothing(tmp_path, monkeypatch, trained):
    run, values = trained
    monkeypatch.setenv("RNN_LAB_STORE_MAX_MB", "0.4")  # the file may not grow beyond 0.4 MB: the "disk" is full
    url = f"sqlite:///{tmp_path / 'rnn_lab.sqlite3'}"
    store = Store(url)
    token = store.open_workspace()
    run_id, _ = R.save_finished(store, token, run, values)
    upload = {**values, "data_source_kind": "upload", "data_upload_name": "big.csv"}
    with pytest.raises(StoreUnavailable) as info:
        R.start_record(store, token, upload, run.arch, run.train, os.urandom(2_000_000), "#{number} big", 3)
    assert info.value.message_key == "full"
    (only,) = Store(url).list_runs(token)  # the earlier run is intact, the failed one left nothing behind
    assert only["id"] == run_id and only["state"] == "done"
    assert R.load_run(store, token, run_id).metrics == R.load_run(Store(url), token, run_id).metrics


def _cli(*args, env=None):
    from contextlib import redirect_stderr, redirect_stdout
    from io import StringIO

    from rnn_lab.cli import main

    out, err = StringIO(), StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_command_line_saves_lists_shows_opens_and_deletes_runs(tmp_path, monkeypatch, keras):
    monkeypatch.setenv("RNN_LAB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("RNN_LAB_DATABASE_URL", raising=False)
    csv = os.path.join(ROOT, "tests", "fixtures", "nasdaq_aapl_dollar.csv")
    # each step's exit code and stderr are checked before its output is read: a failure says which step and why
    # (this test failed once under load in an earlier session, with no cause found; see the commit that added this)
    code, out, err = _cli(
        "train", "--data", csv, "--units", "4", "--epochs", "2", "--window", "5", "--save-run", "--json"
    )
    assert code == 0, err
    first = json.loads(out)
    assert first["run_id"] and valid_token(first["workspace"]) and "store_error" not in first, (first, err)
    token = first["workspace"]
    code, out, err = _cli(
        "train", "--data", "toy:counting", "--units", "4", "--epochs", "3", "--save-run", "--workspace", token, "--json"
    )
    assert code == 0, err
    second = json.loads(out)
    assert second["workspace"] == token and second["run_id"] and "store_error" not in second, (second, err)
    code, out, err = _cli("runs", "list", "--workspace", token, "--json")
    assert code == 0, err
    listed = json.loads(out)["runs"]
    assert [r["id"] for r in listed] == [first["run_id"], second["run_id"]] and [r["number"] for r in listed] == [1, 2]
    assert [r["state"] for r in listed] == ["done", "done"], listed
    code, out, err = _cli("runs", "show", first["run_id"], "--workspace", token, "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["state"] == "done" and shown["history"]["loss"] == pytest.approx(first["history"]["loss"])
    assert shown["metrics"]["model"]["rmse"] == pytest.approx(first["metrics"]["model"]["rmse"])
    assert shown["settings"]["data_source_kind"] == "upload" and shown["data_identity"].startswith("upload:")
    # the upload's dataset is rebuilt from the stored settings + bytes exactly as the command prepared it
    from rnn_lab.store.store import default_store
    from rnn_lab.train.cli import load_prepared

    stored = R.load_run(default_store(), token, first["run_id"])
    args = type(
        "A",
        (),
        {
            "data": csv,
            "target": None,
            "features": None,
            "window": 5,
            "horizon": 1,
            "val": None,
            "test": None,
            "scaling": None,
        },
    )()
    np.testing.assert_array_equal(stored.prepared.X_test, load_prepared(args).X_test)
    code, out, err = _cli("runs", "show", first["run_id"], "--workspace", new_token(), "--json")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    code, out, err = _cli("inside", "--run-id", second["run_id"], "--workspace", token, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert code == 0 and report["model"]["source"] == "run" and report["max_abs_diff"] < 1e-4
    code, out, _ = _cli("runs", "delete", first["run_id"], "--workspace", token)
    assert code == 0
    assert [r["id"] for r in json.loads(_cli("runs", "list", "--workspace", token, "--json")[1])["runs"]] == [
        second["run_id"]
    ]


def test_a_training_killed_with_sigkill_is_interrupted_after_its_last_saved_epoch(store_url, tmp_path, trained):
    run, values = trained
    url = store_url
    store = Store(url)
    token = store.open_workspace()
    earlier, _ = R.save_finished(store, token, run, values)
    env = {
        **os.environ,
        "RNN_LAB_DATA_DIR": str(tmp_path),
        "RNN_LAB_SAVE_EVERY": "0.3",
        "RNN_LAB_CHECKPOINT_EVERY": "0.5",
        "PYTHONPATH": ROOT,
    }
    env.pop("RNN_LAB_DATABASE_URL", None)
    if not url.startswith("sqlite"):
        env["RNN_LAB_DATABASE_URL"] = url
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rnn_lab",
            "train",
            "--data",
            "toy:counting",
            "--units",
            "4",
            "--epochs",
            "100000",
            "--save-run",
            "--workspace",
            token,
            "--json",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "train.err").open("wb"),
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            live = [r for r in store.list_runs(token) if r["id"] != earlier]
            if live and live[0]["epochs_done"] >= 20 and live[0]["checkpoint_epoch"]:  # weights saved too
                break
            assert proc.poll() is None, (tmp_path / "train.err").read_text()[-3000:]
            time.sleep(0.2)
        else:
            pytest.fail("no progress was saved: " + (tmp_path / "train.err").read_text()[-3000:])
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reopened = Store(url)  # as a restarted server: the dead process's run is interrupted
    runs_after = {r["id"]: r for r in reopened.list_runs(token)}
    (killed,) = [r for r in runs_after.values() if r["id"] != earlier]
    assert killed["state"] == "interrupted" and 20 <= killed["epochs_done"] < 100000
    record = reopened.run_record(token, killed["id"], blobs_too=True)
    assert len(record["history"]["loss"]) == killed["epochs_done"]
    assert record["initial_weights"]  # the start it had, for "same start, one change"
    # the last saved weights: after epoch k (Adam counted k full-batch steps), loading into the run's model
    k = killed["checkpoint_epoch"]
    assert record["checkpoint"] and 1 <= k <= killed["epochs_done"]
    weights, optimizer = checkpoint_from_bytes(record["checkpoint"])
    assert int(optimizer[0]) == k
    model = build(ArchConfig(**record["arch"]), record["train"]["seed"])
    model.set_weights(weights)
    initial = weights_from_bytes(record["initial_weights"])
    assert any(not np.allclose(a, b) for a, b in zip(model.get_weights(), initial, strict=True))
    assert runs_after[earlier]["state"] == "done"
    assert R.load_run(reopened, token, earlier).history == run.history


def test_a_runs_results_come_back_and_what_cannot_be_kept_is_left_out(tmp_path, trained):
    import copy

    run, values = trained
    run = copy.copy(run)
    forecast = pd.Series([1.5, 1.6], index=pd.RangeIndex(15, 17), name="forecast")
    run.results = {"forecast": forecast, "forecast_reason": None, "scores": np.arange(3.0), "odd": object()}
    store = Store(f"sqlite:///{tmp_path / 'rnn_lab.sqlite3'}")
    token = store.open_workspace()
    run_id, _ = R.save_finished(store, token, run, values)
    back = R.load_run(store, token, run_id)
    assert set(back.results) == {"forecast", "forecast_reason", "scores"}
    pd.testing.assert_series_equal(back.results["forecast"], forecast)
    assert back.results["forecast_reason"] is None and np.array_equal(back.results["scores"], np.arange(3.0))


def test_train_n_more_epochs_continues_adam_where_it_stopped(tmp_path, monkeypatch, keras):
    """The counting toy trains in one full batch, so 3 epochs + 3 resumed equal 6 straight epochs exactly when the
    optimizer's state (Adam's step count and moments) is saved and restored; a fresh Adam would differ."""
    monkeypatch.setenv("RNN_LAB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("RNN_LAB_DATABASE_URL", raising=False)
    common = ("--data", "toy:counting", "--units", "4", "--lr", "0.05")
    straight = json.loads(_cli("train", *common, "--epochs", "6", "--json")[1])
    first = json.loads(_cli("train", *common, "--epochs", "3", "--save-run", "--json")[1])
    code, out, err = _cli(
        "runs", "resume", first["run_id"], "--workspace", first["workspace"], "--epochs", "3", "--json"
    )
    assert code == 0, err
    resumed = json.loads(out)
    assert resumed["parent"] == first["run_id"] and resumed["number"] == 2 and resumed["epochs"] == 6
    np.testing.assert_allclose(resumed["history"]["loss"], straight["history"]["loss"], rtol=1e-5)
    assert resumed["metrics"]["model"]["rmse"] == pytest.approx(straight["metrics"]["model"]["rmse"], rel=1e-4)
    from rnn_lab.store.store import default_store

    record = default_store().run_record(first["workspace"], resumed["run_id"], blobs_too=True)
    assert record["parent_run_id"] == first["run_id"] and record["parent_kind"] == "resume"
    assert record["optimizer_state"]
    # without the optimizer's state (a fresh Adam from the same weights) the curve would not continue the same way
    from rnn_lab.train.runs import execute

    parent = R.load_run(default_store(), first["workspace"], first["run_id"])
    import dataclasses

    fresh = execute(parent.prepared, parent.arch, dataclasses.replace(parent.train, epochs=3), start=parent.model)
    assert not np.allclose(parent.history["loss"] + fresh.history["loss"], straight["history"]["loss"], rtol=1e-5)


def test_an_interrupted_run_resumes_from_its_last_saved_weights(tmp_path, monkeypatch, keras):
    """A training whose process died after saving weights at epoch k: ``runs show`` says k, and ``runs resume``
    continues from there; the counting toy trains in one full batch, so k + 3 resumed epochs equal k + 3 straight
    ones only when the checkpoint holds the weights and Adam's state of exactly epoch k."""
    import dataclasses

    from rnn_lab.settings import defaults
    from rnn_lab.train.engine import TrainConfig
    from rnn_lab.train.runs import execute, training_arch

    monkeypatch.setenv("RNN_LAB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("RNN_LAB_DATABASE_URL", raising=False)
    values = {**defaults(), "arch_units_1": 4, "train_epochs": 6}
    prepared = R.prepare_from_values(values)
    arch, cfg = ArchConfig(units=(4,)), TrainConfig(epochs=6, learning_rate=0.05)
    store = Store()
    token = store.open_workspace()
    trained = training_arch(arch, prepared)
    run_id, _ = R.start_record(store, token, R.values_for(values, trained, cfg), trained, cfg, None, "#{number} x", 6)
    saver = P.ProgressSaver(store, run_id, checkpoint_every=1e-9)  # weights at every epoch end it can get them
    execute(prepared, arch, cfg, progress=saver)
    store.fail_run(run_id, "killed", state="interrupted", epochs_done=saver.epoch)  # died before finishing
    code, out, _ = _cli("runs", "show", run_id, "--workspace", token, "--json")
    k = json.loads(out)["checkpoint_epoch"]
    assert code == 0 and 1 <= k <= 6 and k == saver.checkpoint_epoch
    code, out, err = _cli("runs", "resume", run_id, "--workspace", token, "--epochs", "3", "--json")
    assert code == 0, err
    resumed = json.loads(out)
    straight = execute(prepared, arch, dataclasses.replace(cfg, epochs=k + 3))
    assert len(resumed["history"]["loss"]) == k + 3
    np.testing.assert_allclose(resumed["history"]["loss"], straight.history["loss"], rtol=1e-5)


def test_writes_still_queued_when_the_process_exits_are_written_first(tmp_path):
    """A run's record is written by the store writer after the job reports it done; a clean exit (the end of the
    script here, a server stopped with Ctrl+C or SIGTERM) waits for the queue, so nothing queued is lost."""
    url = f"sqlite:///{tmp_path / 'rnn_lab.sqlite3'}"
    script = f"""
import time
from rnn_lab.store import Store
from rnn_lab.store.writer import writer
store = Store({url!r})
token = store.open_workspace()
ids = [store.start_run(token, name="#{{number}} w", task="forecast", settings={{}}, arch={{}}, train={{}},
                       data_identity="toy:counting")[0] for _ in range(3)]
def slow(run_id, i):
    time.sleep(0.3)
    store.update_progress(run_id, i + 1, {{"loss": [1.0] * (i + 1)}})
    store.fail_run(run_id, "written by the writer", state="stopped")
for i, run_id in enumerate(ids):
    writer().submit(slow, run_id, i, key=run_id)
print(token, *ids)
"""
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    ).stdout.split()
    token, ids = out[0], out[1:]
    store = Store(url)
    for i, run_id in enumerate(ids):
        rec = store.run_record(token, run_id)
        assert rec["state"] == "stopped" and rec["epochs_done"] == i + 1 and rec["history"]["loss"] == [1.0] * (i + 1)


def test_the_writer_keeps_each_runs_order_and_a_delayed_write_holds_back_no_other_run():
    from rnn_lab.store.writer import Writer

    writer, done = Writer(), []
    writer.submit(done.append, "a1", key="a", delay=0.4)  # a finished run's write waits while the page draws
    writer.submit(done.append, "a2", key="a")  # ... and the run's later writes wait behind it
    writer.submit(done.append, "b1", key="b")
    writer.submit(lambda: 1 / 0, key="c", on_error=lambda err: done.append(type(err).__name__))
    writer.submit(done.append, "b2", key="b")
    assert writer.wait("b", timeout=30) and done == ["b1", "ZeroDivisionError", "b2"]  # not behind a's delay
    assert writer.pending("a") == 2
    assert writer.wait(timeout=30) and done[3:] == ["a1", "a2"] and writer.pending() == 0


def test_expedite_starts_the_writes_a_run_queued_so_far_without_their_delay_and_no_later_one():
    """A training that ends before its queued record is written (the counting toy) waits for that record's number:
    the writer starts it at once instead of after its delay (issue 22); a write queued afterwards keeps its delay."""
    import time

    from rnn_lab.store.writer import Writer

    writer, done = Writer(), []
    writer.submit(done.append, "a1", key="a", delay=60)
    writer.submit(done.append, "b1", key="b", delay=60)
    writer.expedite("a")
    assert writer.wait("a", timeout=10) and done == ["a1"]  # not 60 s later
    writer.submit(done.append, "a2", key="a", delay=60)
    time.sleep(0.3)
    assert done == ["a1"] and writer.pending("a") == 1 and writer.pending("b") == 1  # both keep their delay
    writer.expedite("nothing queued")  # a run with no write waiting: nothing happens
    writer.hurry.set()
    writer.submit(lambda: None)
    assert writer.wait(timeout=10) and sorted(done) == ["a1", "a2", "b1"]
