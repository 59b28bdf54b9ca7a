"""Widgets and cached model builds for the Architecture page."""

from __future__ import annotations

import math
import threading
from collections import OrderedDict

import streamlit as st

from rnn_lab.arch.codegen import broken_stack_error, legacy_notations
from rnn_lab.arch.config import CELLS, FAMILIES, MERGE_MODES, ArchConfig
from rnn_lab.arch.keras_model import build_model, summary_rows, summary_text
from rnn_lab.arch.settings import SETTINGS
from rnn_lab.arch.settings import config_from_values as _config_from_values
from rnn_lab.i18n import error_text
from rnn_lab.settings import setting
from rnn_lab.tasks import task_of
from ui.common import lang, show_advanced, t
from ui.widgets import number_ui

LAST_GOOD = "_arch_last_good_cfg"  # not a setting: the last configuration that rendered


def sanitize_state() -> list[str]:
    """Put any out-of-range ``arch_`` value (from a link, a lesson or the Data page) back in range.

    A widget raises if its stored value is outside its bounds, so this runs before the widgets are
    drawn. Numbers are clamped to the allowed range, anything else falls back to its default; the
    returned messages say what was changed and why.
    """
    problems = []
    state = st.session_state
    for declared in SETTINGS:
        key = declared.key
        value = state.get(key, declared.default)
        try:
            state[key] = declared.validate(value)
        except ValueError as err:
            fixed = declared.default
            number = declared.kind in (int, float) and isinstance(value, (int, float)) and not isinstance(value, bool)
            if number and not math.isnan(value):  # clamp into [min, max]
                fixed = declared.kind(min(max(value, declared.min), declared.max))
            state[key] = fixed
            problems.append(t("arch.fixed_value", problem=str(err), value=fixed))
    return problems


def controls_ui() -> None:
    """All the page's controls; values land in st.session_state under their ``arch_`` keys."""
    st.selectbox(
        t("arch.family"),
        options=FAMILIES,
        key="arch_family",
        format_func=lambda family: t(f"arch.family_{family}"),
        help=t("arch.family_help"),
    )
    if st.session_state.get("arch_family", "rnn") == "rnn":
        recurrent_controls_ui()
    else:
        feedforward_controls_ui()
    embedding = embedding_controls_ui()
    cols = st.columns(2)
    with cols[0]:
        number_ui(
            "arch_timesteps",
            t("arch.text.maxlen" if embedding else "arch.timesteps"),
            1,
            help=t("arch.text.maxlen_help" if embedding else "arch.timesteps_help"),
        )
    with cols[1]:  # with an Embedding a step is one token id: its d is the Embedding's d_e, not a feature count
        number_ui(
            "arch_features",
            t("arch.features"),
            1,
            disabled=embedding,
            help=t("arch.text.features_help" if embedding else "arch.features_help"),
        )
    st.toggle(t("arch.dense"), key="arch_dense", help=t("arch.dense_help"))
    number_ui("arch_dense_units", t("arch.dense_units"), 1, disabled=not st.session_state.get("arch_dense", True))
    if show_advanced():
        rnn = st.session_state.get("arch_family", "rnn") == "rnn"
        with st.expander(t("arch.advanced" if rnn else "arch.advanced_feedforward"), expanded=False):
            if st.session_state.get("arch_family", "rnn") == "rnn":
                recurrent_advanced_ui()
            fixed_batch_ui()
    elif st.session_state.get("arch_fixed_batch"):  # a lesson that explains the batch (lesson 1's 8) shows it
        fixed_batch_ui()


def fixed_batch_ui() -> None:
    st.toggle(t("arch.fixed_batch"), key="arch_fixed_batch", help=t("arch.fixed_batch_help"))
    number_ui("arch_batch_size", t("arch.batch_size"), 1, disabled=not st.session_state.get("arch_fixed_batch"))


def embedding_controls_ui() -> bool:
    """Token ids in: Embedding(V, d_e) in front of the layers, and mask_zero (recurrent layers only). True when on."""
    state = st.session_state
    st.toggle(t("arch.text.embedding"), key="arch_embedding", help=t("arch.text.embedding_help"))
    if not state.get("arch_embedding"):
        return False
    cols = st.columns(2)
    with cols[0]:
        number_ui("arch_embedding_vocab", t("arch.text.vocab"), 1, help=t("arch.text.vocab_help"))
    with cols[1]:
        number_ui("arch_embedding_dim", t("arch.text.dim"), 1, help=t("arch.text.dim_help"))
    rnn = state.get("arch_family", "rnn") == "rnn"
    if not rnn:  # Conv1D and Flatten cannot skip masked steps (ArchConfig refuses the combination)
        state["arch_mask_zero"] = False
    st.toggle(t("arch.text.mask_zero"), key="arch_mask_zero", disabled=not rnn, help=t("arch.text.mask_zero_help"))
    return True


def feedforward_controls_ui() -> None:
    """Conv1D's filters, kernel and pooling, and the hidden Dense of the Conv1D and Dense families."""
    if st.session_state.get("arch_family") == "conv1d":
        cols = st.columns(2)
        with cols[0]:
            number_ui("arch_filters", t("arch.filters"), 1, help=t("arch.filters_help"))
        with cols[1]:
            number_ui("arch_kernel_size", t("arch.kernel_size"), 1, help=t("arch.kernel_size_help"))
        number_ui("arch_pool", t("arch.pool"), 1, help=t("arch.pool_help"))
    number_ui("arch_dense_hidden", t("arch.dense_hidden"), 1, help=t("arch.dense_hidden_help"))


