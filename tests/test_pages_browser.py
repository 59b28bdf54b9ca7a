"""Every page in a real browser, in both languages and both modes (issue 14 items 3 and 8).

One session per (language, mode) walks Home, Architecture, Data, Train (after a training, so the results,
runs and exports are on the page), Inside and Lessons through the sidebar, opening every tab. On each:
no element's text is cut (scrollWidth > clientWidth on an element that clips), no request leaves this
machine (the app works offline), and nothing is logged as an error in the browser console.
Screenshots: tests/artifacts/pages_<lang>_<mode>_<page>.png.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from helpers import ARTIFACTS, clipped_on_every_tab, settle, wait_for_app

PAGES = ("", "architecture", "data", "train", "inside", "lessons")  # "" is Home


def _open(tab, name: str) -> None:
    if name:
        tab.locator(f'[data-testid="stSidebarNavLink"][href$="/{name}"]').first.click()
    else:
        tab.locator('[data-testid="stSidebarNavLink"]').first.click()
    tab.wait_for_timeout(300)
    wait_for_app(tab)


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("projection", [False, True], ids=["normal", "projection"])
def test_every_page_fits_works_offline_and_logs_no_error(page, app_url, lang, projection):
    host = urlparse(app_url).hostname
    outside: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname not in (host, None) else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    mode = "projection" if projection else "normal"
    page.goto(f"{app_url}/?lang={lang}" + ("&projection=1" if projection else ""))
    wait_for_app(page)
    problems: dict[str, list[str]] = {}
    for name in PAGES:
        _open(page, name)
        if name == "train":
            page.locator(".st-key-btn_train_start button").click()
            exports = page.locator('[class*="st-key-btn_train_dl_model"]')  # results, exports, runs
            exports.first.wait_for(timeout=120_000)
            wait_for_app(page)
        page.set_viewport_size({"width": 1280, "height": 4000})  # the app scrolls inside: lay it all out
        settle(page)  # laid out at that height, every figure drawn
        page.screenshot(path=str(ARTIFACTS / f"pages_{lang}_{mode}_{name or 'home'}.png"))
        cut = clipped_on_every_tab(page)
        page.set_viewport_size({"width": 1280, "height": 800})
        if cut:
            problems[name or "home"] = [" ".join(c.split())[:90] for c in cut]
        assert page.get_by_text("Traceback").count() == 0
    assert problems == {}, problems
    assert outside == [], f"requests to other hosts (offline they fail): {outside}"
    assert errors == [], errors


CLASSIFY = (
    "task=classify&data_source_kind=digits&data_digits_limit=200&data_val_frac=0.1"
    "&train_loss=sparse_categorical_crossentropy&arch_units_1=8&arch_timesteps=28&arch_features=28"
    "&arch_dense_units=10&train_epochs=1"
)


def _walk_task_pages(page, url: str, shots: str, on_train) -> None:
    """Open every page from ``url`` (a link setting up a task), ``on_train(page)`` on the Train page (train,
    generate...); a tall screenshot of each (tests/artifacts/pages_<shots>_<page>.png), nothing clipped, no
    traceback, no console error."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    wait_for_app(page)
    problems: dict[str, list[str]] = {}
    for name in ("architecture", "data", "train", "inside", "lessons"):
        _open(page, name)
        if name == "train":
            on_train(page)
        page.set_viewport_size({"width": 1280, "height": 5000})
        settle(page)  # laid out at that height, every figure drawn
        page.screenshot(path=str(ARTIFACTS / f"pages_{shots}_{name}.png"))
        cut = clipped_on_every_tab(page)
        page.set_viewport_size({"width": 1280, "height": 800})
        if cut:
            problems[name] = [" ".join(c.split())[:90] for c in cut]
        assert page.get_by_text("Traceback").count() == 0
    assert problems == {}, problems
    assert errors == [], errors


def _trained(page, button: str) -> None:
    page.locator(f".st-key-{button} button").first.click()
    page.locator('[class*="st-key-btn_train_dl_model"]').first.wait_for(timeout=300_000)
    wait_for_app(page)


@pytest.mark.parametrize(("lang", "projection"), [("en", False), ("ko", True)], ids=["en-normal", "ko-projection"])
def test_every_page_fits_with_the_classify_task(page, app_url, lang, projection):
    """The same walk with the digits task (issue 10), the Architecture page on Conv1D, and the Compare view."""
    mode = "projection" if projection else "normal"
    url = f"{app_url}/?lang={lang}&{CLASSIFY}&arch_family=conv1d" + ("&projection=1" if projection else "")
    _walk_task_pages(page, url, f"classify_{lang}_{mode}", lambda p: _trained(p, "btn_train_compare_all"))


TEXT = (
    "task=next_token&data_source_kind=text&data_text=tiny-ko&data_text_padding=post&data_text_maxlen=20"
    "&train_loss=sparse_categorical_crossentropy&arch_units_1=8&arch_embedding=1&arch_embedding_dim=8"
    "&arch_return_sequences=1&arch_timesteps=20&train_epochs=5"
)


def _trained_and_generated(page) -> None:
    _trained(page, "btn_train_start")
    page.locator(".st-key-btn_text_generate button").first.click()
    page.locator(".st-key-text_generated").first.wait_for(timeout=60_000)
    wait_for_app(page)


@pytest.mark.parametrize(("lang", "projection"), [("en", True), ("ko", False)], ids=["en-projection", "ko-normal"])
def test_every_page_fits_with_the_text_task(page, app_url, lang, projection):
    """The same walk with a language model on the tiny Korean corpus (issue 11), in the two modes the Korean
    projection walk of test_page_train_text_browser does not cover: trained, a line generated, every page unclipped."""
    mode = "projection" if projection else "normal"
    url = f"{app_url}/?lang={lang}&{TEXT}" + ("&projection=1" if projection else "")
    _walk_task_pages(page, url, f"text_{lang}_{mode}", _trained_and_generated)
