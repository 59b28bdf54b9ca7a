"""The widget of a setting, one function per kind: a number, or one of its choices.

A widget takes its bounds, kind and options from the setting registry (:mod:`rnn_lab.settings`) and keeps its value
in ``st.session_state`` under the setting's key (no ``value=``: the key is the widget's, the session's and the
link's name for it). Labels and help come from the page (``t(...)``): the same setting may be worded for its page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from rnn_lab.settings import setting


def number_ui(
    key: str,
    label: str,
    step: float,
    *,
    fmt: str | None = None,
    column: Any = st,
    help: str | None = None,  # noqa: A002 (Streamlit's name)
    disabled: bool = False,
) -> float | int:
    """A number input bounded by the setting ``key``: ``min_value``/``max_value`` are its bounds, in its kind (int
    or float), so the widget never offers a value the setting refuses."""
    s = setting(key)
    kind = s.kind
    return column.number_input(
        label,
        min_value=kind(s.min),
        max_value=kind(s.max),
        step=step,
        format=fmt,
        key=key,
        disabled=disabled,
        help=help,
    )


def choice_ui(
    key: str,
    label: str,
    format_func: Callable[[Any], str],
    *,
    options: Sequence | None = None,
    column: Any = st,
    help: str | None = None,  # noqa: A002 (Streamlit's name)
) -> Any:
    """A horizontal radio over the setting's choices (or ``options``, the ones that fit now), worded by
    ``format_func``."""
    return column.radio(
        label,
        setting(key).choices if options is None else options,
        key=key,
        horizontal=True,
        format_func=format_func,
        help=help,
    )
