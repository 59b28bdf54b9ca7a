"""Load the browser code of the elements a result draws before the page needs it.

Streamlit's frontend loads the code of most element types only when the first element of that type arrives
(a lazy chunk per type): a Plotly chart needs its 4.7 MB ``PlotlyChart`` chunk downloaded, parsed and run, a table
the ``DataFrame`` chunks (1.3 MB). On a page with no chart yet (the Train page before the first run) that
happened after the press of Train, between the results leaving the server and the predictions chart on screen:
1-2 s of the browser's time on the shared 2-core machine (a CPU profile of Chromium, issue 22). Here each session's
first page asks the browser, once it is idle, to import those chunks, at the same address Streamlit's own
``import()`` uses, so Streamlit later finds them in the browser's module map, already run.

Only a head start: a Streamlit whose chunks are named differently (another version) just loads them itself.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import streamlit as st

# The element types of a run's results and of the live view, by the name of their chunk in Streamlit's build.
LAZY_ELEMENTS = ("PlotlyChart", "DataFrame", "Table", "DownloadButton", "NumberInput", "Progress", "ProgressBar")
DONE_KEY = "_preload_done"  # session flag: the script was sent to this browser tab


@functools.cache
def chunk_names() -> tuple[str, ...]:
    """The file names of those chunks in the installed Streamlit (``PlotlyChart.D9Z0_fxz.js``, ...)."""
    static = Path(st.__file__).parent / "static" / "static" / "js"
    return tuple(sorted(p.name for element in LAZY_ELEMENTS for p in static.glob(f"{element}.*.js")))


def script(names: tuple[str, ...]) -> str:
    """The page script: once per document, when the browser is idle, import each chunk beside Streamlit's
    ``index`` module (its own lazy imports are relative to it)."""
    return f"""<script>
(() => {{
  if (window.__rlPreloaded) return;
  window.__rlPreloaded = true;
  const index = document.querySelector('script[type="module"][src*="/index."]');
  if (!index) return;
  const load = () => {{
    const names = {json.dumps(list(names))};
    Promise.allSettled(names.map((name) => import(new URL("./" + name, index.src).href))).then(() => {{
      window.__rlPreloadDone = true;  // read by bench/browser_timings.py
    }});
  }};
  if (window.requestIdleCallback) window.requestIdleCallback(load, {{timeout: 1500}});
  else setTimeout(load, 300);
}})();
</script>"""


def chunks_ui() -> None:
    """Send the preload script on a session's first run (a reload is a new session, so a new document gets it)."""
    if st.session_state.get(DONE_KEY) or not chunk_names():
        return
    st.session_state[DONE_KEY] = True
    with st.sidebar:
        st.html(script(chunk_names()), unsafe_allow_javascript=True)
