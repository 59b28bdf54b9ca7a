"""Browser (issue 24): the Streamlit server killed with SIGKILL in the middle of a training, then restarted on the
same store (SQLite file, or a real PostgreSQL server the tests start): the workspace (the browser's cookie) shows
the run as interrupted with the epochs it finished, the earlier run intact, and "resume from epoch k" goes on from
the saved weights."""

from __future__ import annotations

import os
import re
import time

import pytest
from helpers import ARTIFACTS, settle, start_streamlit, stop_streamlit, wait_for_app

from rnn_lab.store import Store

# A short finished run, then a long one (a noisy sine of 2,000 points in batches of 32: 2,000 epochs of 63 steps, far
# longer than the test waits) that saves its progress and weights every 0.3 s.
FIRST = "arch_units_1=4&train_epochs=3&train_lr=0.05"
LONG = "data_toy=noisy_sine&data_toy_length=2000&arch_units_1=4&train_epochs=2000&train_batch_size=32&train_lr=0.001"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_env(request, tmp_path):
    """The server's environment and the store's URL: a SQLite file in a fresh data directory, or a fresh
    PostgreSQL database."""
    env = {**os.environ, "RNN_LAB_CHECKPOINT_EVERY": "0.3", "RNN_LAB_SAVE_EVERY": "0.3"}
    env.pop("RNN_LAB_DATABASE_URL", None)
    env["RNN_LAB_DATA_DIR"] = str(tmp_path)
    if request.param == "sqlite":
        return env, f"sqlite:///{tmp_path / 'rnn_lab.sqlite3'}", request.param
    url = request.getfixturevalue("postgres_url")
    env["RNN_LAB_DATABASE_URL"] = url
    return env, url, request.param


def _wait(predicate, timeout: float, what: str, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = predicate()
        if got:
            return got
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the server stopped while waiting for {what}")
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


@pytest.mark.slow  # about 30-75 s per database (two server starts, three trainings)
def test_a_server_killed_mid_training_comes_back_with_the_run_interrupted_and_resumable(browser, store_env):
    env, url, kind = store_env
    proc, app = start_streamlit(env)
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="en-US")
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    store = Store(url, housekeeping=False)  # the test only reads; marking runs interrupted is the server's job
    try:
        tab.goto(f"{app}/train?{FIRST}")
        wait_for_app(tab)
        tab.get_by_role("button", name="Train", exact=True).click()
        tab.get_by_text("Finished 3 epochs").wait_for(timeout=120_000)
        (cookie,) = [c for c in context.cookies() if c["name"] == "rnn_lab_ws"]
        token = cookie["value"]
        (first,) = _wait(lambda: [r for r in store.list_runs(token) if r["state"] == "done"], 30, "run #1 saved")

        tab.goto(f"{app}/train?{LONG}")  # a new session of the same browser: the cookie keeps the workspace
        wait_for_app(tab)
        tab.get_by_role("button", name="Train", exact=True).click()
        live = _wait(
            lambda: [r for r in store.list_runs(token) if r["number"] == 2 and (r["checkpoint_epoch"] or 0) >= 2],
            120,
            "the long run's first checkpoint",
            proc,
        )[0]
        tab.screenshot(path=str(ARTIFACTS / f"store_kill_{kind}_1_training.png"))
        proc.kill()  # SIGKILL: no shutdown, no flush
        proc.wait(30)
        killed = store.run_record(token, live["id"], blobs_too=True)
        assert killed["state"] == "running" and killed["checkpoint"]  # as the dead server left it
        k, done = killed["checkpoint_epoch"], killed["epochs_done"]
        assert 2 <= k <= done < 2000

        proc, app = start_streamlit(env, port=int(app.rsplit(":", 1)[1]))  # the same address: the cookie applies
        tab.goto(f"{app}/train")
        wait_for_app(tab)
        said = f"{killed['name']} was interrupted after epoch {done} of 2000."
        tab.get_by_text(f"{said} Its weights were saved after epoch {k}.").wait_for()
        wait_for_app(tab)
        tab.set_viewport_size({"width": 1280, "height": 3000})  # the app scrolls inside: show the page whole
        settle(tab)
        tab.screenshot(path=str(ARTIFACTS / f"store_kill_{kind}_2_restarted.png"))
        assert store.run_record(token, live["id"])["state"] == "interrupted"  # marked by the restarted server
        # the earlier run is intact: shown with its results, and whole in the store
        assert tab.get_by_text("Finished 3 epochs").count() == 1
        assert tab.get_by_text(f"Results: {first['name']}").count() == 1  # the run shown, with its results
        before = store.run_record(token, first["id"])
        assert before["state"] == "done" and len(before["history"]["loss"]) == 3 and before["epochs_done"] == 3

        tab.get_by_role("button", name=f"Resume from epoch {k}").click()
        tab.get_by_role("button", name="Stop").wait_for()
        resumed = _wait(
            lambda: [r for r in store.list_runs(token) if r["parent_run_id"] == live["id"] and r["epochs_done"] >= 3],
            120,
            "the resumed run's progress",
            proc,
        )[0]
        tab.get_by_role("button", name="Stop").click()  # kept as a stopped run (the rest would take a while)
        try:
            tab.get_by_text(re.compile(r"Stopped by you after \d+ epochs")).wait_for(timeout=120_000)
        finally:
            tab.screenshot(path=str(ARTIFACTS / f"store_kill_{kind}_3_resumed.png"))
        stop_streamlit(proc)  # SIGTERM at once: the run's write, queued 0.3 s after its results, is done at exit
        record = store.run_record(token, resumed["id"])
        assert record["state"] == "stopped" and record["number"] == 3 and record["parent_kind"] == "resume"
        loss = record["history"]["loss"]
        assert len(loss) > k and loss[:k] == killed["history"]["loss"][:k]  # the curve continues the saved one
        proc, app = start_streamlit(env, port=int(app.rsplit(":", 1)[1]))
        tab.goto(f"{app}/train")
        wait_for_app(tab)
        tab.get_by_text(f"Results: {record['name']}").wait_for()  # the resumed run, back after a clean restart
        assert tab.get_by_role("button", name=f"Resume from epoch {k}").count() == 0  # resumed: offered no more
        assert tab.get_by_text("Traceback").count() == 0
        settle(tab)
        tab.screenshot(path=str(ARTIFACTS / f"store_kill_{kind}_4_stopped.png"))
    finally:
        context.close()
        if proc.poll() is None:
            stop_streamlit(proc)
