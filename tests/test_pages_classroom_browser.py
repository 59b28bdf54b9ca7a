"""In a real browser: switch to Korean and to projection mode through the sidebar, visit every page in both
modes (screenshots under tests/artifacts/), no horizontal scrolling at 1280x720, and a copied link that
restores the experiment in a fresh browser."""

from __future__ import annotations

import time
from urllib.parse import parse_qsl, urlsplit

from helpers import ARTIFACTS, settle, streamlit_server, wait_for_app

from rnn_lab.i18n import t

VIEWPORT = {"width": 1280, "height": 720}


def _pages() -> list[tuple[str, str]]:
    """(url path, nav message key) of every page of the router."""
    import app

    out = []
    for entries in app.PAGES.values():
        for path, name, _ in entries:
            stem = path.rsplit("/", 1)[-1].removesuffix(".py")
            out.append(("" if name == "home" else stem, name))
    return out


def _settle(tab) -> None:
    """Wait for the router's sidebar, then for the script run to finish."""
    tab.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.wait_for(timeout=60_000)
    time.sleep(0.6)  # let a rerun start before waiting for it to end
    wait_for_app(tab)
    # Elements of the previous run stay dimmed ("stale") until the new run redraws or removes them.
    tab.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=60_000, polling=200)


def _query(tab) -> dict[str, str]:
    """The experiment in the address bar (which never holds ``ws``, the browser's workspace token: issue 26)."""
    query = dict(parse_qsl(urlsplit(tab.url).query))
    assert "ws" not in query, tab.url
    return query


def _workspace(tab) -> str | None:
    """The workspace token this browser keeps (its cookie: the address bar does not show it)."""
    kept = {c["name"]: c for c in tab.context.cookies()}.get("rnn_lab_ws")
    return kept and kept["value"]


def _overflow(tab) -> dict:
    """How far the page (and Streamlit's own scroll containers) are wider than the window."""
    return tab.evaluate(
        """() => {
            const out = {doc: document.documentElement.scrollWidth - window.innerWidth};
            for (const id of ['stMain', 'stAppViewContainer', 'stSidebarContent']) {
                const el = document.querySelector(`[data-testid="${id}"]`);
                if (el) out[id] = el.scrollWidth - el.clientWidth;
            }
            return out;
        }"""
    )


def _open_page(tab, path: str, lang: str) -> None:
    name = dict(_pages())[path]
    link = tab.locator('[data-testid="stSidebarNav"] a').filter(has_text=t(f"common.nav.{name}", lang)).first
    link.click()
    tab.wait_for_url(lambda url: urlsplit(url).path.strip("/") == path, timeout=30_000)
    _settle(tab)


def _visit_every_page(tab, lang: str, mode: str) -> list[str]:
    problems = []
    for path, name in _pages():
        _open_page(tab, path, lang)
        settle(tab)  # filled in, figures drawn
        shot = ARTIFACTS / f"classroom_{name}_{lang}_{mode}.png"
        tab.screenshot(path=str(shot), full_page=True)
        query = _query(tab)
        if query.get("lang") != lang or (mode == "projection") != (query.get("projection") == "1"):
            problems.append(f"{name}: the address bar lost the settings: {tab.url}")
        if tab.locator('[data-testid="stException"]').count():
            problems.append(f"{name}: shows an exception")
        too_wide = {k: v for k, v in _overflow(tab).items() if v > 0}
        if too_wide:
            problems.append(f"{name} ({mode}): horizontal scrolling at 1280x720 {too_wide}")
        font = tab.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
        if mode == "projection" and font < 20:
            problems.append(f"{name}: base font {font}px in projection mode")
    return problems


def test_korean_and_projection_on_every_page(page, app_url):
    tab = page
    tab.set_viewport_size(VIEWPORT)
    tab.goto(app_url)
    _settle(tab)
    sidebar = tab.locator('[data-testid="stSidebar"]')
    assert sidebar.get_by_text(t("common.language", "en")).count()

    # Switch to Korean with the sidebar selectbox.
    sidebar.locator('[data-testid="stSelectbox"]').first.click()
    tab.get_by_role("option", name="한국어").click()
    _settle(tab)
    assert tab.get_by_text(t("common.app_title", "ko")).count()
    assert _query(tab).get("lang") == "ko"
    problems = _visit_every_page(tab, "ko", "normal")

    # Projection mode with the sidebar toggle.
    sidebar.get_by_text(t("common.projection", "ko"), exact=True).click()
    _settle(tab)
    assert _query(tab).get("projection") == "1"
    problems += _visit_every_page(tab, "ko", "projection")
    assert problems == []


def test_copied_link_restores_the_experiment_in_a_fresh_browser(browser, app_url):
    teacher = browser.new_context(viewport=VIEWPORT, locale="en-US").new_page()
    teacher.goto(f"{app_url}/data?arch_cell=GRU&arch_units_1=7&data_window=7&lang=ko&projection=1&simple_mode=1")
    _settle(teacher)
    assert _query(teacher)["arch_cell"] == "GRU"
    teacher.locator('[data-testid="stSidebar"]').get_by_text(t("classroom.link.title", "ko")).click()
    link = teacher.locator('[data-testid="stSidebar"] [data-testid="stCode"]').first.inner_text().strip()
    assert link.startswith(f"{app_url}/data?"), link
    params = dict(parse_qsl(urlsplit(link).query))
    assert params == {k: v for k, v in _query(teacher).items() if k != "projection"}  # the teacher's large print stays

    student = browser.new_context(viewport=VIEWPORT, locale="en-US").new_page()  # a fresh browser, English
    student.goto(link)
    _settle(student)
    assert urlsplit(student.url).path.strip("/") == "data"
    assert _query(student) == params
    assert "ws=" not in link and _workspace(student) and _workspace(student) != _workspace(teacher)  # own workspace
    assert student.get_by_text(t("common.nav.data", "ko")).count()
    student.screenshot(path=str(ARTIFACTS / "classroom_link_student.png"), full_page=True)
    teacher.context.close()
    student.context.close()


