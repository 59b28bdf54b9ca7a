"""Upload a file through the real Data page in Chromium; the screenshot goes to tests/artifacts/data.png."""

from conftest import ARTIFACTS, wait_for_app

CSV = "Date,Open,High,Low,Close,Volume\n" + "".join(
    f'2021-{m:02d}-{d:02d},{100 + i},{102 + i},{99 + i},{101 + i + (i % 3)},"{1000 + 10 * i:,}"\n'
    for i, (m, d) in enumerate((m, d) for m in range(1, 4) for d in range(1, 29))
)


def test_upload_through_the_page(page, app_url, tmp_path):
    path = tmp_path / "prices.csv"
    path.write_text(CSV)
    # as a student does: open the home page, then the Data page from the navigation
    page.goto(app_url)
    wait_for_app(page)
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Data", exact=True).click()
    wait_for_app(page)
    page.get_by_text("Upload a file", exact=True).click()
    wait_for_app(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    page.get_by_text("Read prices.csv: 84 rows.").wait_for(timeout=60_000)
    wait_for_app(page)
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "upload:prices.csv" in body and "Traceback" not in body
    assert "X_train (" in body
    page.get_by_role("tab", name="The series").click()
    page.set_viewport_size({"width": 1280, "height": 4200})  # Streamlit scrolls inside the app: grow the window
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "data.png"))
    page.set_viewport_size({"width": 1280, "height": 800})
    # a bad file: a plain message, the good file stays active
    bad = tmp_path / "photo.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(bad))
    page.get_by_text("This is an image (PNG)").wait_for(timeout=60_000)
    wait_for_app(page)
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "upload:prices.csv" in body and "Traceback" not in body
    page.screenshot(path=str(ARTIFACTS / "data_bad_upload.png"), full_page=True)
