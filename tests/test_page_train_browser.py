"""Browser: open Train, train the counting toy to the end, see the predictions and loss charts, then the metrics
table and the tutorial view in their tab, and the residuals in theirs."""

from __future__ import annotations

from helpers import ARTIFACTS, wait_for_app


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
    page.wait_for_timeout(1500)
    # issue 22: the predictions chart, the verdict and the loss tab first; the scores and residuals one click away
    assert page.get_by_text("The model beats the naive baseline").count() == 1
    assert page.locator(".st-key-chart_train_predictions .js-plotly-plot").count() == 1
    assert page.locator(".js-plotly-plot .gtitle", has_text="Loss per epoch").count() == 1
    assert page.get_by_text("Metrics on the training windows").count() == 0  # not built until its tab is opened
    page.get_by_role("tab", name="Scores").click()
    page.get_by_text("Metrics on the training windows").first.wait_for(timeout=30_000)
    wait_for_app(page)
    assert page.get_by_text("The tutorial's view").count() == 1
    # the metrics table and the tutorial's: dataframes
    page.locator('[data-testid="stDataFrame"]').nth(1).wait_for(timeout=30_000)
    assert page.locator('[data-testid="stDataFrame"]').count() >= 2
    page.screenshot(path=str(ARTIFACTS / "train_scores.png"), full_page=True)
    page.get_by_role("tab", name="Residuals").click()
    page.locator(".st-key-chart_train_residuals .js-plotly-plot").wait_for(timeout=30_000)
    wait_for_app(page)
    assert page.locator('[data-testid="stPlotlyChart"]').count() >= 2  # predictions, residuals
    page.get_by_text("Finished 50 epochs").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "train.png"), full_page=True)
    assert page.get_by_text("Traceback").count() == 0
