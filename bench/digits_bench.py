"""Digits read row by row (issue 10's quality bars): accuracy, baseline, seconds per epoch and memory.

In a fresh process: load the bundled MNIST subset (8,000 training-side images, a tenth validating; the fixed 2,000
test images), train LSTM(64) + Dense(10, softmax) for 5 epochs through the app's own path (``runs.execute``: the
engine, then scoring against the majority class) at Keras' Adam default (0.001), at 0.005 and at the app's default
learning rate, and report test accuracy, the baseline, seconds per epoch and the peak memory the data and the training add
(VmHWM minus the resident size after importing TensorFlow and Keras). The speed against plain ``fit`` is B3 of
``train_warm_bench.py`` (warm against warm).

Run: ``.venv/bin/python bench/digits_bench.py`` (prints Markdown for docs/benchmarks.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RNN_LAB_WARM_UP", "0")


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith(field + ":"))


def measured_run(make) -> tuple[dict, object, object]:
    """``make()`` -> (prepared, arch, cfg), trained through the app's own path (``runs.execute``): what the quality
    benches report (accuracy beside the majority baseline, validation accuracy per epoch, seconds, and the memory
    the data and training add over the process after importing Keras), with the prepared data and the arch."""
    import keras  # noqa: F401 - import cost and memory counted in the base, not in the figure
    import tensorflow as tf  # noqa: F401

    from rnn_lab.train.runs import execute

    base = _status_kb("VmRSS")
    prepared, arch, cfg = make()
    run = execute(prepared, arch, cfg)
    measured = {
        "n": prepared.split_sizes,
        "accuracy": run.metrics["model"]["accuracy"],
        "baseline": run.metrics["baseline"]["accuracy"],
        "val_accuracy": run.history["val_accuracy"],
        "seconds": run.train_seconds,
        "epochs": run.epochs_run,
        "added_mb": (_status_kb("VmHWM") - base) / 1024,
    }
    return measured, prepared, arch


def digits_workload(lr: float):
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.data.digits import prepare_digits
    from rnn_lab.train.engine import TrainConfig

    prepared = prepare_digits(limit=8000, val_frac=0.1)
    arch = ArchConfig(cell="LSTM", units=(64,), timesteps=28, features=28, dense_units=10, head_activation="softmax")
    cfg = TrainConfig(epochs=5, batch_size=32, learning_rate=lr, loss="sparse_categorical_crossentropy", seed=0)
    return prepared, arch, cfg


def child(lr: float) -> dict:
    measured, _, _ = measured_run(lambda: digits_workload(lr))
    return {"lr": lr, **measured}


def main() -> None:
    from rnn_lab.train.settings import DEFAULT_LR

    with open("/proc/cpuinfo") as fh:
        cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "?")
    print(f"Machine: {cpu}, {os.cpu_count()} cores; load average at start {os.getloadavg()[0]:.1f}")
    print()
    print(
        "| learning rate | train / val / test images | test accuracy | majority class | val. accuracy per epoch "
        "| seconds per epoch (first includes compiling) | memory added |"
    )
    print("|---|---|---|---|---|---|---|")
    for lr in (0.001, 0.005, DEFAULT_LR):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(lr)], capture_output=True, text=True, check=True, cwd=ROOT
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        n = r["n"]
        print(
            f"| {r['lr']:g} | {n['train']:,} / {n['val']:,} / {n['test']:,} | {r['accuracy']:.1%} | "
            f"{r['baseline']:.1%} | {', '.join(f'{a:.1%}' for a in r['val_accuracy'])} | "
            f"{r['seconds'] / r['epochs']:.2f} | {r['added_mb']:.0f} MB |"
        )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(child(float(sys.argv[2]))))
    else:
        main()
