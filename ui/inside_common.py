"""What the Inside page's parts share: the picked model and its data (Picked), and the session's small
cache of models and traces."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import streamlit as st

from ui.common import t

MAX_CACHED = 4  # models / traces kept per session


def _remember(store_key: str, key, value):
    store = st.session_state.setdefault(store_key, {})
    store[key] = value
    while len(store) > MAX_CACHED:
        store.pop(next(iter(store)))
    return value


def _recall(store_key: str, key):
    return st.session_state.get(store_key, {}).get(key)


# Shared by every session of this server process: untrained models and their analyses, which depend only on
# (architecture, seed) and the window. A class opening the Inside page on the same architecture builds the model and
# calls Keras once, not once per student; a student's first visit to the page skips both (issue 22: ~0.1 s of the
# server's part of the switch). Trained runs stay in their own session.
SHARED_MAX = 8
_SHARED: OrderedDict = OrderedDict()
_SHARED_LOCK = threading.Lock()


def shared_recall(key):
    with _SHARED_LOCK:
        value = _SHARED.get(key)
        if value is not None:
            _SHARED.move_to_end(key)
        return value


def shared_remember(key, value):
    with _SHARED_LOCK:
        _SHARED[key] = value
        while len(_SHARED) > SHARED_MAX:
            _SHARED.popitem(last=False)
    return value


@dataclass
class Picked:
    """The model the page opens and what it takes to rebuild its untrained twin."""

    model: object
    key: tuple  # cache key of the model (identifies its weights)
    arch: object  # the ArchConfig of the model
    label: str
    run: object | None = None  # the trained run, when one is picked
    seed: int = 0
    data: object = None  # the PreparedData the windows come from (a run's own data when it kept it)


def _split_and_index_ui(available: list[str], sizes: dict, split_label: str, index_label) -> tuple[str, int]:
    """A split select and a sample number (``inside_split``, ``inside_window``), the number kept in range.
    ``index_label(last)`` is the number input's label."""
    state = st.session_state
    col1, col2 = st.columns([1, 1])
    with col1:
        st.selectbox(
            split_label,
            options=available,
            key="inside_split",
            format_func=lambda s: t(f"inside.split_{s}") + f" ({sizes[s]})",
        )
    n = sizes[state["inside_split"]]
    if not 0 <= int(state.get("inside_window", 0)) < n:
        state["inside_window"] = min(max(0, int(state.get("inside_window", 0))), n - 1)
    with col2:
        st.number_input(index_label(n - 1), min_value=0, max_value=n - 1, step=1, key="inside_window")
    return state["inside_split"], int(state["inside_window"])
