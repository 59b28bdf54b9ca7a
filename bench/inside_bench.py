"""Inside the cell: speed of the time-step slider, the experiment, and a huge model, against the plain-Keras way.

Run: ``.venv/bin/python bench/inside_bench.py`` (prints a Markdown table for docs/benchmarks.md).

1. Slider (LSTM 64 units x 60 steps): what one slider move costs.
   - cached (the page): slice the cached NumPy trace, write the equations, build the heatmaps and serialize them.
   - recompute with Keras (the plain way): run the Keras model again on the window for every move (plus the
     NumPy trace for the gates, which Keras does not expose), then the same figures.
   - the page end to end in AppTest (server side: script/fragment rerun + every element), for reference.
2. Experiment (long_memory, SimpleRNN/LSTM/GRU, default sizes): run_experiment on the Train engine vs the same
   three models trained with ``model.fit`` (same epochs, batch size, optimizer, data), then the connectivity.
3. Huge layer (LSTM 1024 units x 500 steps): NumPy trace, Keras forward, and the summarised figures.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = int(
            next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1]
        )
        mem_gb = f"{mem / 1024**2:.0f} GB"
    except (OSError, StopIteration):
        mem_gb = "?"
    import keras
    import tensorflow as tf

    return (
        f"{cpu}, {os.cpu_count()} cores, {mem_gb} RAM, Python {platform.python_version()}, "
        f"TensorFlow {tf.__version__}, Keras {keras.__version__}"
    )


def _median_ms(fn, repeats: int) -> float:
    times = []
    for i in range(repeats):
        t0 = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def _figures(layer_run, step: int) -> None:
    """Everything the step fragment computes for one slider position (figures serialized as Streamlit does).

    The plain way below adds the Keras recomputation; both then draw the same step (equation + bars).
    """
    from rnn_lab.inside import views
    from rnn_lab.style import style_figure

    x = layer_run.x[0]
    for trace in layer_run.directions:
        views.equations(trace.cell, x.shape[1], trace.units, trace.reset_after)
        [views.vector_latex(n, v) for n, v in views.step_values(trace, x, step)]
    figs = [views.step_bars(tr, step, "en") for tr in layer_run.directions]
    for fig in figs:
        style_figure(fig).to_json()


def bench_slider(rows: list) -> None:
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.arch.keras_model import build_model
    from rnn_lab.inside import views
    from rnn_lab.inside.numpy_rnn import max_abs_diff, run_model
    from rnn_lab.style import style_figure

    T, U = 60, 64
    model = build_model(ArchConfig(cell="LSTM", units=(U,), timesteps=T, features=1), seed=0)
    window = np.sin(np.arange(T) / 5.0)[:, None].astype("float32")
    run = run_model(model, window)
    max_abs_diff(model, window, run)  # warm up Keras
    _figures(run.recurrent_layers[0], 1)
    steps = np.random.default_rng(0).integers(1, T + 1, size=25)

    cached = _median_ms(lambda i: _figures(run.recurrent_layers[0], int(steps[i])), len(steps))

    def recompute(i):
        fresh = run_model(model, window)  # the gates and states again
        max_abs_diff(model, window, fresh)  # Keras forward for the output and the check
        _figures(fresh.recurrent_layers[0], int(steps[i]))
        style_figure(views.time_heatmaps(fresh.recurrent_layers[0].directions[0], None, "en")).to_json()

    plain = _median_ms(recompute, len(steps))
    rows.append(
        (
            "Slider move, LSTM 64 units x 60 steps (median of 25)",
            f"{cached:.0f} ms",
            f"{plain:.0f} ms",
            f"{plain / cached:.1f}x faster",
        )
    )


def bench_slider_apptest(rows: list) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    for key, value in {
        "data_toy": "sine",
        "data_toy_length": 400,
        "data_window": 60,
        "data_val_frac": 0.15,
        "data_test_frac": 0.15,
        "arch_cell": "LSTM",
        "arch_units_1": 64,
    }.items():
        at.session_state[key] = value
    at.run()
    at.switch_page("app_pages/inside.py")
    at.run()
    assert not at.exception, at.exception
    steps = np.random.default_rng(1).integers(1, 61, size=10)
    ms = _median_ms(lambda i: at.slider(key="inside_step").set_value(int(steps[i])).run(), len(steps))
    rows.append(("Slider move in AppTest (page rerun, server side, LSTM 64 x 60)", f"{ms:.0f} ms", "-", "-"))


def bench_slider_browser(rows: list) -> None:
    """End to end in Chromium: key press on the slider -> the equation of the new step is on screen (median of 15)."""
    import socket
    import subprocess
    import urllib.request

    from playwright.sync_api import sync_playwright

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        params = (
            "data_toy=sine&data_toy_length=400&data_window=60&data_val_frac=0.15&data_test_frac=0.15"
            "&data_scaling=standard&arch_cell=LSTM&arch_units_1=64&arch_timesteps=60"
        )
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium",
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            )
            tab = browser.new_page(viewport={"width": 1280, "height": 900})
            tab.set_default_timeout(180_000)
            tab.goto(f"{url}/inside?{params}")
            tab.get_by_text("step t = 1 of 60").first.wait_for()
            thumb = tab.locator('[data-testid="stSlider"] input[type="range"]').first
            times = []
            for step in range(2, 17):
                thumb.focus()
                t0 = time.perf_counter()
                thumb.press("ArrowRight")
                tab.get_by_text(f"step t = {step} of 60").first.wait_for()
                t_text = time.perf_counter()
                tab.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", polling=10)
                times.append(time.perf_counter() - t0)
                if os.environ.get("BENCH_DEBUG"):
                    print(step, round(t_text - t0, 3), round(times[-1], 3), flush=True)
            browser.close()
        ms = 1000 * statistics.median(times)
        rows.append(
            (
                "Slider move in Chromium, key press -> new step drawn (LSTM 64 x 60, median of 15)",
                f"{ms:.0f} ms",
                "-",
                "-",
            )
        )
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def bench_experiment(rows: list) -> None:
    import keras

    from rnn_lab.inside.connectivity import (
        ExperimentConfig,
        _build,
        connectivity,
        long_memory_data,
        run_experiment,
    )

    cfg = ExperimentConfig()
    t0 = time.perf_counter()
    result = run_experiment(cfg)
    ours = time.perf_counter() - t0
    per_cell = ", ".join(f"{r.cell} {r.seconds:.1f} s (ratio {r.ratio:.3g})" for r in result.results)

    t0 = time.perf_counter()
    data = long_memory_data(cfg)
    for cell in cfg.cells:
        model, _ = _build(cell, cfg, data.window, data.n_features)
        model.compile(optimizer=keras.optimizers.Adam(cfg.learning_rate), loss="mse")
        model.fit(
            data.X_train,
            data.y_train,
            validation_data=(data.X_val, data.y_val),
            epochs=cfg.epochs,
            batch_size=cfg.batch_size,
            verbose=0,
            shuffle=True,
        )
        connectivity(model, data.X_val[: cfg.n_windows])
    plain = time.perf_counter() - t0
    rows.append(
        (
            f"Experiment, 3 cells x {cfg.epochs} epochs, lag {cfg.lag}, {cfg.units} units ({per_cell})",
            f"{ours:.1f} s",
            f"{plain:.1f} s (model.fit)",
            f"{plain / ours:.1f}x faster",
        )
    )


def bench_huge(rows: list) -> None:
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.arch.keras_model import build_model
    from rnn_lab.inside import views
    from rnn_lab.inside.numpy_rnn import keras_output, run_model
    from rnn_lab.style import style_figure

    T, U = 500, 1024
    model = build_model(ArchConfig(cell="LSTM", units=(U,), timesteps=T, features=1), seed=0)
    window = np.sin(np.arange(T) / 7.0)[:, None].astype("float32")
    t0 = time.perf_counter()
    keras_output(model, window)
    t_keras = time.perf_counter() - t0
    t0 = time.perf_counter()
    run = run_model(model, window)
    t_numpy = time.perf_counter() - t0
    layer = run.recurrent_layers[0]
    t0 = time.perf_counter()
    _figures(layer, T // 2)
    style_figure(views.time_heatmaps(layer.directions[0], None, "en")).to_json()
    for which in ("kernel", "recurrent_kernel"):
        style_figure(views.weight_figure(layer.directions[0], which, "en")).to_json()
    style_figure(views.animation_figure(layer.directions[0], "en")).to_json()
    t_figs = time.perf_counter() - t0
    t0 = time.perf_counter()
    _figures(layer, T // 3)
    t_step = time.perf_counter() - t0
    rows.append(
        (
            "Huge LSTM 1024 units x 500 steps: NumPy trace once (all gates, every step)",
            f"{t_numpy:.1f} s",
            f"{t_keras:.1f} s (one Keras forward, output only)",
            "-",
        )
    )
    rows.append(
        ("Huge: all summarised figures once / one slider move", f"{t_figs:.1f} s / {1000 * t_step:.0f} ms", "-", "-")
    )


def main() -> None:
    rows: list = []
    info = machine()
    bench_slider(rows)
    bench_slider_apptest(rows)
    bench_slider_browser(rows)
    bench_huge(rows)
    bench_experiment(rows)
    print(f"Machine: {info}\n")
    print("| What | RNN Lab | Plain Keras way | Ratio |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
