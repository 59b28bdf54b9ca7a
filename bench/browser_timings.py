"""Issue 22's browser targets, one student alone on the server, in Debian's headless Chromium.

Run: ``.venv/bin/python bench/browser_timings.py [--repeats 5] [--json] [--only toy,switch] [--baseline DIR]``.
A benchmark, not a test: it asserts no timing; it prints a table (median, min, max per figure) or, with ``--json``,
one JSON object. ``--baseline DIR`` (another checkout, e.g. ``git archive main | tar -x -C DIR``, its ``.venv`` a
link to this one) starts that app's server beside this one and alternates every measurement between the two (who
goes first alternates too), so both see the same load on a shared machine; each figure gets the baseline's median
and the median of the paired ratios (this / baseline).

Starts the real app (``streamlit run app.py``) on a free loopback port, warms it up once (every measurement below
done once and thrown away: TensorFlow imported, the models compiled, the pages' caches filled), then measures each
figure ``--repeats`` times. Every time is taken inside the page with ``performance.now()``: from the user's action
(a capturing ``click`` listener, or the slider's events dispatched by the page itself) to the first animation frame
in which the element is on screen (a ``requestAnimationFrame`` loop that looks for it, shadow roots included), so
Playwright's own round trips do not count.

Figures (issue 22's targets in brackets):

- ``toy_train_to_predictions``: Train page, counting toy (the defaults), press Train -> the predictions chart
  drawn (<= 0.5 s warm). Each repeat opens /train afresh (a new session in a new browser context, the server warm),
  so no earlier chart is on the page, and presses Train once the page is idle and the app's preload of the charts'
  code (ui/preload.py) has finished, as for a student who looks at the page for a moment first.
- ``digits_last_epoch_to_confusion``: digits, LSTM(32), 5 epochs: the live loss chart showing its 5th epoch -> the
  confusion matrix drawn (<= 1 s). "The last epoch" is what the user sees: the live chart's 5th point, so it
  includes nothing of the live view's polling delay before it; the time from the press of Train to the confusion
  matrix is reported beside it (``digits_train_to_confusion``).
- ``switch_to_train`` / ``switch_to_inside``: click the page's link in the sidebar, from the other page -> the Train
  button / the Inside step view (its ``t = ...`` line) on screen (<= 0.4 s warm). Each repeat loads /train first and
  waits for the app's one-off preload of the charts' code, as in a tab open for a moment. ``switch_to_inside_heatmap``: the
  same click -> the Inside page's heat maps (further down the same script) drawn.
- ``inside_step_view``: the step slider moved (input event) -> the step view's numbers and bars redrawn (the next
  frame) (<= 0.2 s). ``inside_step_heatmap``: the slider let go (change event) -> the heat maps' black line at the
  new step: this includes the step view's deliberate 0.5 s of quiet before it tells the server (ui/inside_step.js,
  SYNC_DELAY_MS); ``inside_step_heatmap_after_send`` is the same from the moment the step left the browser.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("RNN_LAB_CHROMIUM", "/usr/bin/chromium")

TARGETS = {  # issue 22, seconds
    "toy_train_to_predictions": 0.5,
    "digits_last_epoch_to_confusion": 1.0,
    "digits_last_epoch_to_confusion_at_most": 1.0,
    "switch_to_train": 0.4,
    "switch_to_inside": 0.4,
    "inside_step_view": 0.2,
}
DIGITS = (
    "train?task=classify&data_source_kind=digits&data_val_frac=0.1"
    "&train_loss=sparse_categorical_crossentropy&arch_cell=LSTM&arch_units_1=32&arch_timesteps=28&arch_features=28"
    "&arch_dense_units=10&train_epochs=5"
)

# JS: a deep querySelector (Streamlit components draw inside shadow roots) and "is it on screen".
DEEP = """
window.__deep = (sel, root = document) => {
  const hit = root.querySelector(sel);
  if (hit) return hit;
  for (const el of root.querySelectorAll('*')) {
    if (el.shadowRoot) { const found = window.__deep(sel, el.shadowRoot); if (found) return found; }
  }
  return null;
};
window.__shown = (el) => { if (!el) return false; const b = el.getBoundingClientRect(); return b.width > 0 && b.height > 0; };
"""

# JS: watch named conditions (JS expressions returning true once met) frame by frame; record when each first holds,
# and when the user's next click happened (capturing listener, before Streamlit's own handlers).
WATCH = (
    """(conds) => {
  """
    + DEEP
    + """
  const w = {click: null, seen: {}, before: {}, done: false};
  window.__bench = w;
  const checks = Object.entries(conds).map(([name, src]) => [name, new Function('return (' + src + ');')]);
  for (const [name, f] of checks) { try { w.before[name] = !!f(); } catch (e) { w.before[name] = false; } }
  document.addEventListener('click', () => { if (w.click === null) w.click = performance.now(); }, true);
  const tick = () => {
    const now = performance.now();
    for (const [name, f] of checks) {
      if (w.seen[name] !== undefined) continue;
      let ok = false;
      try { ok = !!f(); } catch (e) { ok = false; }
      if (ok) w.seen[name] = now;
    }
    if (Object.keys(w.seen).length < checks.length && !w.done) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  return w.before;
}"""
)

PREDICTIONS = "window.__shown(document.querySelector('[class*=\"st-key-chart_train_predictions\"] .main-svg'))"
CONFUSION = "window.__shown(document.querySelector('[class*=\"st-key-chart_class_confusion\"] .main-svg'))"
LIVE_5 = """(() => { const p = document.querySelector('[class*="st-key-chart_train_live"] .js-plotly-plot');
  return !!(p && p.data && p.data.length && p.data[0].y && p.data[0].y.length >= 5); })()"""
TRAIN_BUTTON = """[...document.querySelectorAll('button[data-testid="stBaseButton-primary"]')].some(
  b => /(^|\\s)Train$/.test(b.innerText.trim()) && window.__shown(b))"""
STEP_VIEW = "window.__shown(window.__deep('.rl-now'))"
# ui/preload.py finished. Its script runs only once the sidebar is drawn, which can be seconds after the page looks
# idle on a loaded machine (then "not started" looked like "no preload", and the chart's code was loaded and run
# inside the measurement); an app without the preload makes wait_preload time out and go on.
PRELOADED = "() => window.__rlPreloadDone === true"
PRELOAD_WAIT_MS = 30_000
HEATMAP = "window.__shown(document.querySelector('[class*=\"st-key-inside_fig_time_forward\"] .main-svg'))"


def heat_line_at(step: int) -> str:
    return f"""(() => {{ const p = document.querySelector('[class*="st-key-inside_fig_time_forward"] .js-plotly-plot');
  const s = p && p.layout && p.layout.shapes; return !!(s && s.length && Number(s[0].x0) === {step}); }})()"""


def step_shown(step: int, steps: int) -> str:
    return (
        f"(() => {{ const n = window.__deep('.rl-now'); return !!n && n.textContent === 't = {step} / {steps}'; }})()"
    )


# --------------------------------------------------------------------------------------------- server and browser


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(root: Path = ROOT):
    port = free_port()
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    command += ["--server.headless", "true", "--server.fileWatcherType", "none", "--server.address", "127.0.0.1"]
    proc = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise SystemExit(f"the app did not start on {url} (streamlit exit code {proc.poll()})") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def check_chromium() -> None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        raise SystemExit(
            f"browser_timings: no Chromium at {CHROMIUM}. Install Debian's: apt-get install -y chromium "
            "(or point RNN_LAB_CHROMIUM at a Chromium binary)."
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise SystemExit("browser_timings: Playwright is missing: pip install -r requirements-dev.txt") from None


def wait_for_app(tab) -> None:
    tab.wait_for_selector('[data-testid="stApp"]')
    tab.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=180_000, polling=200
    )


def watch(tab, conds: dict[str, str]) -> None:
    before = tab.evaluate(WATCH, conds)
    already = [name for name, on in before.items() if on]
    if already:
        raise RuntimeError(f"already on the page before the action: {already}")


def seen(tab, names, timeout_s: float = 180) -> dict:
    """Wait until every named condition was seen; the click time and each condition's time (ms, page clock)."""
    tab.wait_for_function(
        f"() => window.__bench && {json.dumps(list(names))}.every(n => window.__bench.seen[n] !== undefined)",
        timeout=timeout_s * 1000,
        polling=100,
    )
    got = tab.evaluate("() => ({click: window.__bench.click, seen: window.__bench.seen})")
    if got["click"] is not None and any(got["seen"][n] < got["click"] for n in names):
        raise RuntimeError(f"seen before the click: {got}")
    return got


# --------------------------------------------------------------------------------------------------- measurements


def fresh_tab(browser):
    """A new browser context (no cookies, no storage: a new user with no runs to restore) and its tab."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    tab = context.new_page()
    tab.set_default_timeout(180_000)
    return tab


def open_settled(tab, address: str) -> None:
    tab.goto(address)
    wait_for_app(tab)
    tab.wait_for_timeout(1000)  # anything drawn late (a restored run) shows up before the watch starts
    wait_for_app(tab)
    # the app's idle-time preload of the charts' code (ui/preload.py) has finished, as it has for a student who
    # looks at the page for a moment before pressing Train
    wait_preload(tab)


def wait_preload(tab) -> None:
    """Until the app's preload of the charts' code is done (an app without it: PRELOAD_WAIT_MS, then on)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        tab.wait_for_function(PRELOADED, timeout=PRELOAD_WAIT_MS, polling=100)
    except PlaywrightTimeout:
        print("no preload finished: going on without it", file=sys.stderr)


def toy_train(browser, url: str) -> dict:
    tab = fresh_tab(browser)
    open_settled(tab, f"{url}/train")
    watch(tab, {"pred": PREDICTIONS})
    tab.get_by_role("button", name="Train", exact=True).click()
    got = seen(tab, ["pred"])
    wait_for_app(tab)
    tab.context.close()
    return {"toy_train_to_predictions": (got["seen"]["pred"] - got["click"]) / 1000}


def digits_train(browser, url: str) -> dict:
    tab = fresh_tab(browser)
    open_settled(tab, f"{url}/{DIGITS}")
    watch(tab, {"live5": LIVE_5, "cm": CONFUSION})
    tab.get_by_role("button", name="Train", exact=True).click()
    got = seen(tab, ["cm"], timeout_s=600)
    out = {"digits_train_to_confusion": (got["seen"]["cm"] - got["click"]) / 1000}
    live5 = got["seen"].get("live5")
    # None when the live chart never showed the 5th epoch (the results replaced it in the same poll)
    out["digits_last_epoch_to_confusion"] = None if live5 is None else (got["seen"]["cm"] - live5) / 1000
    # When the results came in the same poll as the 5th epoch, the live chart never showed it. The page's own
    # "Finished 5 epochs in X s (training only)" then bounds it: the last epoch ended no earlier than X s after the
    # press (everything from the press to the training's first step counts against the bound), so
    # press -> confusion minus X is at most the time from the last epoch to the confusion matrix.
    finished = tab.get_by_text(re.compile(r"^Finished \d+ epochs in [\d.]+ s")).first.inner_text()
    train_s = float(re.search(r"in ([\d.]+) s", finished).group(1))
    out["digits_last_epoch_to_confusion_at_most"] = out["digits_train_to_confusion"] - train_s
    wait_for_app(tab)
    tab.context.close()
    return out


def switch(tab, url: str, first: bool) -> dict:
    if first:
        tab.goto(f"{url}/train")
        wait_for_app(tab)
        # a tab the student has had open for a moment: the app's one-off preload of the charts' code (ui/preload.py)
        # is over, not running beside the switch
        wait_preload(tab)
    out = {}
    nav = tab.locator('[data-testid="stSidebarNav"]')
    watch(tab, {"step": STEP_VIEW, "heat": HEATMAP})
    nav.get_by_role("link", name="Inside the cell").click()
    got = seen(tab, ["step", "heat"])
    out["switch_to_inside"] = (got["seen"]["step"] - got["click"]) / 1000
    out["switch_to_inside_heatmap"] = (got["seen"]["heat"] - got["click"]) / 1000
    wait_for_app(tab)
    watch(tab, {"train": TRAIN_BUTTON})
    nav.get_by_role("link", name="Train").click()
    got = seen(tab, ["train"])
    out["switch_to_train"] = (got["seen"]["train"] - got["click"]) / 1000
    wait_for_app(tab)
    return out


MOVE = """async ([step]) => {
  const slider = window.__deep('input.rl-slider');
  const t0 = performance.now();
  slider.value = String(step);
  slider.dispatchEvent(new Event('input', {bubbles: true}));
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));  // the frame that shows it
  const drawn = performance.now();
  const t1 = performance.now();
  slider.dispatchEvent(new Event('change', {bubbles: true}));  // let go: the step goes to the server after 0.5 s
  window.__sent = null;
  return {redraw: drawn - t0, letgo: t1};
}"""

HOOK_SEND = """() => {
  if (window.__hooked) return; window.__hooked = true;
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) { if (window.__sent === null) window.__sent = performance.now(); return send.call(this, data); };
  window.__sent = undefined;
}"""


def inside_step(tab, url: str, turn: int) -> dict:
    tab.goto(f"{url}/inside")
    wait_for_app(tab)
    tab.wait_for_function("() => { " + DEEP + " return window.__shown(window.__deep('.rl-now')); }", timeout=180_000)
    tab.wait_for_selector('[class*="st-key-inside_fig_time_forward"] .main-svg', timeout=180_000)
    steps = int(tab.evaluate("() => window.__deep('input.rl-slider').max"))
    step = 2 + turn % (steps - 1)  # a fresh session opens at t = 1: move to 2 .. steps in turn
    tab.evaluate(HOOK_SEND)
    watch(tab, {"heat": heat_line_at(step)})
    moved = tab.evaluate(MOVE, [step])
    got = seen(tab, ["heat"])
    sent = tab.evaluate("() => window.__sent")
    shown = tab.evaluate("(src) => !!(new Function('return (' + src + ');'))()", step_shown(step, steps))
    if not shown:
        raise RuntimeError(f"the step view does not show t = {step} after the move")
    out = {
        "inside_step_view": moved["redraw"] / 1000,
        "inside_step_heatmap": (got["seen"]["heat"] - moved["letgo"]) / 1000,
        "inside_step_heatmap_after_send": None if not sent else (got["seen"]["heat"] - sent) / 1000,
    }
    wait_for_app(tab)
    return out


# ------------------------------------------------------------------------------------------------------- the run

ORDER = [
    "toy_train_to_predictions",
    "digits_train_to_confusion",
    "digits_last_epoch_to_confusion",
    "digits_last_epoch_to_confusion_at_most",
    "switch_to_train",
    "switch_to_inside",
    "switch_to_inside_heatmap",
    "inside_step_view",
    "inside_step_heatmap",
    "inside_step_heatmap_after_send",
]


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _jobs(browser, url: str, args) -> list:
    """The measurements on one server, each a (label, function) pair; the switch and step share one tab."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    tab = context.new_page()
    tab.set_default_timeout(180_000)
    jobs = [("toy", lambda: toy_train(browser, url))]
    if not args.skip_digits:
        jobs.append(("digits", lambda: digits_train(browser, url)))
    jobs.append(("switch", lambda: switch(tab, url, first=True)))
    turns = iter(range(args.repeats + 1))
    jobs.append(("step", lambda: inside_step(tab, url, next(turns))))
    if args.only:
        jobs = [(label, job) for label, job in jobs if label in args.only.split(",")]
    return jobs


def _summary(samples: dict) -> dict:
    summary = {}
    for name in ORDER:
        values = [v for v in samples[name] if v is not None]
        if not samples[name]:
            continue
        summary[name] = {
            "median_s": round(statistics.median(values), 3) if values else None,
            "min_s": round(min(values), 3) if values else None,
            "max_s": round(max(values), 3) if values else None,
            "n": len(values),
            "missing": len(samples[name]) - len(values),
            "target_s": TARGETS.get(name),
            "met": (statistics.median(values) <= TARGETS[name]) if values and name in TARGETS else None,
            "samples_s": samples[name],
        }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="measurements per figure after the warm-up (5)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--skip-digits", action="store_true", help="leave out the digits LSTM (the slow one)")
    parser.add_argument("--only", default="", help="comma-separated measurements to run: toy,digits,switch,step")
    parser.add_argument(
        "--baseline",
        metavar="DIR",
        help="another checkout of the app (e.g. `git archive main`): its server runs beside this one and every "
        "measurement alternates between the two, so both see the same load; adds the median of the paired ratios",
    )
    args = parser.parse_args()
    check_chromium()
    from playwright.sync_api import sync_playwright

    sides = ["this"] + (["baseline"] if args.baseline else [])
    samples = {side: {name: [] for name in ORDER} for side in sides}
    loads = {"start": load()}
    with contextlib.ExitStack() as stack:
        urls = {"this": stack.enter_context(streamlit_server())}
        if args.baseline:
            urls["baseline"] = stack.enter_context(streamlit_server(Path(args.baseline).resolve()))
        pw = stack.enter_context(sync_playwright())
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-quic"],
        )
        jobs = {side: _jobs(browser, urls[side], args) for side in sides}
        for side in sides:
            for label, job in jobs[side]:
                job()  # the warm-up, thrown away
                print(f"warmed up: {label} ({side})", file=sys.stderr)
        loads["after_warmup"] = load()
        for i in range(args.repeats):
            for k in range(len(jobs["this"])):
                order = sides if i % 2 == 0 else sides[::-1]  # alternate who goes first
                for side in order:
                    for name, value in jobs[side][k][1]().items():
                        samples[side][name].append(None if value is None else round(value, 4))
            print(f"repeat {i + 1} of {args.repeats} done (load {load()})", file=sys.stderr)
        browser.close()
    loads["end"] = load()

    summary = _summary(samples["this"])
    if args.baseline:
        base = _summary(samples["baseline"])
        for name, s in summary.items():
            pairs = [
                (a, b)
                for a, b in zip(samples["this"][name], samples["baseline"][name], strict=True)
                if a is not None and b
            ]
            s["baseline"] = base.get(name)
            s["ratio_to_baseline_median"] = round(statistics.median(a / b for a, b in pairs), 3) if pairs else None
    meta = {
        "when_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_1_5_15": loads,
        "repeats": args.repeats,
        "baseline": args.baseline,
    }
    if args.json:
        print(json.dumps({"meta": meta, "figures": summary}, indent=2))
        return
    print(f"Chromium, one user, warm server; {args.repeats} repeats; load average (1, 5, 15 min): {loads}")
    head = "| figure | median | min | max | n | target | median meets it |"
    if args.baseline:
        head += " baseline median | ratio (median of pairs) |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for name, s in summary.items():
        target = f"<= {s['target_s']} s" if s["target_s"] is not None else "-"
        met = "-" if s["met"] is None else ("yes" if s["met"] else "**no**")
        missing = f" ({s['missing']} not seen)" if s["missing"] else ""
        cells = [f"{s[k]:.3f} s" if s[k] is not None else "-" for k in ("median_s", "min_s", "max_s")]
        row = f"| {name} | {' | '.join(cells)} | {s['n']}{missing} | {target} | {met} |"
        if args.baseline:
            b = s["baseline"] or {}
            bm = f"{b['median_s']:.3f} s" if b.get("median_s") is not None else "-"
            ratio = s["ratio_to_baseline_median"]
            row += f" {bm} | {'-' if ratio is None else f'{ratio:.2f}'} |"
        print(row)


if __name__ == "__main__":
    main()