def recurrent_controls_ui() -> None:
    """The recurrent stack: cell, layers and their units, Bidirectional, return_sequences."""
    st.selectbox(t("arch.cell"), options=CELLS, key="arch_cell", help=t("arch.cell_help"))
    st.slider(
        t("arch.layers"),
        min_value=int(setting("arch_layers").min),
        max_value=int(setting("arch_layers").max),
        step=1,
        key="arch_layers",
        help=t("arch.layers_help"),
    )
    layers = st.session_state.get("arch_layers", 1)
    cols = st.columns(2)
    for i in range(1, int(layers) + 1):
        with cols[(i - 1) % 2]:
            st.number_input(
                t("arch.units", i=i),
                min_value=1,
                max_value=int(setting(f"arch_units_{i}").max),
                step=1,
                key=f"arch_units_{i}",
                help=t("arch.units_help"),
            )
    st.toggle(t("arch.bidirectional"), key="arch_bidirectional", help=t("arch.bidirectional_help"))
    st.toggle(t("arch.return_sequences"), key="arch_return_sequences", help=t("arch.return_sequences_help"))


def recurrent_advanced_ui() -> None:
    st.selectbox(
        t("arch.merge_mode"),
        options=MERGE_MODES,
        key="arch_merge_mode",
        disabled=not st.session_state.get("arch_bidirectional"),
        help=t("arch.merge_mode_help"),
    )
    st.toggle(t("arch.return_state"), key="arch_return_state", help=t("arch.return_state_help"))
    st.slider(
        t("arch.dropout"),
        min_value=0.0,
        max_value=float(setting("arch_dropout").max),
        step=0.05,
        key="arch_dropout",
        help=t("arch.dropout_help"),
    )
    st.slider(
        t("arch.recurrent_dropout"),
        min_value=0.0,
        max_value=float(setting("arch_recurrent_dropout").max),
        step=0.05,
        key="arch_recurrent_dropout",
        help=t("arch.recurrent_dropout_help"),
    )


def task_line_ui(prepared) -> None:
    """The task chosen on the Data page and the head and loss it implies (the Dense head below must match)."""
    task = task_of(st.session_state)
    units = st.session_state.get("arch_dense_units", 1)
    head = f'Dense({units}, activation="softmax")' if task.is_classification else f"Dense({units})"
    loss = st.session_state.get("train_loss", task.default_loss)
    loss = loss if loss in task.losses else task.default_loss
    st.caption(t("arch.task_line", task=t(f"tasks.names.{task.name}"), head=head, loss=loss))
    if task.return_sequences:  # many-to-many: the head reads every step's h (Dense acts on the last axis)
        st.caption(t("arch.text.next_token_head", head=head))
    n_classes = getattr(prepared, "n_classes", None) if prepared is not None else None
    if task.is_classification and n_classes and units != n_classes:
        st.info(t("arch.head_classes", n=n_classes))


def current_config() -> tuple[ArchConfig, str | None]:
    """The configuration the controls describe, or the last good one plus the problem when they are invalid."""
    try:
        cfg = _config_from_values(st.session_state)
    except ValueError as err:
        return st.session_state.get(LAST_GOOD, ArchConfig()), error_text(err, lang())
    st.session_state[LAST_GOOD] = cfg
    return cfg, None


SUMMARIES_KEPT = 24  # configurations whose summary the server keeps (a few kB each)
_summaries: OrderedDict[str, dict] = OrderedDict()  # repr(cfg) -> summary, least recently used first
_summaries_lock = threading.Lock()


def kept_summary(cfg: ArchConfig) -> dict | None:
    """The summary of ``cfg`` if the server has built it already (no Keras call), else None."""
    key = repr(cfg)
    with _summaries_lock:
        summary = _summaries.get(key)
        if summary is not None:
            _summaries.move_to_end(key)
        return summary


def cached_summary(cfg: ArchConfig) -> dict:
    """Build the (untrained, read-only) Keras model of ``cfg`` once per configuration; keep its summary.

    Returns ``{"rows": summary_rows(model), "text": summary_text(model)}``; the model itself is not kept
    (nothing on this page needs its weights), so the cache stays small. Shared by every session of the server,
    the :data:`SUMMARIES_KEPT` most recently used. The page asks :func:`kept_summary` first, so a rerun with a
    configuration seen before neither builds nor shows a spinner (whose timer thread and message cost a student
    who is not training a few GIL hand-offs on a busy server, issue 22).
    """
    summary = kept_summary(cfg)
    if summary is not None:
        return summary
    model = build_model(cfg)  # outside the lock: two sessions may build the same one at once, both get equal rows
    summary = {"rows": summary_rows(model), "text": summary_text(model, line_length=SUMMARY_WIDTH)}
    with _summaries_lock:
        _summaries[repr(cfg)] = summary
        _summaries.move_to_end(repr(cfg))
        while len(_summaries) > SUMMARIES_KEPT:
            _summaries.popitem(last=False)
    return summary


SUMMARY_WIDTH = 62  # characters: Keras's own summary, narrow enough for the page's right column at 1280 px


@st.cache_resource(show_spinner=False)
def cached_legacy():
    """The old-notation table with Keras 3's real messages (computed once per server)."""
    return legacy_notations(), broken_stack_error()
