"""The run store's cost (issue 24): what saving adds to a training, the size of a saved run, and reopening a
workspace of 20 runs.

Workloads: S1 the counting toy (SimpleRNN(10), 50 epochs, the tutorial), S2 the digits LSTM(32) on 2,000 training
images read row by row (2 epochs). For each, after one warm-up training (compiled engine), REPEAT trainings
alternate without and with saving (the app's way: a record when queued, progress every 2 s, the finished run with
its model, predictions and metrics written by the training's thread), and with saving but no checkpoints (the
weights and optimizer state a running run saves at its first epoch end and then every 5 s,
``RNN_LAB_CHECKPOINT_EVERY``); the medians of the wall times are compared, and one checkpoint's cost (reading the
weights at an epoch end, the npz, the database write: the progress call that saved it) and size are given.
Then a workspace of 20 saved counting runs is reopened as a new browser session does: ``load_runs`` (records,
metrics, histories), every run's summary (the runs table) and the latest run's predictions and model (what the
Train page draws for the selected run).

Run: ``.venv/bin/python bench/store_bench.py`` (SQLite in a temporary directory; prints Markdown for
docs/benchmarks.md). ``RNN_LAB_DATABASE_URL=postgresql+psycopg://...`` measures a PostgreSQL server instead.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("RNN_LAB_DATA_DIR", tempfile.mkdtemp(prefix="rnnlab-store-bench-"))

REPEAT = 3


def workloads():
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.settings import defaults
    from rnn_lab.train.engine import TrainConfig

    counting = {**defaults()}
    digits = {
        **defaults(),
        "task": "classify",
        "data_source_kind": "digits",
        "data_digits_limit": 2000,
        "data_val_frac": 0.1,
        "arch_cell": "LSTM",
        "arch_units_1": 32,
        "arch_dense_units": 10,
        "train_loss": "sparse_categorical_crossentropy",
        "train_epochs": 2,
    }
    return {
        "S1 counting toy, SimpleRNN(10), 50 epochs": (
            counting,
            ArchConfig(units=(10,)),
            TrainConfig(learning_rate=0.02),
        ),
        "S2 digits, LSTM(32), 2,000 images, 2 epochs": (
            digits,
            ArchConfig(cell="LSTM", units=(32,)),
            TrainConfig(loss="sparse_categorical_crossentropy", epochs=2, learning_rate=0.001),
        ),
    }


class TimedSaver:
    """``ProgressSaver`` that times the progress calls that saved a checkpoint."""

    def __init__(self, store, run_id, checkpoint_every=None):
        from rnn_lab.store import records as R

        self.saver = R.ProgressSaver(store, run_id, checkpoint_every=checkpoint_every)
        self.checkpoint_seconds: list[float] = []

    def __call__(self, epoch, logs, elapsed, eta):
        before = self.saver.checkpoint_epoch
        start = time.perf_counter()
        self.saver(epoch, logs, elapsed, eta)
        if self.saver.checkpoint_epoch != before:
            self.checkpoint_seconds.append(time.perf_counter() - start)


CHECKPOINT_TIMES: list[float] = []
CHECKPOINT_SIZES: list[int] = []


def train(store, token, values, arch, cfg, prepared, save: bool, checkpoint_every=None):
    from rnn_lab.store import records as R
    from rnn_lab.train.runs import execute, training_arch

    start = time.perf_counter()
    if not save:
        run = execute(prepared, arch, cfg)
        return time.perf_counter() - start, None
    trained = training_arch(arch, prepared)
    run_id, _ = R.start_record(
        store, token, R.values_for(values, trained, cfg), trained, cfg, None, "#{number} b", cfg.epochs, state="queued"
    )
    saver = TimedSaver(store, run_id, checkpoint_every)
    run = execute(prepared, arch, cfg, progress=saver)
    if saver.checkpoint_seconds:
        CHECKPOINT_TIMES.extend(saver.checkpoint_seconds)
        CHECKPOINT_SIZES.append(len(store.run_record(token, run_id, blobs_too=True)["checkpoint"]))
    R.finish_record(store, run_id, run)
    return time.perf_counter() - start, run_id


def record_size(store, token, run_id) -> dict:
    rec = store.run_record(token, run_id, blobs_too=True)
    parts = {k: len(rec[k] or b"") for k in ("model", "results")}
    parts["json"] = sum(len(str(rec[k])) for k in ("settings", "arch", "train", "history", "metrics", "details"))
    return parts


def main() -> None:
    from rnn_lab.store import Store
    from rnn_lab.store import records as R

    store = Store()
    print(f"store: {store.where}\n")
    print(
        "| workload | without saving (median s) | saving, no checkpoints | with saving | added | checkpoints per run"
        " | one checkpoint (median ms) | checkpoint | model | results | JSON |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, (values, arch, cfg) in workloads().items():
        prepared = R.prepare_from_values(values)
        token = store.open_workspace()
        train(store, token, values, arch, cfg, prepared, save=False)  # compile once
        plain, bare, saved, last = [], [], [], None
        CHECKPOINT_TIMES.clear()
        CHECKPOINT_SIZES.clear()
        for _ in range(REPEAT):
            plain.append(train(store, token, values, arch, cfg, prepared, save=False)[0])
            bare.append(train(store, token, values, arch, cfg, prepared, save=True, checkpoint_every=0)[0])
            seconds, last = train(store, token, values, arch, cfg, prepared, save=True)
            saved.append(seconds)
        a, c, b = statistics.median(plain), statistics.median(bare), statistics.median(saved)
        size = record_size(store, token, last)
        each = statistics.median(CHECKPOINT_TIMES) * 1000 if CHECKPOINT_TIMES else float("nan")
        ck = statistics.median(CHECKPOINT_SIZES) / 1024 if CHECKPOINT_SIZES else float("nan")
        print(
            f"| {name} | {a:.2f} | {c:.2f} | {b:.2f} | {100 * (b - a) / a:+.1f} % | "
            f"{len(CHECKPOINT_TIMES) / REPEAT:.1f} | {each:.1f} | {ck:.0f} KB | {size['model'] / 1024:.0f} KB | "
            f"{size['results'] / 1024:.0f} KB | {size['json'] / 1024:.1f} KB |"
        )
    values, arch, cfg = workloads()["S1 counting toy, SimpleRNN(10), 50 epochs"]
    prepared = R.prepare_from_values(values)
    token = store.open_workspace()
    for _ in range(20):
        train(store, token, values, arch, cfg, prepared, save=True)
    times = []
    for _ in range(5):
        fresh = Store()
        start = time.perf_counter()
        runs, _ = R.load_runs(fresh, token)
        [r.summary() for r in runs]
        runs[-1].predictions, runs[-1].model  # noqa: B018 - what the Train page draws for the selected run
        times.append(time.perf_counter() - start)
    print(
        f"\nreopening a workspace of {len(runs)} runs (records, summaries, the latest run's predictions and model): "
        f"median {statistics.median(times):.3f} s of 5"
    )


if __name__ == "__main__":
    main()
