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

The **JAX backend** (issue 13.2's "a route that needs a dependency"): when ``.venv-jax`` exists (``make bench-jax``
creates it from ``requirements-bench-jax.txt``; the app does not use it), the same model and data also run on
Keras 3's JAX backend in that environment: plain ``fit`` (always XLA-compiled there), ``fit`` with
``steps_per_execution``, and ``jax_scan``, the engine's idea written for JAX (the engine's own batch order, all of
an epoch's steps in one ``jax.lax.scan``, Keras' ``stateless_call`` and ``Optimizer.stateless_apply``). All start
from the TensorFlow model's initial weights and see the engine's batches (``jax_scan``) or shuffle on their own
(``fit``), so ``jax_scan``'s final loss equals the engine's to rounding (B2: every digit).

Run: ``.venv/bin/python bench/train_warm_bench.py [B1 B2 B3 B4]`` (prints Markdown for docs/benchmarks.md; all
workloads without arguments).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
WARM = 3
WAYS = ("fit", "fit_jit", "fit_spe", "engine")
JAX_WAYS = ("jax_fit", "jax_fit_spe", "jax_scan")
JAX_PYTHON = ROOT / ".venv-jax" / "bin" / "python"
WAY_NAMES = {
    "fit": "`fit`",
    "fit_jit": "`fit`, `jit_compile=True`",
    "fit_spe": "`fit`, `steps_per_execution`",
    "engine": "engine",
    "jax_fit": "JAX backend: `fit`",
    "jax_fit_spe": "JAX backend: `fit`, `steps_per_execution`",
    "jax_scan": "JAX backend: `lax.scan` loop (the engine's idea)",
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


def child(name: str, way: str, weights: str | None = None) -> dict:
    """One way on one workload in this process. ``weights``: an .npz of initial weights (the JAX ways get the
    TensorFlow model's, so every way starts from the same point)."""
    t0 = time.perf_counter()
    import keras

    import_seconds = time.perf_counter() - t0  # importing Keras imports its backend (TensorFlow or JAX)
    import numpy as np
    from train_bench import workload

    from rnn_lab.arch.keras_model import build_model
    from rnn_lab.train import engine

    X, y, arch, cfg = workload(name)
    if weights:
        with np.load(weights) as saved:
            w0 = [saved[f"w{i}"] for i in range(len(saved.files))]
    else:
        w0 = build_model(arch, seed=0).get_weights()
    bs = min(cfg.batch_size, len(X))
    times, losses = [], []
    if way == "jax_scan":
        times, losses = jax_scan_runs(X, y, arch, cfg, w0)
    elif way == "engine":
        for _ in range(1 + WARM):
            model = build_model(arch, seed=0)
            t0 = time.perf_counter()
            result = engine.train(model, X, y, cfg=cfg)
            times.append(time.perf_counter() - t0)
            losses.append(result.history["loss"][-1])
    else:
        steps = -(-len(X) // bs)
        spe = {"steps_per_execution": min(steps, 100)}
        extra = {"fit_jit": {"jit_compile": True}, "fit_spe": spe, "jax_fit_spe": spe}.get(way, {})
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
    return {
        "cold": times[0],
        "warm": statistics.median(times[1:]),
        "loss": statistics.median(losses[1:]),
        "import_seconds": import_seconds,
        "backend": keras.backend.backend(),
    }


def jax_scan_runs(X, y, arch, cfg, w0) -> tuple[list[float], list[float]]:
    """The engine's idea on the JAX backend: the engine's batch order, an epoch's steps in one compiled
    ``lax.scan`` (gather the batch, loss, gradients, Adam), the epoch loss as the batch-size-weighted mean."""
    import jax
    import jax.numpy as jnp
    import keras
    import numpy as np

    from rnn_lab.arch.keras_model import build_model
    from rnn_lab.train import engine

    model = build_model(arch, seed=0)
    model.set_weights(w0)
    sparse = cfg.loss == "sparse_categorical_crossentropy"
    Xj = jnp.asarray(X)
    yj = jnp.asarray(y if sparse else y.reshape(len(y), -1))  # (n,) class ids, or (n, outputs) targets

    def batch_loss(trainable, non_trainable, xb, yb, wb):
        pred, non_trainable = model.stateless_call(trainable, non_trainable, xb, training=True)
        if sparse:
            per_sample = keras.losses.sparse_categorical_crossentropy(yb, pred)  # (bs,)
        else:  # mse, the only regression loss the workloads use
            per_sample = jnp.mean(jnp.square(pred.reshape(yb.shape) - yb), axis=-1)  # (bs,)
        return jnp.sum(per_sample * wb) / jnp.sum(wb), non_trainable  # padded rows (weight 0) add nothing

    grad_fn = jax.value_and_grad(batch_loss, has_aux=True)

    optimizer = keras.optimizers.Adam(cfg.learning_rate)
    optimizer.build(model.trainable_variables)
    fresh_optimizer = [v.value for v in optimizer.variables]  # step 0, moments 0 (stateless_apply never mutates)

    @jax.jit
    def epoch(state, idx, w):  # idx, w: (steps, bs) from engine.epoch_schedule
        def step(state, batch):
            trainable, non_trainable, opt_vars = state
            i, wb = batch
            (loss, non_trainable), grads = grad_fn(trainable, non_trainable, Xj[i], yj[i], wb)
            trainable, opt_vars = optimizer.stateless_apply(opt_vars, grads, trainable)
            return (trainable, non_trainable, opt_vars), loss * jnp.sum(wb)

        state, weighted = jax.lax.scan(step, state, (idx, w))
        return state, jnp.sum(weighted)

    times, losses = [], []
    for _ in range(1 + WARM):  # the first run compiles ``epoch``; later runs reuse it (warm)
        model.set_weights(w0)
        t0 = time.perf_counter()
        state = (
            [v.value for v in model.trainable_variables],
            [v.value for v in model.non_trainable_variables],
            list(fresh_optimizer),
        )
        rng = np.random.default_rng(cfg.seed)
        for _ in range(cfg.epochs):
            idx, w = engine.epoch_schedule(rng, len(X), min(cfg.batch_size, len(X)))
            state, total = epoch(state, idx, w)
        last = float(total) / len(X)
        times.append(time.perf_counter() - t0)
        losses.append(last)
    return times, losses


def measure(name: str, way: str, weights: str | None = None) -> dict:
    """Run one way in a fresh process (the JAX ways in .venv-jax with KERAS_BACKEND=jax)."""
    python, env = sys.executable, dict(os.environ)
    if way in JAX_WAYS:
        python, env["KERAS_BACKEND"] = str(JAX_PYTHON), "jax"
    command = [python, __file__, "--child", name, way] + ([weights] if weights else [])
    out = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def save_initial_weights(name: str, path: str) -> None:
    """The TensorFlow model's initial weights, for the JAX ways (each backend's seeded initializers differ)."""
    import numpy as np
    from train_bench import workload

    from rnn_lab.arch.keras_model import build_model

    weights = build_model(workload(name)[2], seed=0).get_weights()
    np.savez(path, **{f"w{i}": w for i, w in enumerate(weights)})


def site_packages_mb(python: Path, prefixes: tuple[str, ...]) -> float:
    """Installed size (MB) of the packages whose directory names start with ``prefixes`` in a venv."""
    site = next(python.parent.parent.glob("lib/python*/site-packages"), None)
    if site is None:
        return float("nan")
    total = 0
    for entry in site.iterdir():
        if entry.name.lower().startswith(prefixes):
            files = [entry] if entry.is_file() else [f for f in entry.rglob("*") if f.is_file()]
            total += sum(f.stat().st_size for f in files)
    return total / 1e6


def main(only: tuple[str, ...] = ()) -> None:
    """The table for every workload, or for the workloads named in ``only`` (e.g. ``B4``)."""
    with open("/proc/cpuinfo") as fh:
        cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "?")
    print(f"Machine: {cpu}, {os.cpu_count()} cores; load average at start {os.getloadavg()[0]:.1f}")
    print()
    print(f"| workload | way | cold (first call) | warm (median of {WARM}) | final loss | GEMM limit | warm / limit |")
    print("|---|---|---|---|---|---|---|")
    summary = []
    imports: dict[str, list[float]] = {"tensorflow": [], "jax": []}
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
        ways = WAYS + (JAX_WAYS if JAX_PYTHON.exists() else ())
        got = {way: measure(name, way) for way in WAYS}
        if JAX_PYTHON.exists():
            with tempfile.TemporaryDirectory() as tmp:
                weights = str(Path(tmp) / "w0.npz")
                subprocess.run([sys.executable, __file__, "--save-weights", name, weights], check=True, cwd=ROOT)
                got.update({way: measure(name, way, weights) for way in JAX_WAYS})
        for way in ways:
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
        if JAX_PYTHON.exists():
            best_jax = min(JAX_WAYS, key=lambda w: got[w]["warm"])
            summary.append(
                f"  - best on JAX ({WAY_NAMES[best_jax].removeprefix('JAX backend: ')}) {got[best_jax]['warm']:.3f} s, "
                f"{got[best]['warm'] / got[best_jax]['warm']:.1f}x the best TensorFlow plain option and "
                f"{got['engine']['warm'] / got[best_jax]['warm']:.2f}x the engine, {got[best_jax]['warm'] / limit:.1f}x "
                f"the GEMM limit; plain JAX `fit` {got['jax_fit']['warm']:.3f} s; final loss `lax.scan` / engine "
                f"{got['jax_scan']['loss']:.6g} / {got['engine']['loss']:.6g}"
            )
            imports["tensorflow"].append(got["fit"]["import_seconds"])
            imports["jax"].append(got["jax_fit"]["import_seconds"])
    print()
    print("\n".join(summary))
    if JAX_PYTHON.exists() and imports["jax"]:
        tf_mb = site_packages_mb(Path(sys.executable), ("tensorflow",))
        jax_mb = site_packages_mb(JAX_PYTHON, ("jax",))  # jax and jaxlib
        print()
        print(
            f"Cost of the JAX route: `import keras` takes {statistics.median(imports['tensorflow']):.1f} s on "
            f"TensorFlow and {statistics.median(imports['jax']):.1f} s on JAX (median of the children above); "
            f"installed size tensorflow-cpu {tf_mb:.0f} MB, jax + jaxlib {jax_mb:.0f} MB."
        )


if __name__ == "__main__":
    if len(sys.argv) in (4, 5) and sys.argv[1] == "--child":
        print(json.dumps(child(*sys.argv[2:])))
    elif len(sys.argv) == 4 and sys.argv[1] == "--save-weights":
        save_initial_weights(sys.argv[2], sys.argv[3])
    else:
        main(tuple(sys.argv[1:]))
