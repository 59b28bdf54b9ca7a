"""Browser: open Train, train the counting toy to the end, see the loss chart, the metrics table and the tutorial view."""

from __future__ import annotations

from helpers import ARTIFACTS, settle, wait_for_app


def test_train_counting_toy_to_the_end(page, app_url):
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Train").click()
    wait_for_app(page)
    page.get_by_role("button", name="Train", exact=True).click()
    # the live view appears, then the results once all 50 epochs ran
    page.get_by_text("Finished 50 epochs").wait_for(timeout=120_000)
    wait_for_app(page)
    page.set_viewport_size({"width": 1280, "height": 3000})  # the app scrolls inside; show all results at once
    settle(page)  # laid out at that height, filled in, every figure drawn
    assert page.get_by_text("Metrics on the training windows").count() >= 1
    assert page.get_by_text("The tutorial's view").count() == 1
    charts = page.locator('[data-testid="stPlotlyChart"]')
    assert charts.count() >= 3  # loss, predictions, residuals
    assert page.locator(".js-plotly-plot .gtitle", has_text="Loss per epoch").count() == 1
    # issue 22: the predictions chart first, then the loss and the residuals; each drawn once, with the margins the
    # server set (Plotly's automargin found them wide enough, so it did not widen them and draw the chart again)
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('[class*="st-key-chart_train_"] .js-plotly-plot')].map(p => {
          const key = [...p.closest('[class*="st-key-chart_train_"]').classList].find(c => c.startsWith('st-key-'));
          const s = p._fullLayout._size, m = p.layout.margin;
          return [key, [m.l, m.r, m.t, m.b], [s.l, s.r, s.t, s.b].map(Math.round)];
        })"""
    )
    assert [key for key, _, _ in drawn] == [
        "st-key-chart_train_predictions",
        "st-key-chart_train_loss",
        "st-key-chart_train_residuals",
    ]
    for key, sent, final in drawn:
        assert final == sent, (key, sent, final)
    # the metrics table: a dataframe with the four metrics
    tables = page.locator('[data-testid="stDataFrame"]')
    assert tables.count() >= 2
    page.get_by_text("Finished 50 epochs").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "train.png"), full_page=True)
    assert page.get_by_text("Traceback").count() == 0
