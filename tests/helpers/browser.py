"""The live app (``streamlit run app.py`` on a free port) and what the browser tests ask of a page."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from helpers.paths import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_streamlit(env: dict | None = None, port: int | None = None) -> tuple[subprocess.Popen, str]:
    """`streamlit run app.py` on ``port`` (a free one by default) with ``env`` (default: this process's), once it
    answers its health check: ``(process, URL)``. The caller stops it (:func:`stop_streamlit`)."""
    port = port or free_port()
    env = dict(env if env is not None else os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    command += ["--server.headless", "true", "--server.fileWatcherType", "none"]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                return proc, url
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.3)
    proc.kill()
    pytest.fail("streamlit did not start: " + proc.stdout.read().decode(errors="replace")[-2000:])


def stop_streamlit(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def streamlit_server():
    """`streamlit run app.py` on a free port, as a fresh server; yields its URL and stops it afterwards."""
    proc, url = start_streamlit()
    try:
        yield url
    finally:
        stop_streamlit(proc)


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


# Two animation frames: the layout and paint of what was just changed are done.
_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"
# The page's run is over: its main area has text, no element is a placeholder still waiting for its content
# (stSkeleton) or left from the run before (data-stale), and every visible Plotly figure has drawn its SVG. (The
# status widget wait_for_app looks for is not always shown: after a page switch the page can go on filling in for
# seconds without it.)
_READY = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main || !main.innerText.trim()) return false;
  if (document.querySelector('[data-testid="stSkeleton"], [data-stale="true"]')) return false;
  return [...document.querySelectorAll('.js-plotly-plot')]
    .filter(p => p.getBoundingClientRect().width > 0).every(p => p.querySelector('.main-svg'));
}"""


def settle(tab, timeout: float = 60_000) -> None:
    """Wait (polling) until the page's run has filled the page in (:data:`_READY`) and it is laid out and painted."""
    tab.wait_for_function(_READY, timeout=timeout, polling=100)
    tab.evaluate(_FRAMES)


def clipped_on_every_tab(tab) -> list[str]:
    """:data:`CLIPPED` on the page as it is, then again with each of the page's tabs opened in turn."""
    found = tab.evaluate(CLIPPED)
    for tab_button in tab.locator('[data-testid="stMain"] [role="tab"]').all():
        tab_button.click()
        tab_button.and_(tab.locator('[aria-selected="true"]')).wait_for()  # the tab is the open one
        settle(tab)
        found += tab.evaluate(CLIPPED)
    return found
