"""Helpers every page uses: the current language, messages, figures, errors, settings.

Conventions (see README "Where things are"):
- A widget whose value is part of the experiment uses a key declared in
  ``rnn_lab.settings`` (e.g. ``arch_cell``). The router puts every such key into
  ``st.session_state`` with its default before any page runs and keeps it alive
  across pages, so widgets are created with ``key=...`` only (no ``value=``/``index=``).
- Buttons, uploaders and other one-shot widgets use keys starting with ``btn_`` or
  ``upload_``; those are never stored or put in links.
"""

from __future__ import annotations

import sys

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from rnn_lab import i18n
from rnn_lab.settings import all_settings
from rnn_lab.style import style_figure
from rnn_lab.train.scheduler import default_scheduler

_last_lang = "en"  # the language of the latest script run, for calls made outside a run (see lang)


def lang() -> str:
    """The session's language. Outside a script run (AppTest formats widget options with ``format_func``
    from the test thread, where there is no session) it is the language of the latest run."""
    global _last_lang
    if get_script_run_ctx() is None:
        return _last_lang
    value = st.session_state.get("lang", "en")
    _last_lang = value if value in i18n.LANGUAGES else "en"
    return _last_lang


def t(key: str, **values) -> str:
    """The message ``key`` in the current language."""
    return i18n.t(key, lang(), **values)


def projection() -> bool:
    return bool(st.session_state.get("projection", False))


def show_advanced() -> bool:
    """False when a lesson hides the advanced controls; wrap advanced widgets in ``if show_advanced():``."""
    return not bool(st.session_state.get("simple_mode", False))


def plot(fig, key: str | None = None, height: int | None = None, **kwargs):
    """Show a Plotly figure with the app's styling (the only way pages draw figures)."""
    style_figure(fig, projection=projection(), height=height)
    return st.plotly_chart(fig, key=key, width="stretch", config={"displaylogo": False}, **kwargs)


NO_VALUE = "—"  # an empty cell of a table (a lone "-" in st.table's Markdown cells draws a bullet)


def show_table(data, hide_index: bool = False, static: bool = False, **kwargs):
    """Show a table: an interactive st.dataframe, or in projection mode (or ``static``) a plain st.table.

    st.dataframe draws on a canvas whose font does not follow the page's CSS, so in projection mode it stays
    small and clips its last columns; st.table is HTML and takes the projection font and wraps. Wide tables
    (the runs, eleven columns) are ``static`` in both modes, so no column hides behind a scroll bar.
    """
    if projection() or static:
        if hasattr(data, "map") and hasattr(data, "style"):  # st.table reads a cell as Markdown: "-" is a bullet
            data = data.map(lambda v: NO_VALUE if isinstance(v, str) and v.strip() in ("-", "*", "+") else v)
        if hide_index and hasattr(data, "style"):
            data = data.style.hide(axis="index")
        return st.table(data)
    return st.dataframe(data, hide_index=hide_index, **kwargs)


def styled(fig, height: int | None = None):
    """Style a figure without drawing it (for st.plotly_chart updates inside placeholders)."""
    return style_figure(fig, projection=projection(), height=height)


def error(message: str, hint: str | None = None) -> None:
    """A plain, friendly problem message (never a traceback)."""
    st.error(message + (f"\n\n{hint}" if hint else ""), icon=":material/error:")


def init_settings() -> None:
    """Give every declared setting its default and keep widget values alive across pages.

    Streamlit forgets the value of a widget that is not drawn in a run (e.g. after
    switching pages); assigning the value back to session_state keeps it.
    """
    state = st.session_state
    values = state.to_dict()  # read once: ~90 reads through the session-state proxy cost 4x as much
    for key, setting in all_settings().items():
        state[key] = values[key] if key in values else setting.default


def tf_spinner():
    """Spinner shown while TensorFlow is imported for the first time."""
    return st.spinner(t("common.loading_tf"))


def keep_keras_session() -> None:
    """Stop Streamlit from calling ``keras.backend.clear_session()`` after every script run.

    Streamlit's script runner clears Keras' global state after each run (``_clean_problem_modules``):
    with TensorFlow loaded that costs ~0.5 s of held GIL per run, and while one session trains in a
    background thread, another session's rerun (or this page's 0.25 s live fragment) would reset the
    graph state under it. RNN Lab keeps every model in its own session and never relies on Keras'
    global name counters, so the clearing is skipped; matplotlib figures are still closed.
    """
    from streamlit.runtime.scriptrunner import script_runner

    if getattr(script_runner, "_rnn_lab_keeps_keras", False):
        return

    def clean_without_keras() -> None:
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is not None:
            try:
                plt.close("all")
            except Exception:  # noqa: BLE001, S110 - as Streamlit does: never crash the app here
                pass

    script_runner._clean_problem_modules = clean_without_keras
    script_runner._rnn_lab_keeps_keras = True


