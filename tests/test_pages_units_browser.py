"""Browser (issue 27): what only a browser shows. A click on a confusion-matrix cell shows its samples; the forecast's
hover dates are trading days; the Inside heat map draws the step marker and moves it with the slider."""

from __future__ import annotations

import datetime
import re

from conftest import ARTIFACTS, wait_for_app
from helpers import DIGITS_LINK, settle

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
    settle(page)
    chart = _chart(page, "chart_class_confusion")
    chart.scroll_into_view_if_needed()
    x, y = chart.evaluate(f"(gd) => ({POINT})([gd, '7', '7'])")  # the cell true 7, predicted 7 (correct sevens)
    page.mouse.click(x, y)
    # the picker followed the click, and the cell's digits are drawn under their title (once the click's rerun ended)
    page.get_by_text("samples of class 7 were predicted as 7").wait_for(timeout=30_000)
    wait_for_app(page)
    settle(page)
    page.screenshot(path=str(ARTIFACTS / "units_confusion_click.png"), full_page=True)
    assert page.get_by_text("Traceback").count() == 0
    titles = page.locator(".st-key-chart_class_cell .gtitle").first.text_content()
    assert "True 7, predicted 7" in titles
    page.locator(".st-key-chart_class_cell").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "units_confusion_click.png"), full_page=True)


def test_the_inside_heat_map_marks_the_step_and_follows_the_slider(page, app_url):
    page.goto(f"{app_url}/inside?arch_cell=LSTM&arch_units_1=3&inside_step=2")
    wait_for_app(page)
    page.locator(".rl-now").filter(has_text="t = 2 / 5").wait_for(timeout=120_000)
    wait_for_app(page)
    chart = _chart(page, "inside_fig_time_forward")
    chart.scroll_into_view_if_needed()
    chart.locator(".shapelayer path").first.wait_for(state="attached")  # drawn (what it is, is checked below)

    def marker():  # the black line drawn in the SVG (a layout shape), and where it stands in data units
        return chart.evaluate(
            """(gd) => {
              const path = gd.querySelector('.shapelayer path');
              return path ? [getComputedStyle(path).stroke, gd._fullLayout.shapes[0].x0] : null;
            }"""
        )

    assert marker() == ["rgb(0, 0, 0)", 2]
    assert chart.locator(".colorbar").count() == 6  # h, c, i, f, g, o: a colour bar each
    slider = page.locator("input.rl-slider")
    slider.focus()
    slider.press("ArrowRight")
    slider.press("ArrowRight")
    page.wait_for_url("**inside_step=4**", timeout=30_000)  # let go: the step reaches the server
    wait_for_app(page)
    page.wait_for_function(
        "() => { const gd = document.querySelector('.st-key-inside_fig_time_forward .js-plotly-plot');"
        " return gd && gd._fullLayout.shapes.length && gd._fullLayout.shapes[0].x0 === 4; }",
        timeout=30_000,
    )
    assert marker() == ["rgb(0, 0, 0)", 4]
    page.set_viewport_size({"width": 1280, "height": 3000})
    settle(page)
    page.screenshot(path=str(ARTIFACTS / "units_inside_marker.png"), full_page=True)


def test_the_forecast_hovers_trading_days_in_won(page, app_url):
    """Samsung in Korean: the forecast starts Monday 5 August 2019 (the Friday's next trading day), and its hover
    writes the full date in Korean and the value in won."""
    page.goto(f"{app_url}/train?lang=ko&data_source_kind=bundled&data_scaling=minmax&data_window=20&train_epochs=2")
    wait_for_app(page)
    page.get_by_role("button", name="학습 시작").click()
    page.get_by_text("초 만에 마쳤습니다").first.wait_for(timeout=180_000)
    wait_for_app(page)
    page.set_viewport_size({"width": 1280, "height": 4000})
    settle(page)
    chart = _chart(page, "chart_train_predictions")
    chart.scroll_into_view_if_needed()
    all_dates = chart.evaluate("(gd) => gd.data[gd.data.length - 1].x")
    assert [d[:10] for d in all_dates[:3]] == ["2019-08-05", "2019-08-06", "2019-08-07"]
    assert all(datetime.date.fromisoformat(d[:10]).weekday() < 5 for d in all_dates) and len(all_dates) == 20
    x, y = chart.evaluate(
        """(gd) => {
          const L = gd._fullLayout, box = gd.getBoundingClientRect(), pt = gd.calcdata[gd.data.length - 1][9];
          return [box.left + L.xaxis._offset + L.xaxis.c2p(pt.x), box.top + L.yaxis._offset + L.yaxis.c2p(pt.y)];
        }"""
    )
    page.mouse.move(x, y)
    page.wait_for_timeout(800)
    hover = chart.locator(".hoverlayer").text_content()
    # a day of the 5-year axis is half a pixel: the hover lands on the 10th forecast day or a neighbour; each is a
    # trading day of August 2019, written in full in Korean, with the value in won
    day = re.search(r"2019년 8월 (\d+)일", hover)
    assert day, hover
    hovered = datetime.date(2019, 8, int(day.group(1)))
    assert hovered.weekday() < 5 and hovered.isoformat() in [d[:10] for d in all_dates], hover
    assert "예보" in hover and " 원" in hover, hover
    assert "k" not in hover.replace("원", ""), hover  # 45,298 원, never 45.29812k
    page.screenshot(path=str(ARTIFACTS / "units_forecast_hover.png"), full_page=True)
