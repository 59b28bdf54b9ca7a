"""Browser test: home -> Architecture via the navigation, change the units, see the new total."""

import re

from helpers import ARTIFACTS, wait_for_app


def test_home_to_architecture_change_units(app_url, page):
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_role("heading", name="RNN Lab").first.wait_for()
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Architecture").click()
    wait_for_app(page)
    metric = page.locator('[data-testid="stMetricValue"]').first
    metric.wait_for(timeout=120_000)  # first visit imports TensorFlow
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stMetricValue\"]')?.innerText.trim() === '131'",
        timeout=120_000,
    )
    units = page.get_by_role("spinbutton", name=re.compile(r"Units of layer 1"))
    units.fill("20")
    units.press("Enter")
    # SimpleRNN(20) on (5, 1): 20*20 + 20*1 + 20 = 440, Dense(1): 21
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stMetricValue\"]')?.innerText.trim() === '461'",
        timeout=60_000,
    )
    wait_for_app(page)
    assert metric.inner_text().strip() == "461"
    page.get_by_text("d = 1, units = 20").first.wait_for(state="visible", timeout=30_000)  # the formula heading too
    page.screenshot(path=str(ARTIFACTS / "architecture.png"), full_page=True)