def test_korean_browser_gets_korean(browser, app_url):
    tab = browser.new_context(viewport=VIEWPORT, locale="ko-KR").new_page()
    tab.goto(app_url)
    _settle(tab)
    assert tab.get_by_text(t("common.app_title", "ko")).count()
    assert _query(tab).get("lang") == "ko"
    tab.context.close()


def test_deep_link_on_fresh_server(browser):
    """The first visitor of a just-started server opens a shared link to a page (not the home page).

    This is why pages live in app_pages/: with a folder named pages/ beside app.py, Streamlit 1.67 runs such a
    page alone (no router, no settings from the link) until app.py's st.navigation has run once in the process."""
    with streamlit_server() as url:
        tab = browser.new_context(viewport=VIEWPORT).new_page()
        tab.goto(f"{url}/lessons?lang=ko&arch_cell=GRU")
        _settle(tab)
        tab.screenshot(path=str(ARTIFACTS / "classroom_deep_link_fresh_server.png"))
        nav = tab.locator('[data-testid="stSidebarNav"]').inner_text()
        assert t("common.nav.lessons", "ko") in nav  # the router's translated navigation, not file names
        assert _query(tab).get("arch_cell") == "GRU" and _query(tab).get("lang") == "ko"
        tab.context.close()


def test_a_lesson_in_the_browser(browser, app_url):
    """Start lesson 1 from the Lessons page in Korean projection mode: it opens its page with the panel, Next moves on."""
    tab = browser.new_context(viewport=VIEWPORT).new_page()
    tab.goto(f"{app_url}/lessons?lang=ko&projection=1")
    _settle(tab)
    tab.get_by_role("button", name=t("classroom.start", "ko")).first.click()
    tab.wait_for_url(lambda url: urlsplit(url).path.strip("/") == "architecture", timeout=60_000)
    _settle(tab)
    query = _query(tab)
    assert (query["lesson"], query["simple_mode"], query["lang"], query["projection"]) == ("shapes", "1", "ko", "1")
    sidebar = tab.locator('[data-testid="stSidebar"]')
    step_title = sidebar.get_by_text(t("classroom.lessons.shapes.steps.s1.title", "ko"))
    assert step_title.count()
    step_title.scroll_into_view_if_needed()
    tab.wait_for_timeout(1500)
    tab.screenshot(path=str(ARTIFACTS / "classroom_lesson_panel_ko_projection.png"))
    sidebar.get_by_role("button", name=t("classroom.panel.next", "ko")).click()
    tab.wait_for_url(lambda url: "lesson_step=1" in url, timeout=60_000)
    _settle(tab)
    assert sidebar.get_by_text(t("classroom.lessons.shapes.steps.s2.title", "ko")).count()
    assert {k: v for k, v in _overflow(tab).items() if v > 0} == {}
    tab.context.close()


def test_the_workspace_link_leaves_the_address_bar_and_the_cookie_keeps_it(browser, app_url):
    """Issues 24/26: ``/?ws=TOKEN`` opens the workspace, the token moves from the address bar into a cookie kept
    a year; a reload, another page and an experiment's share link opened in the same browser find that workspace."""
    import json
    import os
    import subprocess
    import sys

    from helpers import ROOT

    from rnn_lab.store import new_token

    token = new_token()
    # a saved run in the server's store (same RNN_LAB_DATA_DIR): trained by the command line
    out = subprocess.run(
        [sys.executable, "-m", "rnn_lab", "train", "--data", "toy:counting", "--units", "4", "--epochs", "2"]
        + ["--save-run", f"--workspace={token}", "--json"],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    from rnn_lab.store import default_store

    name = default_store().run_record(token, json.loads(out.stdout)["run_id"])["name"]
    tab = browser.new_context(viewport=VIEWPORT, locale="en-US").new_page()
    tab.goto(f"{app_url}/?ws={token}")
    _settle(tab)
    tab.wait_for_function("() => !location.search.includes('ws=')", timeout=30_000)
    assert token not in tab.url and _workspace(tab) == token
    kept = {c["name"]: c for c in tab.context.cookies()}["rnn_lab_ws"]
    assert kept["sameSite"] == "Lax" and kept["expires"] > time.time() + 300 * 24 * 3600  # not a session cookie
    sidebar = tab.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text(t("store.ui.title", "en")).click()  # outside projection mode the link is shown to copy
    assert any(f"ws={token}" in c for c in sidebar.locator('[data-testid="stCode"]').all_inner_texts())

    tab.goto(f"{app_url}/train")  # another page (a new session of the same browser): no ws in the address
    _settle(tab)
    tab.get_by_text(name).first.wait_for(timeout=60_000)
    tab.reload()
    _settle(tab)
    tab.get_by_text(name).first.wait_for(timeout=60_000)
    assert "ws=" not in tab.url

    tab.goto(f"{app_url}/train?arch_units_1=7")  # an experiment's share link (no ws) in this browser
    _settle(tab)
    tab.get_by_text(name).first.wait_for(timeout=60_000)  # the same workspace, not a new one
    assert _query(tab) == {"arch_units_1": "7"} and _workspace(tab) == token
    tab.screenshot(path=str(ARTIFACTS / "classroom_workspace_cookie.png"), full_page=True)
    tab.context.close()
