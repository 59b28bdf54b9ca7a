"""Browser (issue 10): from a link to the digits task, train an LSTM for one short epoch and see the confusion
matrix, the softmax bars and the comparison table fit on the page; nothing clipped, no console errors."""

from __future__ import annotations

from helpers import ARTIFACTS, clipped_on_every_tab, settle, wait_for_app
from helpers import DIGITS_LINK as LINK


def test_train_lstm_on_digits_and_see_the_confusion_matrix(page, app_url):
    errors, failed = [], []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(f"{app_url}/{LINK}")
    wait_for_app(page)
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("Finished 1 epochs").wait_for(timeout=180_000)
    wait_for_app(page)
    page.set_viewport_size({"width": 1280, "height": 4000})  # the app scrolls inside; show all results at once
    settle(page)  # laid out at that height, filled in, every figure drawn
    titles = page.locator(".js-plotly-plot .gtitle")
    texts = [titles.nth(i).text_content() for i in range(titles.count())]  # SVG text: no inner_text
    assert any("Confusion matrix" in x for x in texts), texts
    assert any("Softmax probabilities" in x for x in texts), texts
    # the heatmap drew its 10 x 10 cells
    assert page.locator(".js-plotly-plot .heatmaplayer").count() >= 1
    assert clipped_on_every_tab(page) == []
    page.screenshot(path=str(ARTIFACTS / "train_classify.png"), full_page=True)
    assert page.get_by_text("Traceback").count() == 0
    # Opening a page's link directly, Streamlit's frontend first probes <page>/_stcore/health and host-config (404)
    # and then the root (streamlit/streamlit#7074, open): its own requests, nothing of ours fails.
    probes = {f"{app_url}/train/_stcore/health", f"{app_url}/train/_stcore/host-config"}
    assert set(failed) <= probes, failed
    assert [e for e in errors if not e.startswith("Failed to load resource")] == []
