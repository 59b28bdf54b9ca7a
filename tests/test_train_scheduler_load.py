"""Issue 12, the small load test: 5 students press Train within seconds on the live app (over Streamlit's own
websocket protocol, bench/classroom_load.py's Session) while one more works on the Architecture page. Only "every result arrived, no errors": no timing
assertions (the full 30-student measurement is bench/classroom_load.py, in `make bench`). Every result a student saw
is a saved run in the store, one workspace each (issue 24: "30 sessions saving at once: 0 errors, 0 runs missing")."""

from __future__ import annotations

import os
import sys
import time

from helpers import ROOT, start_streamlit, stop_streamlit


def test_five_students_train_at_once_and_all_get_their_result_and_all_are_saved(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    from concurrent.futures import ThreadPoolExecutor

    from classroom_load import run_classroom, saved_runs

    env = {k: v for k, v in os.environ.items() if k != "RNN_LAB_DATABASE_URL"}
    proc, url = start_streamlit({**env, "RNN_LAB_DATA_DIR": str(tmp_path)})  # a store of this class's own
    try:
        started = time.time()
        with ThreadPoolExecutor(1) as pool:  # its own asyncio loop, apart from the session's Playwright
            got = pool.submit(run_classroom, url, 5, 300).result()
        stored = saved_runs(f"sqlite:///{tmp_path / 'rnn_lab.sqlite3'}", started)
    finally:
        stop_streamlit(proc)
    problems = {r["student"]: r["errors"] for r in got["results"] if r["errors"] or r["seconds"] is None}
    assert problems == {}
    assert all(r["seconds"] is not None for r in got["results"]) and len(got["results"]) == 5
    assert got["bystander"]["errors"] == [] and got["bystander"]["times"]  # the other student's page kept working
    assert stored == {"saved": 5, "workspaces": 5, "states": {"done": 5}}  # no run missing, none left unfinished
