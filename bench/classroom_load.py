"""A classroom on one server, measured (issue 12): 30 students press Train within the same minute.

Starts the real app (``streamlit run app.py``) on a free local port and drives N concurrent sessions with headless
Chromium (one browser, one context per student: real websockets, real reruns, real fragments polling). The
students arrive one a second (30 within half a minute; all press Train within the same minute). Each student
opens the home page from a link holding its experiment, goes to Train through the sidebar, presses Train
and waits for its result (the export buttons appear with the results). Four in five train the counting toy
(SimpleRNN(10), 50 epochs); every fifth an LSTM(32) on the Samsung series (50 epochs). Meanwhile one more
session, a student who is not training, changes the units on the Architecture page once a second and times each
rerun until the new parameter count is on screen.

Reported per mode: seconds until every student has a result, the non-training student's page response (median
and 95th percentile) while trainings are running or queued, the server's peak resident memory, and errors (a
session without its result, a traceback or an error message on a page). Modes, each on a fresh server in the same
run: the queue (``RNN_LAB_MAX_TRAININGS`` = the number of cores, the default); the queue with one core left to the
pages (one training fewer, each on one TensorFlow thread: the setting docs/deploy.md recommends); and no queue (a
limit of 1,000: every press starts at once, which is how the app behaved before issue 12).

The browsers run on the same two cores as the server, so the page response includes Chromium's own work for 31
pages; on a real classroom each student's browser runs on their own laptop. Say so beside the figures.

Run: ``.venv/bin/python bench/classroom_load.py [--students 30]`` (prints Markdown for docs/benchmarks.md).
tests/test_classroom_load.py runs the same with 5 students and checks only that every result arrived, error-free.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
COUNTING = "train_epochs=50"  # the default experiment: the counting toy, SimpleRNN(10) + Dense(1)
SAMSUNG_LSTM = (
    "data_source_kind=bundled&data_bundled=samsung&data_target=Close&data_window=20&data_val_frac=0.15"
    "&data_test_frac=0.15&data_scaling=minmax&arch_cell=LSTM&arch_units_1=32&arch_timesteps=20&train_epochs=50"
)
RESULT = '[class*="st-key-btn_train_dl_model"]'  # the export buttons: drawn with the results of a finished run
ARRIVAL_GAP = 1.0  # seconds between two students opening the app: 30 students arrive within half a minute


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``streamlit run app.py`` on a free port with extra environment variables; samples its resident memory."""

    def __init__(self, env: dict[str, str]):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port)]
        command += ["--server.headless", "true", "--server.fileWatcherType", "none"]
        environ = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false", TF_CPP_MIN_LOG_LEVEL="3", **env)
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.peak_kb = 0
        self._sampling = True
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            self.stop()
            raise RuntimeError("the app did not start within 90 s")
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def rss_kb(self) -> int:
        try:
            with open(f"/proc/{self.proc.pid}/status") as fh:
                return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            return 0

    def _sample(self) -> None:
        while self._sampling:
            self.peak_kb = max(self.peak_kb, self.rss_kb())
            time.sleep(0.2)

    def stop(self) -> None:
        self._sampling = False
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


async def _wait_for_app(page) -> None:
    await page.wait_for_selector('[data-testid="stApp"]', timeout=180_000)
    await page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=180_000, polling=200
    )


async def _page_errors(page) -> list[str]:
    found = []
    if await page.get_by_text("Traceback").count():
        found.append("traceback")
    alerts = page.locator('[data-testid="stAlertContentError"]')
    for k in range(await alerts.count()):
        found.append((await alerts.nth(k).inner_text())[:120])
    return found


async def student(browser, url: str, i: int, link: str, timeout: float) -> dict:
    """Home page -> Train -> press Train -> the result; seconds from the press to the result, and any error."""
    await asyncio.sleep(i * ARRIVAL_GAP)  # the class arrives over half a minute, not in one millisecond
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(180_000)  # 31 pages loading on the same two cores as the server
    out = {"student": i, "lstm": link is SAMSUNG_LSTM, "seconds": None, "errors": []}
    try:
        await page.goto(f"{url}/?{link}")
        await _wait_for_app(page)
        await page.locator('[data-testid="stSidebarNavLink"][href$="/train"]').first.click()
        await _wait_for_app(page)
        pressed = time.perf_counter()
        await page.locator(".st-key-btn_train_start button").first.click()
        await page.locator(RESULT).first.wait_for(timeout=timeout * 1000)
        out["seconds"] = time.perf_counter() - pressed
        out["errors"] += await _page_errors(page)
    except Exception as err:  # noqa: BLE001 - a session that fails is counted, not fatal to the measurement
        out["errors"].append(f"{type(err).__name__}: {str(err).splitlines()[0][:160]}")
    finally:
        await context.close()
    return out


