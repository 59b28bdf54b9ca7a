"""Inside the cell: the step view in the browser beside a bare Streamlit slider, the experiment (and its Stop), a huge
model, against the plain way.

Run: ``.venv/bin/python bench/inside_bench.py`` (prints a Markdown table for docs/benchmarks.md).

1. Step view (LSTM 64 units x 60 steps). The page sends every step's values once and the browser redraws on each
   move, so a move has no server work at all. Measured:
   - once per model and window: build the step view's data (all steps) and its JSON; against the plain way of
     running Keras again (plus the NumPy trace for the gates, which Keras does not expose) on every move;
   - in headless Chromium, key press on the slider -> the new step's numbers on screen, the keys 0.8 s apart
     (so the step is sent to the server, 0.5 s after each move, while the user goes on), median of 15;
   - in the same run and browser, a bare ``st.slider`` app (``bench/bare_slider_app.py``: a slider and the
     value written below it): key press -> the new value on screen. That is the floor of any page that redraws
     through the server;
   - in the page, the redraw alone (input event -> next frame), median of 30.
2. Experiment (long_memory, SimpleRNN/LSTM/GRU, default sizes): run_experiment on the Train engine vs the same
   three models trained with ``model.fit`` (same epochs, batch size, optimizer, data), then the connectivity;
   and Stop: from ``ExperimentJob.stop()`` to the job's end.
3. Huge layer (LSTM 1024 units x 500 steps): NumPy trace, Keras forward, the summarised figures and step view data.
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


def _step_view_json(layer_run) -> int:
    """What the page does once per model and window for the step view: all steps' data, as JSON (its size)."""
    import json

    from rnn_lab.inside import views

    return len(json.dumps(views.step_view_data(layer_run, "en", 1)))


