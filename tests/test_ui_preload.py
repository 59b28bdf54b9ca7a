"""ui.preload: the browser is asked to load the chunks of the result elements, and the names exist."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import preload


def test_the_chunks_are_found_in_the_installed_streamlit():
    names = preload.chunk_names()
    static = Path(st.__file__).parent / "static" / "static" / "js"
    # Streamlit's lazy chunk of a Plotly chart and of a dataframe: without them the preload would do nothing
    assert any(n.startswith("PlotlyChart.") for n in names) and any(n.startswith("DataFrame.") for n in names)
    assert all((static / n).is_file() and n.endswith(".js") for n in names)
    # Streamlit's own index module, whose address the script resolves them against, is what index.html loads
    index = (static.parent.parent / "index.html").read_text()
    assert 'type="module"' in index and "/static/js/index." in index.replace("./static", "/static")


def test_the_script_imports_each_chunk_once_per_document():
    text = preload.script(("PlotlyChart.abc.js", "DataFrame.def.js"))
    assert '"PlotlyChart.abc.js"' in text and '"DataFrame.def.js"' in text
    assert "window.__rlPreloaded" in text and "import(" in text


def test_sent_on_the_first_run_of_a_session_only(app_test):
    at = app_test()
    assert not at.exception
    scripts = [h for h in at.get("html") if "__rlPreloaded" in h.proto.body]
    assert len(scripts) == 1
    at.run()
    assert not [h for h in at.get("html") if "__rlPreloaded" in h.proto.body]