async def bystander(browser, url: str, done: asyncio.Event) -> dict:
    """A student who is not training: set the units on the Architecture page once a second and time each rerun
    until the new total (SimpleRNN(u) on (5, 1) + Dense(1): u*u + u + u, plus u + 1) is on screen."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    times, errors = [], []
    try:
        await page.goto(f"{url}/architecture")
        await _wait_for_app(page)
        box = page.locator(".st-key-arch_units_1 input")
        metric = page.locator('[data-testid="stMetricValue"]').first
        units = 10
        while not done.is_set():
            units = 11 if units == 10 else 10
            expected = f"{units * units + 3 * units + 1:,}"
            await box.fill(str(units))
            started = time.perf_counter()
            await box.press("Enter")
            await page.wait_for_function(
                "([el, want]) => el && el.innerText.trim() === want",
                arg=[await metric.element_handle(), expected],
                timeout=60_000,
                polling="raf",
            )
            times.append(time.perf_counter() - started)
            await asyncio.sleep(1.0)
        errors += await _page_errors(page)
    except Exception as err:  # noqa: BLE001
        errors.append(f"{type(err).__name__}: {str(err).splitlines()[0][:160]}")
    finally:
        await context.close()
    return {"times": times, "errors": errors}


async def _classroom(url: str, students: int, timeout: float) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        done = asyncio.Event()
        watcher = asyncio.create_task(bystander(browser, url, done))
        await asyncio.sleep(3)  # the bystander's page is up before the class presses Train
        started = time.perf_counter()
        links = [SAMSUNG_LSTM if i % 5 == 4 else COUNTING for i in range(students)]
        results = await asyncio.gather(*(student(browser, url, i, link, timeout) for i, link in enumerate(links)))
        everyone = time.perf_counter() - started
        done.set()
        watched = await watcher
        await browser.close()
    return {"results": results, "everyone_seconds": everyone, "bystander": watched}


def run_classroom(url: str, students: int, timeout: float = 600) -> dict:
    """Drive ``students`` sessions against the app at ``url``; returns the raw measurements."""
    return asyncio.run(_classroom(url, students, timeout))


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    args = parser.parse_args()
    with open("/proc/cpuinfo") as fh:
        cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "?")
    print(f"Machine: {cpu}, {os.cpu_count()} cores; load average at start {os.getloadavg()[0]:.1f}")
    print(f"{args.students} students in headless Chromium contexts (one browser) + 1 student on Architecture")
    print()
    print(
        "| mode | all results after | results / errors | press-to-result median / max | Architecture rerun "
        "p50 / p95 (n) | peak server memory |"
    )
    print("|---|---|---|---|---|---|")
    cores = os.cpu_count() or 1
    modes = (
        (f"queue, {cores} at once (the default)", {"RNN_LAB_MAX_TRAININGS": str(cores)}),
        (
            f"queue, {max(1, cores - 1)} at once, 1 TensorFlow thread each (docs/deploy.md)",
            {"RNN_LAB_MAX_TRAININGS": str(max(1, cores - 1)), "TF_NUM_INTRAOP_THREADS": "1"},
        ),
        ("no queue (before issue 12)", {"RNN_LAB_MAX_TRAININGS": "1000"}),
    )
    for name, env in modes:
        server = Server({**env, "RNN_LAB_WARM_UP": "1"})
        try:
            got = run_classroom(server.url, args.students)
        finally:
            server.stop()
        results = got["results"]
        ok = [r["seconds"] for r in results if r["seconds"] is not None and not r["errors"]]
        errors = sum(1 for r in results if r["errors"] or r["seconds"] is None) + len(got["bystander"]["errors"])
        bys = got["bystander"]["times"]
        print(
            f"| {name} | {got['everyone_seconds']:.0f} s | {len(ok)} of {len(results)} / {errors} | "
            f"{statistics.median(ok) if ok else float('nan'):.1f} s / {max(ok) if ok else float('nan'):.1f} s | "
            f"{_percentile(bys, 0.5):.2f} s / {_percentile(bys, 0.95):.2f} s ({len(bys)}) | "
            f"{server.peak_kb / 1024 / 1024:.2f} GB |"
        )
        for r in results:
            if r["errors"]:
                print(f"  student {r['student']}: {'; '.join(r['errors'])}", file=sys.stderr)
        for e in got["bystander"]["errors"]:
            print(f"  bystander: {e}", file=sys.stderr)


if __name__ == "__main__":
    main()
