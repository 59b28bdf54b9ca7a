"""Shared fixtures: a Keras warm-up, an AppTest factory, and a live app + Chromium for browser tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
SHARED_DATA = ROOT.parent / "shared" / "data"
ASSETS_DATA = ROOT / "assets" / "data"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# the run store of the test session: a temporary directory, never the user's own data directory
os.environ.setdefault("RNN_LAB_DATA_DIR", tempfile.mkdtemp(prefix="rnnlab-test-data-"))
os.environ.setdefault("RNN_LAB_WARM_UP", "0")  # no background compiling on every Train page open (one test turns it on)

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def streamlit_server():
    """`streamlit run app.py` on a free port, as a fresh server; yields its URL and stops it afterwards."""
    port = _free_port()
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    command += ["--server.headless", "true", "--server.fileWatcherType", "none"]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            proc.kill()
            pytest.fail("streamlit did not start: " + proc.stdout.read().decode(errors="replace")[-2000:])
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


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


def wait_for_app(tab) -> None:
    """Wait until Streamlit finished running the script (no 'running' indicator)."""
    tab.wait_for_selector('[data-testid="stApp"]')
    tab.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000, polling=200
    )


# Elements whose text is wider than their box and cut: an <input> (a select's value), or overflow/ellipsis.
# Plotly SVG and the canvas data grid are left out (they scroll or zoom by design).
CLIPPED = """() => {
  const out = [];
  for (const el of document.querySelectorAll('[data-testid="stMain"] *')) {
    const box = el.getBoundingClientRect();
    if (box.width < 5 || box.height < 5) continue;  // visually hidden helpers (screen-reader text)
    if (el.closest('.js-plotly-plot') || el.closest('[data-testid="stDataFrame"]')) continue;
    if (el.closest('details:not([open])')) continue;  // inside a closed expander: not shown
    const cs = getComputedStyle(el);
    const clips = el.tagName === 'INPUT' || ['hidden', 'clip', 'auto', 'scroll'].includes(cs.overflowX)
      || cs.textOverflow === 'ellipsis';
    if (clips && el.scrollWidth > el.clientWidth + 3) {  // 3 px: sub-pixel glyph overhang (KaTeX braces) is not a cut
      const keyed = el.closest('[class*="st-key-"]');
      const key = keyed ? [...keyed.classList].find(c => c.startsWith('st-key-')) : '';
      const box = el.closest('[data-testid]:not([data-testid="stMarkdownContainer"])');
      const where = `${key || (box ? box.getAttribute('data-testid') : '')}`;
      out.push(`${el.tagName} ${el.getAttribute('data-testid')} in ${where} (${el.scrollWidth} > ${el.clientWidth}): `
        + `${(el.value || el.innerText || '').slice(0, 60)}`);
    }
  }
  return out;
}"""


def clipped_on_every_tab(tab) -> list[str]:
    """:data:`CLIPPED` on the page as it is, then again with each of the page's tabs opened in turn."""
    found = tab.evaluate(CLIPPED)
    for tab_button in tab.locator('[data-testid="stMain"] [role="tab"]').all():
        tab_button.click()
        tab.wait_for_timeout(500)
        found += tab.evaluate(CLIPPED)
    return found


from services import postgres_server, postgres_url  # noqa: E402,F401 - real PostgreSQL fixtures (the run store)
