"""Issue 12, the small load test: 5 students press Train within seconds on the live app (over Streamlit's own
websocket protocol, bench/classroom_load.py's Session) while one more works on the Architecture page. Only "every result arrived, no errors": no timing
assertions (the full 30-student measurement is bench/classroom_load.py, in `make bench`)."""

from __future__ import annotations

import sys

from helpers import ROOT


def test_five_students_train_at_once_and_all_get_their_result(app_url):
    sys.path.insert(0, str(ROOT / "bench"))
    from concurrent.futures import ThreadPoolExecutor

    from classroom_load import run_classroom

    with ThreadPoolExecutor(1) as pool:  # its own asyncio loop, apart from the session's Playwright
        got = pool.submit(run_classroom, app_url, 5, 300).result()
    problems = {r["student"]: r["errors"] for r in got["results"] if r["errors"] or r["seconds"] is None}
    assert problems == {}
    assert all(r["seconds"] is not None for r in got["results"]) and len(got["results"]) == 5
    assert got["bystander"]["errors"] == [] and got["bystander"]["times"]  # the other student's page kept working