def bench_step_view_data(rows: list) -> None:
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
    layer = run.recurrent_layers[0]
    size = _step_view_json(layer)
    once = _median_ms(lambda _i: _step_view_json(layer), 10)

    def recompute(_i):  # the plain way: Keras (and the gates) again on every move, then the step's figure
        fresh = run_model(model, window)
        max_abs_diff(model, window, fresh)
        style_figure(views.time_heatmaps(fresh.recurrent_layers[0].directions[0], None, "en")).to_json()

    plain = _median_ms(recompute, 15)
    rows.append(
        (
            f"Step view data, LSTM 64 units x 60 steps: every step once ({size / 1024:.0f} kB JSON), median of 10",
            f"{once:.0f} ms once, then 0 ms a move",
            f"{plain:.0f} ms every move (Keras + NumPy trace again, the figure)",
            "-",
        )
    )


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server(script: str):
    """`streamlit run script` on a free port; returns (process, url) once it answers."""
    import subprocess
    import urllib.request

    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port), "--server.headless", "true"]
        + ["--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    return proc, url


WATCH_KEY = """([readJs, want]) => {
    // After the next key press, check every frame whether the screen shows `want`; store the milliseconds.
    window.__latency = null;
    const read = new Function(readJs);
    document.addEventListener("keydown", function onKey() {
        document.removeEventListener("keydown", onKey, true);
        const t0 = performance.now();
        const tick = () => {
            if ((read() || "").includes(want)) window.__latency = performance.now() - t0;
            else requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
    }, true);
}"""


def _key_presses(tab, thumb, read_js: str, shown, where, presses: int = 15, pause: float = 0.8) -> tuple[list, list]:
    """Each ArrowRight on ``thumb``: (seconds until Playwright sees ``shown(step)`` in the locator ``where``, ms in
    the page from the key event to the first frame that shows it). The keys come ``pause`` s apart, after two
    that are not counted. The second figure is the one to compare: Playwright's own polling adds tens of ms."""
    outside, inside = [], []
    for k, step in enumerate(range(2, presses + 4)):
        thumb.focus()
        want = shown(step)
        tab.evaluate(WATCH_KEY, [read_js, want])
        t0 = time.perf_counter()
        thumb.press("ArrowRight")
        where.filter(has_text=want).first.wait_for()
        seconds = time.perf_counter() - t0
        tab.wait_for_function("() => window.__latency !== null")
        if k >= 2:  # warm-up presses aside
            outside.append(seconds)
            inside.append(tab.evaluate("window.__latency"))
        if os.environ.get("BENCH_DEBUG"):
            print(step, round(seconds, 3), round(tab.evaluate("window.__latency"), 1), flush=True)
        time.sleep(pause)
    return outside, inside


READ_STEP_VIEW = """
    window.__rlNow = window.__rlNow || [...document.querySelectorAll("*")]
        .map((el) => el.shadowRoot && el.shadowRoot.querySelector(".rl-now")).find(Boolean);
    return window.__rlNow && window.__rlNow.textContent;
"""
READ_BARE = """
    return [...document.querySelectorAll('[data-testid="stMarkdownContainer"]')].map((el) => el.textContent).join("|");
"""


def bench_step_view_browser(rows: list) -> None:
    """Chromium: the page's browser-side step view, then a bare Streamlit slider, same run, same browser."""
    from playwright.sync_api import sync_playwright

    app, app_url = _server("app.py")
    bare, bare_url = _server("bench/bare_slider_app.py")
    try:
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
            tab.goto(f"{app_url}/inside?{params}")
            tab.locator(".rl-now").filter(has_text="t = 1 / 60").wait_for()
            tab.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
            tab.wait_for_timeout(3000)  # the page's figures finish drawing
            thumb = tab.locator("input.rl-slider")
            now = tab.locator(".rl-now")
            ours, ours_frame = _key_presses(tab, thumb, READ_STEP_VIEW, lambda step: f"t = {step} / 60", now)
            tab.goto(bare_url)
            tab.get_by_text("value = 1").first.wait_for()
            tab.wait_for_timeout(1000)
            thumb = tab.locator('[data-testid="stSlider"] input[type="range"]').first  # react-aria's range input
            text = tab.get_by_test_id("stMarkdownContainer")
            bare_times, bare_frame = _key_presses(tab, thumb, READ_BARE, lambda step: f"value = {step}", text)
            browser.close()
        ms, bare_ms = 1000 * statistics.median(ours), 1000 * statistics.median(bare_times)
        frame, bare_f = statistics.median(ours_frame), statistics.median(bare_frame)
        rows.append(
            (
                "Step view move in Chromium, LSTM 64 x 60, median of 15: key event -> first frame showing the new step"
                " (in the page) / key press -> Playwright sees it",
                f"{frame:.0f} ms / {ms:.0f} ms (no server round trip)",
                f"{bare_f:.0f} ms / {bare_ms:.0f} ms (a bare `st.slider` app: server round trip)",
                f"{bare_f / frame:.1f}x / {bare_ms / ms:.1f}x faster",
            )
        )
    finally:
        for proc in (app, bare):
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
    from rnn_lab.inside.connectivity import ExperimentJob

    stops = []
    for _ in range(3):
        job = ExperimentJob(cfg)
        while job.running and not job.snapshot()["done"]:  # Stop while the second cell trains
            time.sleep(0.05)
        time.sleep(1.0)
        t0 = time.perf_counter()
        job.stop()
        job.join()
        stops.append(time.perf_counter() - t0)
    rows.append(
        (
            "Experiment Stop: from Stop to the job's end (the finished cell kept), median of 3",
            f"{1000 * statistics.median(stops):.0f} ms",
            "-",
            "-",
        )
    )
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
    style_figure(views.time_heatmaps(layer.directions[0], None, "en")).to_json()
    for which in ("kernel", "recurrent_kernel"):
        style_figure(views.weight_figure(layer.directions[0], which, "en")).to_json()
    t_figs = time.perf_counter() - t0
    t0 = time.perf_counter()
    size = _step_view_json(layer)
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
        (
            f"Huge: the summarised figures once / the step view's data once ({size / 1024:.0f} kB JSON)",
            f"{t_figs:.1f} s / {t_step:.1f} s",
            "-",
            "-",
        )
    )


def main() -> None:
    rows: list = []
    info = machine()
    bench_step_view_data(rows)
    bench_step_view_browser(rows)
    bench_huge(rows)
    bench_experiment(rows)
    print(f"Machine: {info}\n")
    print("| What | RNN Lab | Plain Keras way | Ratio |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
