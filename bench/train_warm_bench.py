"""Training speed, warm against warm, and against the best plain Keras can do (issue 13, part 1).

For each workload of ``train_bench.py`` (B1 the counting toy, B2 LSTM(64) on 2,500 x 30, B3 LSTM(64) classifying
7,200 MNIST digits read row by row, B4 LSTM(64) on NSMC reviews as token ids, issue 13.3) and each way, in its own
fresh process:
  cold  the first call (a freshly compiled model: tracing, and XLA compiling where used, included)
  warm  the median of WARM later calls with the compiled function reused (fit: more ``fit`` calls on the same
        compiled model, weights reset; engine: new models of the same structure, which reuse its compiled slot)
Ways: plain ``fit``; ``fit`` with ``compile(jit_compile=True)``; ``fit`` with ``compile(steps_per_execution=S)``
(S = the steps of one epoch, at most 100); the RNN Lab engine. All see numpy arrays, the same epochs, batch size,
optimizer (Adam 0.001) and initial weights. The **GEMM limit** is the workload's matrix-product FLOPs (forward x 3
for forward + backward) divided by the rate this machine reaches on the same product shapes, measured here with
``tf.linalg.matmul`` in a compiled loop: what a perfect implementation of the same arithmetic would take.
The headline is warm engine against the best warm plain-Keras option.

Run: ``.venv/bin/python bench/train_warm_bench.py [B1 B2 B3 B4]`` (prints Markdown for docs/benchmarks.md; all
workloads without arguments).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
WARM = 3
WAYS = ("fit", "fit_jit", "fit_spe", "engine")
WAY_NAMES = {
    "fit": "`fit`",
    "fit_jit": "`fit`, `jit_compile=True`",
    "fit_spe": "`fit`, `steps_per_execution`",
    "engine": "engine",
}


def flops_per_epoch(name: str) -> tuple[float, tuple[int, int, int]]:
    """Matrix-product FLOPs of one epoch (forward x 3) and the per-step product shape (batch, in, out)."""
    from train_bench import workload

    X, _, arch, cfg = workload(name)
    n, T = X.shape[:2]
    F = arch.input_width  # token ids: the Embedding's d_e (its lookup is not a product and is not counted)
    U = arch.units[0]
    gates = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[arch.cell]
    forward = n * T * 2 * (F + U) * gates * U  # [x_t, h_{t-1}] (F+U) @ (F+U, gates*U) per sample and step
    return 3.0 * forward, (min(cfg.batch_size, n), F + U, gates * U)


def matmul_rate(shape: tuple[int, int, int], repeats: int = 4000) -> float:
    """FLOP/s of (b, k) @ (k, m) float32 products in a compiled loop (no Python per product)."""
    import tensorflow as tf

    b, k, m = shape
    a = tf.random.normal((b, k))
    w = tf.random.normal((k, m)) * 0.01

    @tf.function(jit_compile=True)
    def loop(a):
        def body(i, x):
            p = tf.linalg.matmul(x, w)
            return i + 1, x + 1e-6 * tf.reduce_mean(p)  # each product depends on the last, like a recurrence

        return tf.while_loop(lambda i, x: i < repeats, body, (0, a))[1]

    loop(a).numpy()
    t0 = time.perf_counter()
    loop(a).numpy()
    dt = time.perf_counter() - t0
    return repeats * 2 * b * k * m / dt


def child(name: str, way: str) -> dict:
    import keras
    import numpy as np
    from train_bench import workload

    from rnn_lab.arch.keras_model import build_model
    from rnn_lab.train import engine

    X, y, arch, cfg = workload(name)
    w0 = build_model(arch, seed=0).get_weights()
    bs = min(cfg.batch_size, len(X))
    times, losses = [], []
    if way == "engine":
        for _ in range(1 + WARM):
            model = build_model(arch, seed=0)
            t0 = time.perf_counter()
            result = engine.train(model, X, y, cfg=cfg)
            times.append(time.perf_counter() - t0)
            losses.append(result.history["loss"][-1])
    else:
        steps = -(-len(X) // bs)
        extra = {"fit_jit": {"jit_compile": True}, "fit_spe": {"steps_per_execution": min(steps, 100)}}.get(way, {})
        model = build_model(arch, seed=0)
        model.compile(keras.optimizers.Adam(cfg.learning_rate), cfg.loss, **extra)
        for _ in range(1 + WARM):
            model.set_weights(w0)
            for v in model.optimizer.variables:  # a fresh Adam: step counter and moments at 0, same learning rate
                if "learning_rate" not in v.path:
                    v.assign(np.zeros(v.shape, v.dtype))
            t0 = time.perf_counter()
            hist = model.fit(X, y, epochs=cfg.epochs, batch_size=bs, verbose=0, shuffle=True)
            times.append(time.perf_counter() - t0)
            losses.append(hist.history["loss"][-1])
    return {"cold": times[0], "warm": statistics.median(times[1:]), "loss": statistics.median(losses[1:])}


def measure(name: str, way: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", name, way], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(only: tuple[str, ...] = ()) -> None:
    """The table for every workload, or for the workloads named in ``only`` (e.g. ``B4``)."""
    with open("/proc/cpuinfo") as fh:
        cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "?")
    print(f"Machine: {cpu}, {os.cpu_count()} cores; load average at start {os.getloadavg()[0]:.1f}")
    print()
    print(f"| workload | way | cold (first call) | warm (median of {WARM}) | final loss | GEMM limit | warm / limit |")
    print("|---|---|---|---|---|---|---|")
    summary = []
    for name, label in (
        ("B1", "B1 counting toy, 50 full-batch epochs"),
        ("B2", "B2 LSTM(64), 2,500 x 30, batch 32, 5 epochs"),
        ("B3", "B3 digits: LSTM(64) + Dense(10, softmax), 7,200 x 28 x 28, batch 32, 5 epochs"),
        ("B4", "B4 NSMC: Embedding(V, 32) + LSTM(64) + Dense(2, softmax), 18,000 x 60 ids, batch 64, 2 epochs"),
    ):
        if only and name not in only:
            continue
        from train_bench import workload

        flops, shape = flops_per_epoch(name)
        epochs = workload(name)[3].epochs
        limit = epochs * flops / matmul_rate(shape)
        got = {way: measure(name, way) for way in WAYS}
        for way in WAYS:
            g = got[way]
            print(
                f"| {label} | {WAY_NAMES[way]} | {g['cold']:.3f} s | {g['warm']:.3f} s | {g['loss']:.6g} | "
                f"{limit:.3f} s | {g['warm'] / limit:.1f}x |"
            )
        best = min(("fit", "fit_jit", "fit_spe"), key=lambda w: got[w]["warm"])
        summary.append(
            f"- {name}: warm engine {got['engine']['warm']:.3f} s against the best warm plain-Keras option "
            f"({WAY_NAMES[best]}, {got[best]['warm']:.3f} s): **{got[best]['warm'] / got['engine']['warm']:.1f}x**; "
            f"engine {got['engine']['warm'] / limit:.1f}x the GEMM limit; final loss engine / fit "
            f"{got['engine']['loss']:.6g} / {got['fit']['loss']:.6g}"
        )
    print()
    print("\n".join(summary))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], sys.argv[3])))
    else:
        main(tuple(sys.argv[1:]))
