"""Browser (issue 27): what only a browser shows. A click on a confusion-matrix cell shows its samples; the forecast's
hover dates are trading days; the Inside heat map draws the step marker and moves it with the slider."""

from __future__ import annotations

from conftest import ARTIFACTS, wait_for_app

from tests.test_classify_browser import LINK as DIGITS_LINK

# The pixel centre of a category cell / a data point of a Plotly chart, from Plotly's own axes (page coordinates).
POINT = """([gd, x, y]) => {
  const L = gd._fullLayout, box = gd.getBoundingClientRect();
  return [box.left + L.xaxis._offset + L.xaxis.d2p(x), box.top + L.yaxis._offset + L.yaxis.d2p(y)];
}"""


def _chart(page, key: str):
    return page.locator(f".st-key-{key} .js-plotly-plot").first


def test_clicking_a_confusion_cell_shows_its_samples(page, app_url):
    page.goto(f"{app_url}/{DIGITS_LINK}")
    wait_for_app(page)
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("Finished 1 epochs").wait_for(timeout=180_000)
    wait_for_app(page)
    page.set_viewport_size({"width": 1280, "height": 4000})  # the app scrolls inside; show all results at once
    page.wait_for_timeout(1500)
    chart = _chart(page, "chart_class_confusion")
    chart.scroll_into_view_if_needed()
    x, y = chart.evaluate(f"(gd) => ({POINT})([gd, '7', '7'])")  # the cell true 7, predicted 7 (correct sevens)
    page.mouse.click(x, y)
    page.wait_for_timeout(3000)
    wait_for_app(page)
    page.screenshot(path=str(ARTIFACTS / "units_confusion_click.png"), full_page=True)
    assert page.get_by_text("Traceback").count() == 0
    # the picker followed the click, and the cell's digits are drawn under their title
    page.get_by_text("samples of class 7 were predicted as 7").wait_for(timeout=30_000)
    titles = page.locator(".st-key-chart_class_cell .gtitle").first.text_content()
    assert "True 7, predicted 7" in titles
    page.locator(".st-key-chart_class_cell").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "units_confusion_click.png"), full_page=True)
