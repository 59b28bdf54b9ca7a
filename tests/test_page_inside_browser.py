"""Browser test: the Inside page's step view redraws in the browser, with no server round trip, then tells the server.

Counting toy, SimpleRNN(10), training window 0 = [0.0, 0.1, 0.2, 0.3, 0.4]: x_t of step t is (t - 1) / 10.
"""

from helpers import ARTIFACTS, settle, wait_for_app

SLIDER = "input.rl-slider"  # the step view's range input (inside the component's shadow root; Playwright pierces it)


def _x_t(page) -> str:
    """The number in the x_t row of the (forward) value table."""
    return page.locator('tr[data-name="x"] td').first.inner_text().strip()


def test_inside_step_view_moves_without_a_server_round_trip(app_url, page):
    sent = []  # websocket frames the browser sends to the server (a rerun request is one)
    page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(frame)))
    page.goto(app_url)
    wait_for_app(page)
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Inside the cell").click()
    wait_for_app(page)
    page.locator(".rl-now").filter(has_text="t = 1 / 5").wait_for(timeout=120_000)  # first visit imports TensorFlow
    wait_for_app(page)
    assert _x_t(page) == "0.00"
    delta = page.locator('[data-testid="stMetricValue"]').first.inner_text().strip()
    assert float(delta) < 1e-5

    # 1. Move the slider and read the screen in the same JavaScript task: the browser cannot have received
    #    anything from the server in between, so what changed was drawn from the data it already had.
    shown = page.locator(SLIDER).evaluate(
        """(slider) => {
            const root = slider.getRootNode();
            const before = root.querySelector('tr[data-name="x"] td').textContent;
            slider.value = "4";
            slider.dispatchEvent(new Event("input", {bubbles: true}));
            return {
                before,
                now: root.querySelector(".rl-now").textContent,
                x: root.querySelector('tr[data-name="x"] td').textContent,
                heading: root.querySelector(".rl-heading").textContent,
                bars: root.querySelector(".rl-bars-title").textContent,
                running: !!document.querySelector('[data-testid="stStatusWidget"]'),
            };
        }"""
    )
    assert shown["before"] == "0.00"
    assert shown["now"] == "t = 4 / 5" and shown["x"] == "0.30"
    assert "step t = 4 of 5" in shown["heading"] and "t = 4" in shown["bars"]
    assert "c" not in shown["bars"].replace("per unit at", "")  # a SimpleRNN has no c_t
    assert not shown["running"]  # no rerun started

    # 2. The keyboard, as a user moves it (the step is sent only after a quiet half second).
    slider = page.locator(SLIDER)
    slider.focus()
    before = len(sent)
    slider.press("ArrowLeft")
    slider.press("ArrowLeft")
    assert page.locator(".rl-now").inner_text() == "t = 2 / 5" and _x_t(page) == "0.10"
    # 3. After the user lets go, the step reaches the server once: the session and the shareable link follow.
    page.wait_for_url("**inside_step=2**", timeout=30_000)
    assert len(sent) > before
    wait_for_app(page)
    assert page.locator(".rl-now").inner_text() == "t = 2 / 5" and _x_t(page) == "0.10"  # the echo did not move it
    page.set_viewport_size({"width": 1280, "height": 3600})  # Streamlit scrolls inside its own container
    settle(page)  # laid out at that height, filled in, every figure drawn
    page.screenshot(path=str(ARTIFACTS / "inside.png"), full_page=True)


def test_inside_step_view_plays_and_opens_at_the_linked_step_in_korean(app_url, page):
    """A link's step opens there; Play walks to the last step in the browser; Korean labels."""
    page.goto(f"{app_url}/inside?lang=ko&arch_cell=LSTM&arch_units_1=3&inside_step=3")
    wait_for_app(page)
    now = page.locator(".rl-now")
    now.filter(has_text="t = 3 / 5").wait_for(timeout=120_000)
    assert "t = 3에서 유닛별" in page.locator(".rl-bars-title").inner_text()
    assert page.locator('tr[data-name="c_prev"]').count() == 1  # LSTM rows: c_{t-1} ... o_t, c_t, h_t
    page.get_by_role("button", name="▶ 재생").click()
    now.filter(has_text="t = 5 / 5").wait_for(timeout=10_000)
    page.get_by_role("button", name="▶ 재생").wait_for(timeout=10_000)  # Play stops at the last step
    page.wait_for_url("**inside_step=5**", timeout=30_000)
