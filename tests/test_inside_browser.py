"""Browser test: open Inside the cell, move the time-step slider with the keyboard, see the step change."""

from conftest import ARTIFACTS, wait_for_app


def test_inside_time_slider_moves(app_url, page):
    page.goto(app_url)
    wait_for_app(page)
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Inside the cell").click()
    wait_for_app(page)
    page.get_by_text("step t = 1 of 5").first.wait_for(timeout=120_000)  # first visit imports TensorFlow
    thumb = page.locator('[data-testid="stSlider"] input[type="range"]').first  # react-aria's hidden range input
    thumb.focus()
    thumb.press("ArrowRight")
    thumb.press("ArrowRight")
    page.get_by_text("step t = 3 of 5").first.wait_for(timeout=60_000)  # the fragment re-rendered
    wait_for_app(page)
    assert thumb.input_value() == "3"
    # counting toy window 0 = [0.0 .. 0.4]: x_3 = 0.20 is in the equation (KaTeX renders it as text)
    page.locator(".katex").filter(has_text="0.20").first.wait_for(timeout=30_000)
    delta = page.locator('[data-testid="stMetricValue"]').first.inner_text().strip()
    assert float(delta) < 1e-5
    page.set_viewport_size({"width": 1280, "height": 5200})  # Streamlit scrolls inside its own container
    page.wait_for_timeout(2500)  # let Plotly finish drawing before the screenshot
    page.screenshot(path=str(ARTIFACTS / "inside.png"), full_page=True)
