"""Issue 27 in Chromium: the Samsung export with a null block, uploaded through the Data page. The series chart
draws the filled values the model trains on (flat) and the page names the gap; screenshot in tests/artifacts."""

from conftest import ARTIFACTS, wait_for_app
from helpers import samsung_with_nulls


def test_the_gap_is_drawn_flat_and_named(page, app_url, tmp_path):
    path = tmp_path / "005930.KS.csv"
    path.write_bytes(samsung_with_nulls())
    page.goto(f"{app_url}/data?data_source_kind=upload")
    wait_for_app(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    page.get_by_text("Read 005930.KS.csv: 1,226 rows.").wait_for(timeout=60_000)
    wait_for_app(page)
    named = "68 values of Close in a row were filled, 2019-02-07 to 2019-05-16"
    page.get_by_text(named).first.wait_for(timeout=60_000)  # under load the rerun after the upload can lag
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "68 values of Close in a row were filled, 2019-02-07 to 2019-05-16" in body and "Traceback" not in body
    page.get_by_role("tab", name="The series").click()
    chart = page.locator(".st-key-data_series_chart")
    chart.scroll_into_view_if_needed()
    assert chart.get_by_text("filled by cleaning (what the model sees)").count() == 1  # the legend entry
    page.wait_for_timeout(1000)
    chart.screenshot(path=str(ARTIFACTS / "data_filled_gap.png"))
