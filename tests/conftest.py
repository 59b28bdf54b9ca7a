"""Shared fixtures: a Keras warm-up, an AppTest factory, and a live app + Chromium for browser tests.

Plain helper functions and constants are in ``tests/helpers`` (``from helpers import ...``). Test files are named after
what they test (``rnn_lab/<pkg>/<module>.py`` -> ``test_<pkg>_<module>.py``, a page -> ``test_page_<page>.py``):
the rule and the map of which file tests which module are in ``tests/README.md``."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Plain helpers live in tests/helpers (import them from there); these names stay importable from conftest too.
from helpers import (  # noqa: F401
    ARTIFACTS,
    ASSETS_DATA,
    CHROMIUM,
    CLIPPED,
    ROOT,
    SHARED_DATA,
    _free_port,
    clipped_on_every_tab,
    streamlit_server,
    wait_for_app,
)

# the run store of the test session: a temporary directory, never the user's own data directory. Under pytest-xdist
# (`make test` runs two workers) each worker is a process of its own whose environment is copied from the controller,
# which has already set the directory here: each worker then takes a store of its own inside it (gw0/, gw1/), so no
# test sees another worker's runs.
os.environ.setdefault("RNN_LAB_DATA_DIR", tempfile.mkdtemp(prefix="rnnlab-test-data-"))
if os.environ.get("PYTEST_XDIST_WORKER"):
    _worker_dir = Path(os.environ["RNN_LAB_DATA_DIR"]).expanduser() / os.environ["PYTEST_XDIST_WORKER"]
    _worker_dir.mkdir(parents=True, exist_ok=True)
    os.environ["RNN_LAB_DATA_DIR"] = str(_worker_dir)
os.environ.setdefault("RNN_LAB_WARM_UP", "0")  # no background compiling on every Train page open (one test turns it on)

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


SLOW_LIST = Path(__file__).with_name("slow_tests.txt")


def _slow_functions() -> set[str]:
    """``file::function`` of every test listed in tests/slow_tests.txt (comments after ``#`` dropped)."""
    lines = (line.split("#", 1)[0].strip() for line in SLOW_LIST.read_text(encoding="utf-8").splitlines())
    return {line for line in lines if line}


def _heavy_files_first(items):
    """The items with the files that take longest first: those with a browser test, then those with a slow test, then
    the rest (each group, and each file's tests, in collection order). `make test` hands whole files to two workers
    (``--dist loadfile --no-loadscope-reorder``) in this order, so a file of a minute or two (the lessons walk, the
    server kills) is not the last one started while the other worker has nothing left to do. Every worker sorts the
    same collection the same way, as pytest-xdist requires."""
    group: dict[str, int] = {}
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        kind = 0 if item.get_closest_marker("browser") else 1 if item.get_closest_marker("slow") else 2
        group[path] = min(group.get(path, 2), kind)
    return sorted(items, key=lambda item: group[item.nodeid.split("::", 1)[0]])


def pytest_collection_modifyitems(config, items):
    """Mark tests for ``make test-fast`` (``-m "not browser and not slow"``) in one place:

    - ``browser``: every test that uses the browser fixture (directly or through ``page``), so a new browser test
      is marked without anyone remembering to;
    - ``slow``: the functions listed in tests/slow_tests.txt (measured), plus any test marked ``slow`` by hand.
    """
    slow = _slow_functions()
    seen = set()
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
        function = item.nodeid.split("[", 1)[0]
        if function in slow:
            item.add_marker(pytest.mark.slow)
            seen.add(function)
    if hasattr(config, "workerinput"):  # a pytest-xdist worker (`make test`): see _heavy_files_first
        items[:] = _heavy_files_first(items)
    if config.option.keyword or any("::" in str(arg) for arg in config.args):
        return  # a run narrowed to some tests collects only part of a file: nothing to judge
    whole_run = {item.nodeid.split("::", 1)[0] for item in items}
    stale = sorted(f for f in slow - seen if f.split("::", 1)[0] in whole_run)  # a file collected, the test gone
    if stale:
        config.issue_config_time_warning(
            pytest.PytestConfigWarning(f"tests/slow_tests.txt names tests that do not exist: {', '.join(stale)}"),
            stacklevel=2,
        )


@pytest.fixture(scope="session")
def keras():
    """Import Keras once per test session and run one tiny model (TF's first call is slow)."""
    import keras as keras_module
    import numpy as np

    model = keras_module.Sequential([keras_module.Input((2, 1)), keras_module.layers.SimpleRNN(1)])
    model(np.zeros((1, 2, 1), dtype="float32"))
    return keras_module


@pytest.fixture
def app_test():
    """Factory for an AppTest of the router, optionally switched to one page and language."""
    from streamlit.testing.v1 import AppTest

    def make(page: str | None = None, lang: str = "en", timeout: float = 120, **state):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
        at.session_state["lang"] = lang
        for key, value in state.items():
            at.session_state[key] = value
        at.run()
        if page:
            at.switch_page(page)
            at.run()
        return at

    return make


@pytest.fixture(scope="session")
def app_url():
    """One live app for the whole test session (browser tests share it)."""
    with streamlit_server() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright. Skips locally without it; fails in CI."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium not found at {CHROMIUM} (CI must install it: apt-get install -y chromium)")
        pytest.skip(f"no Chromium at {CHROMIUM}; install it with: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser tab (1280x800) for one test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    yield tab
    context.close()


from services import postgres_server, postgres_url  # noqa: E402,F401 - real PostgreSQL fixtures (the run store)
