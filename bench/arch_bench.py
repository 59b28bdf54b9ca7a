"""Architecture benchmark: home page time-to-visible in Chromium, and the Architecture page's re-render time.

1. Home page: a fresh ``streamlit run app.py``; once ``/_stcore/health`` answers, Chromium (Debian's, headless)
   opens the home page in a new tab and we time until the app title is visible (TensorFlow is not imported there).
2. Architecture page: an AppTest of the router on the Architecture page; each control change (units of layer 1
   cycling through several values) is one ``at.run()``, and the script run it triggers is timed inside
   Streamlit's script runner. The first pass over the values misses the model cache, the later passes hit it. The library calls the page makes are also timed on their own.
   Compared with the plain-Keras way measured in the same run: build ``keras.Sequential`` + ``model.summary()``
   for the same configuration, uncached.

Run: ``.venv/bin/python bench/arch_bench.py [--write]`` (``--write`` replaces the ``## Architecture`` section of
docs/benchmarks.md with the printed Markdown).
"""

from __future__ import annotations

import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
HOME_REPEATS = 5
UNITS = (11, 12, 13, 14, 15, 16, 17, 18)  # values units of layer 1 cycles through
PASSES = 3  # pass 1 misses the cache, passes 2.. hit it


def machine() -> str:
    cpu, mem = platform.machine(), ""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        cpu = re.search(r"Model name:\s*(.+)", out).group(1).strip()
    except (OSError, AttributeError):
        pass
    try:
        kb = int(re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f", {kb / 1024**2:.1f} GB RAM"
    except (OSError, AttributeError):
        pass
    import keras
    import tensorflow as tf

    return (
        f"{cpu}, {os.cpu_count()} logical cores{mem}; Python {platform.python_version()}, "
        f"TensorFlow {tf.__version__}, Keras {keras.__version__}; load average at start "
        f"{os.getloadavg()[0]:.1f} (the machine is shared)"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def home_time_to_visible() -> list[tuple[float, float]] | None:
    """(title visible, DOMContentLoaded) seconds from navigation start, per fresh tab (None without Chromium)."""
    if not Path(CHROMIUM).exists():
        return None
    from playwright.sync_api import sync_playwright

    port = _free_port()
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
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
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        times = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            )
            for _ in range(HOME_REPEATS):
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                tab = context.new_page()
                t0 = time.perf_counter()
                tab.goto(url, wait_until="domcontentloaded")  # Streamlit's HTML + JavaScript bundle
                t1 = time.perf_counter()
                tab.get_by_role("heading", name="RNN Lab").first.wait_for(state="visible", timeout=60_000)
                times.append((time.perf_counter() - t0, t1 - t0))
                context.close()
            browser.close()
        return times
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def page_rerun_times() -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """(cache-miss runs, cache-hit runs) of the router + Architecture page after a units change: (wall, CPU) s.

    AppTest drives the app, and the script run itself is timed where Streamlit executes it
    (``exec_func_with_error_handling``, the same call a live server makes), in the script thread: AppTest's own
    bookkeeping in the test thread (rebuilding its element tree, about half a second per run here) is not part
    of what a user waits for. CPU time (``time.thread_time`` of the script thread) is reported beside wall time
    because the benchmark machine is shared: wall time grows with other people's load.
    """
    import streamlit.runtime.scriptrunner.script_runner as script_runner
    from streamlit.testing.v1 import AppTest

    runs: list[tuple[float, float]] = []
    original = script_runner.exec_func_with_error_handling

    def timed(func, ctx):
        t0, c0 = time.perf_counter(), time.thread_time()
        try:
            return original(func, ctx)
        finally:
            runs.append((time.perf_counter() - t0, time.thread_time() - c0))

    script_runner.exec_func_with_error_handling = timed
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
        at.run()
        at.switch_page("app_pages/architecture.py")
        at.run()  # imports TensorFlow, fills the one-off caches
        miss, hit = [], []
        for p in range(PASSES):
            for units in UNITS:
                at.number_input(key="arch_units_1").set_value(units)
                runs.clear()
                at.run()
                assert not at.exception, at.exception
                (miss if p == 0 else hit).append(runs[-1])
    finally:
        script_runner.exec_func_with_error_handling = original
    return miss, hit


def library_times() -> dict[str, float]:
    """Median seconds of each library call the page makes for one configuration (no Streamlit)."""
    import plotly.io as pio

    from rnn_lab.arch.codegen import keras_code
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.arch.diagram import unrolled_figure
    from rnn_lab.arch.keras_model import build_model, summary_rows, summary_text
    from rnn_lab.arch.params import layer_formulas, shape_flow
    from rnn_lab.style import style_figure

    cfgs = [ArchConfig(units=(u,)) for u in UNITS]

    def median(fn) -> float:
        times = []
        for cfg in cfgs:
            t0 = time.perf_counter()
            fn(cfg)
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    unrolled_figure(cfgs[0])
    return {
        "formulas + shape flow + code": median(lambda c: (layer_formulas(c), shape_flow(c), keras_code(c))),
        "diagram (build + style + JSON)": median(
            lambda c: pio.to_json(style_figure(unrolled_figure(c)), validate=False)
        ),
        "Keras build + summary (a cache miss)": median(lambda c: (summary_rows(m := build_model(c)), summary_text(m))),
    }


def plain_keras_times() -> list[tuple[float, float]]:
    """The plain-Keras way: build the Sequential model and print its summary, uncached, per configuration."""
    import keras

    times = []
    for units in UNITS * 2:
        t0, c0 = time.perf_counter(), time.thread_time()
        model = keras.Sequential([keras.Input((5, 1)), keras.layers.SimpleRNN(units), keras.layers.Dense(1)])
        model.summary(print_fn=lambda *a, **k: None)
        times.append((time.perf_counter() - t0, time.thread_time() - c0))
    return times[len(UNITS) :]  # the second round (warm)


def med(pairs, i: int) -> float:
    """Median of the i-th element of each tuple."""
    return statistics.median(p[i] for p in pairs)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def main() -> str:
    home = home_time_to_visible()
    miss, hit = page_rerun_times()
    lib = library_times()
    plain = plain_keras_times()
    plain_med, hit_med, miss_med = med(plain, 0), med(hit, 0), med(miss, 0)
    plain_cpu, hit_cpu, miss_cpu = med(plain, 1), med(hit, 1), med(miss, 1)
    lines = [
        "## Architecture",
        "",
        f"Measured by `bench/arch_bench.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        f"Machine: {machine()}.",
        "",
        "| What | Median wall time | Median CPU time | Target / comparison (wall; CPU) |",
        "|---|---|---|---|",
    ]
    if home is None:
        lines.append(
            f"| Home page visible in Chromium after the server answers | (no Chromium at {CHROMIUM}) | | <= 2 s |"
        )
    else:
        lines.append(
            f"| Home page visible in Chromium after the server answers ({HOME_REPEATS} fresh tabs; "
            f"first {home[0][0]:.2f} s) | {med(home, 0):.2f} s | (browser) | <= 2 s |"
        )
        lines.append(
            f"| of which: Streamlit's HTML + JavaScript bundle loaded (DOMContentLoaded) | {med(home, 1):.2f} s "
            "| (browser) | |"
        )
    lines += [
        (
            f"| Architecture page re-render (router + page script run) after a units change, model cached "
            f"({len(hit)} runs) | "
            f"{ms(hit_med)} | {ms(hit_cpu)} | <= 150 ms; {plain_med / hit_med:.2f}x; {plain_cpu / hit_cpu:.2f}x "
            "the plain-Keras build + summary |"
        ),
        (
            f"| Same, first time this configuration is seen (cache miss, {len(miss)} runs) | {ms(miss_med)} | "
            f"{ms(miss_cpu)} | {plain_med / miss_med:.2f}x; {plain_cpu / miss_cpu:.2f}x the plain-Keras build + summary |"
        ),
        f"| Plain Keras: `keras.Sequential([...])` + `model.summary()`, uncached | {ms(plain_med)} | {ms(plain_cpu)} | 1.00x |",
    ]
    for name, seconds in lib.items():
        lines.append(f"| library call: {name} | {ms(seconds)} | | |")
    lines += [
        "",
        (
            "The page re-render is the whole script run of the router + Architecture page (controls, summary table "
            "and the open tab; the other tabs do not run), timed inside Streamlit's script runner while AppTest drives "
            "the controls. The Keras model is cached per configuration "
            "(`st.cache_resource`), so only the first visit to a configuration pays the Keras build. A ratio above 1 "
            "means the page re-renders faster than plain Keras builds and summarises the model."
        ),
        "",
    ]
    return "\n".join(lines)


def write_section(markdown: str, path: Path = ROOT / "docs" / "benchmarks.md") -> None:
    """Replace the ``## Architecture`` section (up to the next ``## ``) of docs/benchmarks.md."""
    text = path.read_text()
    pattern = re.compile(r"^## Architecture\n.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE)
    text = pattern.sub(lambda _: markdown + "\n", text, count=1) if pattern.search(text) else text + "\n" + markdown
    path.write_text(text)


if __name__ == "__main__":
    report = main()
    print(report)
    if "--write" in sys.argv:
        write_section(report)
