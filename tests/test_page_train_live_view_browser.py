"""Issue 22, in a browser: the live loss figure is rebuilt only when a new epoch exists, yet it never leaves the page
between the fragment's polls, and it grows epoch by epoch until the results replace it."""

from __future__ import annotations

import time

from conftest import ARTIFACTS, wait_for_app

SAMSUNG = (
    "data_source_kind=bundled&data_bundled=samsung&data_target=Close&data_window=20&data_val_frac=0.15"
    "&data_test_frac=0.15&data_scaling=minmax&arch_cell=LSTM&arch_units_1=16&arch_timesteps=20&train_epochs=40"
)
LIVE = '[class*="st-key-chart_train_live"] .js-plotly-plot'
# -1: no live figure on the page; -2: the figure's element is there but Plotly is (re)drawing it (its data not set
# for a frame); else the number of loss points drawn
POINTS = f"""() => {{
    const plot = document.querySelector('{LIVE}');
    if (!plot) return -1;
    return plot.data && plot.data.length ? plot.data[0].y.length : -2;
}}"""


def test_the_live_figure_stays_and_grows_between_polls(page, app_url):
    page.goto(f"{app_url}/train?{SAMSUNG}")  # an LSTM on 1,200 days: epochs arrive over several polls
    wait_for_app(page)
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_selector(LIVE, timeout=120_000)
    seen, deadline = [], time.time() + 180
    while time.time() < deadline and page.get_by_text("Finished 40 epochs").count() == 0:
        seen.append(page.evaluate(POINTS))
        page.wait_for_timeout(50)
    page.screenshot(path=str(ARTIFACTS / "train_live_done.png"))
    assert page.get_by_text("Finished 40 epochs").count() == 1
    # while it trains: until the live figure holds all 40 epochs (then the page reruns once to show the results, and
    # the figure may be replaced in that rerun before "Finished" appears)
    drawn = seen[: next((i for i, n in enumerate(seen) if n >= 40), len(seen)) + 1]
    # polled many times, the figure on the page throughout: a figure not re-sent on a poll would be gone for the whole
    # poll interval (0.5 s and more: 10+ samples in a row); a single frame while the browser swaps it is not that
    gaps = "".join("x" if n == -1 else "." for n in drawn).split(".")
    assert len(drawn) >= 5 and max(map(len, gaps)) <= 2, drawn
    points = [n for n in drawn if n >= 0]
    assert points == sorted(points) and points[-1] > points[0], drawn  # epoch by epoch, never back