SWITCH_INTERVAL = 0.002  # seconds: CPython's GIL switch interval on the server (its default is 0.005)


def share_the_gil() -> None:
    """Hand the GIL between the server's threads every 2 ms instead of every 5 ms.

    A page rerun gives up the GIL dozens of times (each element it sends wakes the event loop through a socket;
    a spinner starts a thread) and each time waits for it to come back: up to one switch interval while a training
    thread, another student's rerun or a live-view poll runs Python. With two Python threads busy in the server,
    an Architecture rerun of 50 ms alone took 0.57 s at 5 ms and 0.20 s at 1 ms (issue 22). In the class of 30 on a
    fresh server, 2 ms did best (1 ms slowed the first trainings' compilation: max 9.6-11.7 s; docs/benchmarks.md,
    end of issue 22). ``RNN_LAB_SWITCH_INTERVAL``
    (seconds) overrides it; a bad value keeps the default."""
    import os

    try:
        interval = float(os.environ.get("RNN_LAB_SWITCH_INTERVAL", SWITCH_INTERVAL))
    except ValueError:
        interval = SWITCH_INTERVAL
    if not 0 < interval <= 1:
        interval = SWITCH_INTERVAL
    if sys.getswitchinterval() != interval:
        sys.setswitchinterval(interval)


def session_id() -> str:
    """This browser session's id: the scheduler queues jobs per session and frees them when the session ends."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else ""


WHOLE_RUN_KEY = "_whole_run_wanted"  # not a setting: a callback changed what the whole page draws


def want_whole_run() -> None:
    """From a widget's callback inside a fragment: the run that follows must be of the whole page (the callback
    changed settings that widgets outside the fragment show, or the data the page prepares)."""
    st.session_state[WHOLE_RUN_KEY] = True


def whole_run_wanted() -> bool:
    """Whether a callback asked for a whole run (:func:`want_whole_run`); asking again needs a new call."""
    return bool(st.session_state.pop(WHOLE_RUN_KEY, False))


def fragment_alone() -> bool:
    """Whether this run is of a fragment alone (a widget inside it), not of the whole page: then the router's code
    around the page (the address bar, the sidebar) did not run. AppTest always runs the whole script."""
    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


REAP_EVERY = 5.0  # seconds between checks for sessions that ended


@st.cache_resource(show_spinner=False)
def start_session_reaper():
    """Once per server: a thread that cancels the queued and running jobs of sessions gone longer than Streamlit
    keeps a disconnected session (server.disconnectedSessionTTL), so a closed tab frees its place and memory."""
    import threading
    import time

    from streamlit import runtime

    if not runtime.exists():  # AppTest and bare runs: no server, no sessions to watch
        return None
    server = runtime.get_instance()
    grace = float(st.get_option("server.disconnectedSessionTTL"))

    def watch() -> None:
        while True:
            time.sleep(REAP_EVERY)
            try:
                reap = getattr(default_scheduler(), "reap_sessions", None)  # another backend may do it itself
                if reap is not None:
                    reap(server.is_active_session, grace)
            except Exception:  # noqa: BLE001 - the watcher must outlive any one failed check
                continue

    thread = threading.Thread(target=watch, name="rnn-lab-session-reaper", daemon=True)
    thread.start()
    return thread


JOB_KEY = "job_train"  # the session's training job (ui.train; ui.workspace resumes into it)


# ---- addresses and settings shared by the sidebar boxes (classroom, workspace) --------------------------


def page_url() -> str:
    """This page's address without the query (``st.context.url``; a relative path when unknown, as in tests)."""
    url = st.context.url
    if url:
        return url
    page = st.session_state.get("_page_path", "")
    return "/" + page


def app_root() -> str:
    """The app's address without the current page's path (so links to other pages can be built)."""
    url = page_url().rstrip("/")
    current = st.session_state.get("_page_path", "")
    if current and url.endswith("/" + current):
        url = url[: -len(current) - 1]
    return url


DERIVED_DATA = ("prepared", "data_loaded")  # ui.data's session cache, built from the data_ settings


def apply_values(values: dict) -> None:
    """Put ``values`` in the session; if a data_ setting changed, drop the data built from the old ones
    (``ui.data.current_prepared`` then rebuilds it from the new settings on whichever page comes next)."""
    state = st.session_state
    changed = {key for key, value in values.items() if state.get(key) != value}
    for key, value in values.items():
        state[key] = value
    if any(key.startswith("data_") for key in changed):
        for key in DERIVED_DATA:
            state.pop(key, None)


WS_COOKIE = "rnn_lab_ws"  # the browser's workspace token (ui.class_board writes it, ui.workspace reads it)


def cookies() -> dict:
    """The browser's cookies for this app (empty without a browser, as in AppTest)."""
    try:
        return dict(st.context.cookies or {})
    except Exception:  # noqa: BLE001 - no browser context (AppTest)
        return {}
