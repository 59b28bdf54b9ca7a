"""Training speed: the RNN Lab engine against plain ``model.fit`` on the same data, initial weights and batch order.

Workloads (issue 4):
  B1  the counting toy (10 windows x 5 steps), SimpleRNN(10) + Dense(1), full batch, 50 epochs
  B2  2,500 windows x 30 steps of a random walk, LSTM(64) + Dense(1), batch 32, 5 epochs

Each workload runs in its own subprocess (so peak memory is its own): one warm-up run of each way,
then 5 timed runs; the table reports medians. ``fit`` gets a fresh compiled model per run, as a
user's script would, and the engine's batch order through a tf.data pipeline so both see the same
batches. "Live on" adds what the Train page does while training: a progress callback that stores
the history, and a thread that redraws the Plotly loss figure (to JSON) every 0.25 s.

Run: ``.venv/bin/python bench/train_bench.py`` (prints Markdown for docs/benchmarks.md).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
RUNS = 5


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class PeakRSS:
    """Samples the resident set size every 5 ms; ``added`` = peak - value at start (MB)."""

    def __enter__(self):
        self.start = rss_mb()
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb())
            time.sleep(0.005)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())
        self.added = self.peak - self.start


def workload(name: str):
    """(X, y, ArchConfig, TrainConfig) of a workload."""
    import numpy as np

    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.train.engine import TrainConfig

    if name == "B1":
        s = np.round(np.arange(15) * 0.1, 10).astype("float32")  # 0.0 .. 1.4, the tutorial's series
        X = np.stack([s[i : i + 5] for i in range(10)])[..., None]  # (10, 5, 1)
        y = s[5:15]  # 0.5 .. 1.4
        return (
            X,
            y,
            ArchConfig(cell="SimpleRNN", units=(10,), timesteps=5),
            TrainConfig(epochs=50, batch_size=10),
        )
    if name == "B3":  # issue 10: digits read row by row, the 8,000 training-side images (a tenth validates)
        from rnn_lab.data.digits import prepare_digits

        p = prepare_digits(limit=8000, val_frac=0.1)
        return (
            p.X_train,  # (7200, 28, 28)
            p.y_train,
            ArchConfig(cell="LSTM", units=(64,), timesteps=28, features=28, dense_units=10, head_activation="softmax"),
            TrainConfig(epochs=5, batch_size=32, loss="sparse_categorical_crossentropy"),
        )
    if name == "B4":  # issue 11: NSMC sentiment, 18,000 reviews x 60 syllables (token ids) into Embedding(V, 32)
        from dataclasses import replace

        from text_bench import nsmc_workload

        p, arch, cfg = nsmc_workload("char")
        return p.X_train, p.y_train, arch, replace(cfg, epochs=2, learning_rate=0.001)  # (18000, 60) int32
    rng = np.random.default_rng(0)
    s = np.cumsum(rng.normal(size=2530)).astype("float32")  # random walk
    s = (s - s.mean()) / s.std()
    X = np.stack([s[i : i + 30] for i in range(2500)])[..., None]  # (2500, 30, 1)
    y = s[30:2530]
    return (
        X,
        y,
        ArchConfig(cell="LSTM", units=(64,), timesteps=30),
        TrainConfig(epochs=5, batch_size=32),
    )


def run_workload(name: str) -> dict:
    import keras
    import numpy as np
    import plotly.graph_objects as go
    import tensorflow as tf

    from rnn_lab.arch.keras_model import build_model
    from rnn_lab.train import engine

    X, y, arch, cfg = workload(name)
    w0 = build_model(arch, seed=0).get_weights()  # the same initial weights for every run

    def fresh():
        m = build_model(arch, seed=0)
        m.set_weights(w0)
        return m

    orders = engine.batch_orders(len(X), cfg.batch_size, cfg.epochs, cfg.seed)
    parts = [
        tf.data.Dataset.from_tensor_slices((X[np.concatenate(e)], y[np.concatenate(e)])).batch(cfg.batch_size)
        for e in orders
    ]
    dataset = parts[0]
    for part in parts[1:]:
        dataset = dataset.concatenate(part)

    def fit_once():
        m = fresh()
        t0 = time.perf_counter()
        m.compile(keras.optimizers.Adam(cfg.learning_rate), "mse")
        h = m.fit(
            dataset,
            epochs=cfg.epochs,
            steps_per_epoch=len(orders[0]),
            verbose=0,
            shuffle=False,
        )
        return time.perf_counter() - t0, h.history["loss"][-1]

    def engine_once(live: bool):
        m = fresh()
        history = {"loss": []}
        stop = threading.Event()
        drawer = None
        if live:

            def progress(epoch, logs, elapsed, eta):
                history["loss"].append(logs["loss"])

            def draw():  # what the page's fragment does every 0.25 s
                while not stop.wait(0.25):
                    fig = go.Figure(go.Scatter(y=list(history["loss"]), mode="lines+markers"))
                    fig.to_json()

            drawer = threading.Thread(target=draw, daemon=True)
            drawer.start()
        else:
            progress = None
        t0 = time.perf_counter()
        r = engine.train(m, X, y, cfg=cfg, progress=progress)
        dt = time.perf_counter() - t0
        stop.set()
        if drawer:
            drawer.join()
        return dt, r.history["loss"][-1]

    out = {"workload": name}
    with PeakRSS() as mem:
        out["engine_cold_s"], _ = engine_once(False)  # first run: includes tracing / XLA compiling
    out["engine_peak_added_mb"] = mem.added
    with PeakRSS() as mem:
        out["fit_cold_s"], _ = fit_once()
    out["fit_peak_added_mb"] = mem.added
    fits = [fit_once() for _ in range(RUNS)]
    offs = [engine_once(False) for _ in range(RUNS)]
    ons = [engine_once(True) for _ in range(RUNS)]
    out["fit_s"] = statistics.median(t for t, _ in fits)
    out["engine_s"] = statistics.median(t for t, _ in offs)
    out["engine_live_s"] = statistics.median(t for t, _ in ons)
    out["fit_loss"] = fits[-1][1]
    out["engine_loss"] = offs[-1][1]
    out["loss_rel_diff"] = abs(out["engine_loss"] - out["fit_loss"]) / abs(out["fit_loss"])
    out["speedup"] = out["fit_s"] / out["engine_s"]
    out["live_overhead"] = out["engine_live_s"] / out["engine_s"] - 1
    out["xla"] = bool(engine._POOL and next(iter(engine._POOL))[-1])
    return out


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import importlib.metadata as md

    return (
        f"{cpu}, {os.cpu_count()} cores visible, {mem:.0f} GB RAM, Linux {platform.release()}, "
        f"Python {platform.python_version()}, tensorflow-cpu {md.version('tensorflow-cpu')}, "
        f"keras {md.version('keras')}"
    )


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(run_workload(sys.argv[2])))
        return
    results = []
    for name in ("B1", "B2"):
        proc = subprocess.run(
            [sys.executable, __file__, "--one", name],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        if proc.returncode:
            sys.exit(proc.stderr[-3000:])
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    target = {"B1": 10.0, "B2": 2.5}
    print(f"Machine: {machine()}\n")
    print(
        "| workload | plain `fit` (median of 5) | engine (median of 5) | speed-up (target) | final loss fit / engine "
        "(rel. diff) | live on vs off | first run (compiling) engine / fit | peak RSS added engine / fit |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        ok = "met" if r["speedup"] >= target[r["workload"]] else "MISSED"
        print(
            f"| {r['workload']}{' (XLA)' if r['xla'] else ''} | {r['fit_s']:.3f} s | {r['engine_s']:.3f} s | "
            f"{r['speedup']:.1f}x (>= {target[r['workload']]:g}x: {ok}) | {r['fit_loss']:.6g} / "
            f"{r['engine_loss']:.6g} ({100 * r['loss_rel_diff']:.4f} %) | {100 * r['live_overhead']:+.1f} % | "
            f"{r['engine_cold_s']:.2f} s / {r['fit_cold_s']:.2f} s | {r['engine_peak_added_mb']:.0f} MB / "
            f"{r['fit_peak_added_mb']:.0f} MB |"
        )
    print("\n" + json.dumps(results))


if __name__ == "__main__":
    main()
