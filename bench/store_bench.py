"""The run store's cost (issue 24): what saving adds to a training, the size of a saved run, and reopening a
workspace of 20 runs.

Workloads: S1 the counting toy (SimpleRNN(10), 50 epochs, the tutorial), S2 the digits LSTM(32) on 2,000 training
images read row by row (2 epochs). For each, after one warm-up training (compiled engine), REPEAT trainings
alternate without and with saving, the app's way: the record when queued, the progress (first epoch, then every
2 s) and the finished run with its model, predictions and metrics are written by the store writer
(:mod:`rnn_lab.store.writer`), so the time measured ends when the run is ready to show, as the page's does; the
writes are then awaited (not timed, given as "written after") before the next training starts, so they never
overlap a timed one. Checkpoints (the weights and optimizer state, once a training has run
``RNN_LAB_CHECKPOINT_EVERY`` = 5 s, then every 5 s) are not due in these short trainings; a third variant saves
them every 0.02 s to give one checkpoint's cost in the training's thread (reading the weights at an epoch end,
queuing the write) and its size. The medians of the wall times are compared.
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
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("RNN_LAB_DATA_DIR", tempfile.mkdtemp(prefix="rnnlab-store-bench-"))

REPEAT = int(os.environ.get("STORE_BENCH_REPEAT", "30"))


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
        from rnn_lab.store import progress as P
        from rnn_lab.store import records as R

        self.saver = P.ProgressSaver(store, run_id, checkpoint_every=checkpoint_every, background=True)
        self.checkpoint_seconds: list[float] = []
        self.seconds = 0.0  # every progress call, in the training's thread
        write = self.saver._write

        def sized(epoch, history, checkpoint):  # in the writer: the size of each checkpoint written
            if checkpoint is not None:
                CHECKPOINT_SIZES.append(len(R.checkpoint_bytes(*checkpoint)))
            write(epoch, history, checkpoint)

        self.saver._write = sized

    def __call__(self, epoch, logs, elapsed, eta):
        before = self.saver.checkpoint_epoch
        start = time.perf_counter()
        self.saver(epoch, logs, elapsed, eta)
        took = time.perf_counter() - start
        self.seconds += took
        if self.saver.checkpoint_epoch != before:
            self.checkpoint_seconds.append(took)


CHECKPOINT_TIMES: list[float] = []
CHECKPOINT_SIZES: list[int] = []
WRITE_TIMES: list[float] = []  # seconds from the run reported done to its record written (the writer, not timed)
OWN_TIMES: list[float] = []  # seconds saving took in the training's own thread (queuing, progress calls)


def train(store, token, values, arch, cfg, prepared, save: bool, checkpoint_every=None):
    from rnn_lab.store import records as R
    from rnn_lab.store.writer import QUEUE_DELAY, writer
    from rnn_lab.train.runs import execute, training_arch

    start = time.perf_counter()
    if not save:
        run = execute(prepared, arch, cfg)
        return time.perf_counter() - start, None
    trained = training_arch(arch, prepared)
    run_id = uuid.uuid4().hex  # the app's way: the queued record is written by the store writer
    writer().submit(
        R.queue_record, store, token, values, trained, cfg, None, "b", None, run_id, key=run_id, delay=QUEUE_DELAY
    )
    saver = TimedSaver(store, run_id, checkpoint_every)
    own = time.perf_counter() - start
    run = execute(prepared, arch, cfg, progress=saver)
    checkpointed = bool(saver.checkpoint_seconds)
    before_finish = time.perf_counter()
    # the app's way (without its 0.3 s wait for the page to draw): the run is shown now, written by the writer
    R.finish_record_later(store, run_id, run, delay=0)
    seconds = time.perf_counter() - start
    if checkpoint_every is None:
        OWN_TIMES.append(own + saver.seconds + seconds - (before_finish - start))
    writer().wait()  # not timed: the record is written in the background (nothing else may run meanwhile)
    if checkpoint_every is None:
        WRITE_TIMES.append(time.perf_counter() - start - seconds)
    if checkpointed:
        CHECKPOINT_TIMES.extend(saver.checkpoint_seconds)
    return seconds, run_id


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
        "| workload | without saving (median s) | with saving (the app's way) | added | fastest without / with saving"
        " | checkpoints every 0.02 s | added"
        " | saving in the training's thread (median ms) | checkpoints per run | one checkpoint (median ms) | checkpoint"
        " | written after (median ms) | model"
        " | results | JSON |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, (values, arch, cfg) in workloads().items():
        prepared = R.prepare_from_values(values)
        token = store.open_workspace()
        train(store, token, values, arch, cfg, prepared, save=False)  # compile once
        plain, bare, saved, last = [], [], [], None
        CHECKPOINT_TIMES.clear()
        CHECKPOINT_SIZES.clear()
        WRITE_TIMES.clear()
        OWN_TIMES.clear()
        for i in range(REPEAT):  # the three in turn, the order rotated each round (none always follows another)
            for variant in ("plain", "saved", "checkpoints")[i % 3 :] + ("plain", "saved", "checkpoints")[: i % 3]:
                if variant == "plain":
                    plain.append(train(store, token, values, arch, cfg, prepared, save=False)[0])
                elif variant == "checkpoints":
                    bare.append(train(store, token, values, arch, cfg, prepared, save=True, checkpoint_every=0.02)[0])
                else:
                    seconds, last = train(store, token, values, arch, cfg, prepared, save=True)
                    saved.append(seconds)
        a, c, b = statistics.median(plain), statistics.median(bare), statistics.median(saved)
        # added: the median of each round's saved training against its plain one (the load on a shared machine
        # drifts; trainings of one round see about the same)
        added = statistics.median((s - p) / p for p, s in zip(plain, saved, strict=True))
        added_ck = statistics.median((s - p) / p for p, s in zip(plain, bare, strict=True))
        size = record_size(store, token, last)
        each = statistics.median(CHECKPOINT_TIMES) * 1000 if CHECKPOINT_TIMES else float("nan")
        ck = statistics.median(CHECKPOINT_SIZES) / 1024 if CHECKPOINT_SIZES else float("nan")
        wrote = statistics.median(WRITE_TIMES) * 1000
        print(
            f"| {name} | {a:.3f} | {b:.3f} | {100 * added:+.1f} % | {min(plain):.3f} / {min(saved):.3f} s ({100 * (min(saved) / min(plain) - 1):+.1f} %) | {c:.3f} | {100 * added_ck:+.1f} % | {statistics.median(OWN_TIMES) * 1000:.2f} | "
            f"{len(CHECKPOINT_TIMES) / REPEAT:.1f} | {each:.1f} | {ck:.0f} KB | {wrote:.0f} | "
            f"{size['model'] / 1024:.0f} KB | {size['results'] / 1024:.0f} KB | {size['json'] / 1024:.1f} KB |"
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
