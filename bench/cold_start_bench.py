"""The first press of Train in a fresh server process (issue 9.2): cold plain ``fit`` against the engine,
with and without the warm-up the Train page starts when it opens.

Every measurement is its own fresh Python process (TensorFlow imported, nothing compiled yet), then:
  fit           build the model, ``compile(Adam(lr), "mse")``, time the first ``model.fit`` (tracing included)
  engine cold   time ``runs.execute`` (build, compile, train, predict every split) with nothing warmed
  engine warm   ``runs.warm_up_in_background(...)`` and wait for it (what happens while the user looks at the
                page), then time ``runs.execute``: the first press as the user sees it
TensorFlow's import (5-7 s) happens before the clock starts in all three: the page imports it in the warm-up
thread too. Workloads: the Train page's defaults on the counting toy (SimpleRNN(10), 50 full-batch epochs) and
on the sine toy (window 20, batch 32, 50 epochs). Medians of RUNS processes each.

Run: ``.venv/bin/python bench/cold_start_bench.py`` (prints Markdown for docs/benchmarks.md).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
RUNS = 3
WORKLOADS = {
    "counting toy, defaults (SimpleRNN(10), 50 full-batch epochs)": {"data": "counting"},
    "sine toy, window 20 (SimpleRNN(10), batch 32, 50 epochs)": {"data": "sine"},
}


def _prepared(name: str):
    from rnn_lab.data.prepare import prepare
    from rnn_lab.data.toys import make_toy

    if name == "counting":
        return prepare(
            make_toy("counting"), "value", window=5, val_frac=0, test_frac=0, scaling="none", source="toy:counting"
        )
    return prepare(
        make_toy("sine"), "value", window=20, val_frac=0.15, test_frac=0.15, scaling="minmax", source="toy:sine"
    )


def child(mode: str, data: str) -> float:
    import keras  # noqa: F401 - TensorFlow imported before the clock starts, as in a running server

    from rnn_lab.arch.settings import config_from_values as arch_from_values
    from rnn_lab.train import runs
    from rnn_lab.train.settings import config_from_values as train_from_values

    prepared = _prepared(data)
    arch = runs.training_arch(arch_from_values({"arch_timesteps": prepared.window}), prepared)
    cfg = train_from_values({})
    if mode == "fit":
        import keras

        model = runs.build(arch, cfg.seed)
        model.compile(keras.optimizers.Adam(cfg.learning_rate), "mse")
        bs = min(cfg.batch_size, len(prepared.X_train))
        t0 = time.perf_counter()
        model.fit(prepared.X_train, prepared.y_train, epochs=cfg.epochs, batch_size=bs, verbose=0)
        return time.perf_counter() - t0
    if mode == "warm":
        runs.warm_up_in_background(prepared, arch, cfg).join()
    t0 = time.perf_counter()
    runs.execute(prepared, arch, cfg)
    return time.perf_counter() - t0


def measure(mode: str, data: str) -> float:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, data], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


def main() -> None:
    print(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print()
    print(
        "| workload (fresh process each) | cold `fit` | engine, no warm-up | engine after the page's warm-up | cold fit / warmed engine |"
    )
    print("|---|---|---|---|---|")
    for label, w in WORKLOADS.items():
        t = {mode: statistics.median(measure(mode, w["data"]) for _ in range(RUNS)) for mode in ("fit", "cold", "warm")}
        print(f"| {label} | {t['fit']:.2f} s | {t['cold']:.2f} s | {t['warm']:.3f} s | {t['fit'] / t['warm']:.1f}x |")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps({"seconds": child(sys.argv[2], sys.argv[3])}))
    else:
        main()
