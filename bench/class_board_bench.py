"""The teacher's board refresh cost (issue 26): what the Class page's fragment does every 2 s with 30 students.

A fresh SQLite store (and PostgreSQL when ``RNN_LAB_BENCH_PG_URL`` is set) holds one class of 30 students with 4
runs each (3 finished with 50-epoch histories and metrics, 1 running: 120 runs). Measured:

- the library call the fragment makes (:func:`rnn_lab.store.board.class_board`: key check, members, every run's
  board columns, states, leaderboard) plus the table and the CSV it draws;
- the whole Class page rerun in Streamlit's AppTest (router + page + board), an upper bound of the fragment's
  rerun (a fragment reruns only the board).

Prints p50 / p95 in ms. The run records are written by the store's own functions with synthetic curves (the board
reads records, it never trains), so the numbers are the board's, not Keras's.
"""

from __future__ import annotations

import math
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STUDENTS = 30
RUNS_EACH = 4
EPOCHS = 50


def fill(store) -> tuple[str, str]:
    from rnn_lab.store.classes import create_class, join_class

    code, key = create_class(store, "Bench class")
    rng = random.Random(0)
    arch = {"cell": "LSTM", "units": [16], "timesteps": 5, "features": 1, "dense_units": 1}
    for i in range(STUDENTS):
        ws = join_class(store, code, f"student {i}", client=f"c{i}")["workspace"]
        for j in range(RUNS_EACH):
            run_id, _ = store.start_run(
                ws,
                name="#{number} LSTM(16)",
                task="forecast",
                settings={"arch_cell": "LSTM", "arch_units_1": "16"},
                arch=arch,
                train={"epochs": EPOCHS},
                data_identity="bundled:samsung",
                epochs_total=EPOCHS,
            )
            loss = [1.0 * math.exp(-k / 10) + rng.random() * 0.01 for k in range(EPOCHS)]
            if j == RUNS_EACH - 1:
                store.update_progress(run_id, 20, {"loss": loss[:20], "val_loss": loss[:20]})
                continue
            skill = rng.uniform(-0.5, 0.4)
            store.finish_run(
                run_id,
                state="done",
                epochs_done=EPOCHS,
                history={"loss": loss, "val_loss": loss},
                metrics={"split": "test", "skill": skill, "verdict": "beats" if skill > 0.02 else "loses"},
                details={},
                results=None,
                model=None,
            )
    return code, key


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def bench_library(store, code: str, key: str, n: int = 60) -> list[float]:
    from rnn_lab.store.board import board_csv, class_board

    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        board = class_board(store, code, key)
        board_csv(board["rows"])
        times.append((time.perf_counter() - t0) * 1000)
    assert len(board["rows"]) == STUDENTS
    return times


def bench_page(code: str, key: str, n: int = 30) -> list[float]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["class"] = code
    at.query_params["teacher"] = key
    at.run()
    at.switch_page("app_pages/class.py")
    at.run()
    assert not at.exception, at.exception
    assert any("student 29" in str(t.value) for t in list(at.dataframe) + list(at.table)), "the board is not drawn"
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - t0) * 1000)
    assert not at.exception
    return times


def main() -> None:
    from rnn_lab.store import Store, reset_default_store

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["RNN_LAB_DATA_DIR"] = tmp
        os.environ.pop("RNN_LAB_DATABASE_URL", None)
        reset_default_store()
        from rnn_lab.store import default_store

        store = default_store()
        t0 = time.perf_counter()
        code, key = fill(store)
        print(f"filled {STUDENTS} students x {RUNS_EACH} runs in {time.perf_counter() - t0:.1f} s (SQLite)")
        rows = [("SQLite: class_board + CSV (library)", bench_library(store, code, key))]
        rows.append(("SQLite: whole Class page rerun (AppTest)", bench_page(code, key)))
        pg = os.environ.get("RNN_LAB_BENCH_PG_URL")
        if pg:
            pg_store = Store(pg)
            pg_code, pg_key = fill(pg_store)
            rows.append(("PostgreSQL: class_board + CSV (library)", bench_library(pg_store, pg_code, pg_key)))
        reset_default_store()
    print(f"\n| What ({STUDENTS} students, {STUDENTS * RUNS_EACH} runs) | p50 | p95 | runs |")
    print("|---|---|---|---|")
    for name, times in rows:
        print(f"| {name} | {statistics.median(times):.1f} ms | {pct(times, 0.95):.1f} ms | {len(times)} |")


if __name__ == "__main__":
    main()
