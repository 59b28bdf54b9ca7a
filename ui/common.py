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

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from rnn_lab import i18n
from rnn_lab.settings import all_settings
from rnn_lab.style import style_figure

_last_lang = "en"  # the language of the latest script run, for calls made outside a run (see lang)


def lang() -> str:
    """The session's language. Outside a script run (AppTest formats widget options with ``format_func``
    from the test thread, where there is no session) it is the language of the latest run."""
    global _last_lang
    if get_script_run_ctx() is None:
        return _last_lang
    _ensure_router()
    value = st.session_state.get("lang", "en")
    _last_lang = value if value in i18n.LANGUAGES else "en"
    return _last_lang


def _ensure_router() -> None:
    """Make sure this run goes through app.py's router (every page asks for its language first).

    With a folder named ``pages/`` beside app.py, Streamlit starts in its old multipage mode until
    app.py's ``st.navigation`` has run once in the process: on a fresh server, a link to a page ran
    that page alone (no router: no settings from the link, no language, no sidebar). Rerunning
    switches to the router, which opens the same page with the same query string.
    Renaming ``pages/`` makes this unnecessary.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


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
    for key, setting in all_settings().items():
        if key in state:
            state[key] = state[key]
        else:
            state[key] = setting.default


def tf_spinner():
    """Spinner shown while TensorFlow is imported for the first time."""
    return st.spinner(t("common.loading_tf"))
