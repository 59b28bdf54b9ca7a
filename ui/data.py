"""Data page helpers: load the active source from the ``data_`` settings, prepare it, keep it in the session.

Session keys besides the settings: ``prepared`` (the active PreparedData, read by Train and Inside),
``data_loaded`` (the active Loaded table), ``data_upload`` (name + bytes of the last file read successfully),
``data_clean_report`` (what cleaning changed).
"""

from __future__ import annotations

import streamlit as st

from rnn_lab.data.clean import CleanReport, clean
from rnn_lab.data.errors import DataError
from rnn_lab.data.prepare import PreparedData, prepare, split_rows
from rnn_lab.data.reader import Loaded, read_bytes
from rnn_lab.data.settings import SETTINGS, source_defaults
from rnn_lab.data.sources import BUNDLED, load_bundled, load_toy
from rnn_lab.data.toys import TOYS

_DEFAULTS = {s.key: s.default for s in SETTINGS}


@st.cache_data(show_spinner=False, max_entries=8)
def _bundled(name: str) -> Loaded:
    return load_bundled(name)


@st.cache_data(show_spinner=False, max_entries=16)
def _toy(name: str, length: int, noise: float, seed: int, lag: int) -> Loaded:
    params = {"lag": lag} if name == "long_memory" else {}
    return load_toy(name, length=length, noise=noise, seed=seed, **params)


@st.cache_data(show_spinner=False, max_entries=4)
def _upload(data: bytes, name: str, sentinel: str, date_order: str) -> Loaded:
    return read_bytes(data, name=name, sentinel=sentinel or None, date_order=date_order)


def apply_source_defaults() -> None:
    """on_change of the source widgets: the counting toy gets the tutorial settings, others 70/15/15 + MinMax."""
    state = st.session_state
    for key, value in source_defaults(state["data_source_kind"], state["data_toy"], state["data_bundled"]).items():
        state[key] = value
    state.pop("btn_data_features", None)


def load_from_settings(upload: tuple[str, bytes] | None = None) -> Loaded:
    """The table the ``data_`` settings point at. Raises DataError for an unusable file."""
    state = st.session_state
    kind = state.get("data_source_kind", "toy")
    if kind == "bundled":
        return _bundled(state.get("data_bundled", "samsung"))
    if kind == "upload":
        upload = upload or state.get("data_upload")
        if upload is None:
            raise LookupError("no file uploaded yet")
        name, data = upload
        return _upload(data, name, str(state.get("data_sentinel", "")).strip(), state.get("data_date_order", "auto"))
    name = state.get("data_toy", "counting")
    return _toy(name, int(state.get("data_toy_length", TOYS[name].length)), float(state.get("data_toy_noise", 0.0)),
                int(state.get("data_toy_seed", 0)), int(state.get("data_toy_lag", 20)))


def default_target(loaded: Loaded) -> str:
    cols = list(loaded.frame.columns)
    name = loaded.source.split(":", 1)[-1]
    if loaded.source.startswith("bundled:") and BUNDLED[name].target in cols:
        return BUNDLED[name].target
    return "Close" if "Close" in cols else cols[0]


def fix_columns(loaded: Loaded) -> None:
    """Make ``data_target``/``data_features`` valid for this table (they come from another table or a link)."""
    state = st.session_state
    cols = list(loaded.frame.columns)
    if state.get("data_target") not in cols:
        state["data_target"] = default_target(loaded)
    feats = [f for f in str(state.get("data_features", "")).split(",") if f]
    if any(f not in cols for f in feats):
        state["data_features"] = ""


def features_list() -> list[str]:
    state = st.session_state
    feats = [f for f in str(state.get("data_features", "")).split(",") if f]
    return feats or [state["data_target"]]


def prepare_from_settings(loaded: Loaded) -> tuple[PreparedData, CleanReport]:
    """Clean (limits fitted on the training rows) and window ``loaded`` with the current settings."""
    state = st.session_state
    fix_columns(loaded)
    target = state["data_target"]
    features = features_list()
    columns = list(dict.fromkeys([*features, target]))
    val, test = float(state.get("data_val_frac", 0.0)), float(state.get("data_test_frac", 0.0))
    if val + test >= 1:
        raise DataError("bad_fractions", val=val, test=test)
    if loaded.frame[target].isna().all():
        raise DataError("target_all_missing", target=target)
    fit_rows, _ = split_rows(len(loaded.frame), val, test)
    frame, report = clean(loaded.frame, columns, state.get("data_missing", "ffill"), state.get("data_outliers", "leave"),
                          float(state.get("data_outlier_k", 1.5)), fit_rows=fit_rows)
    prepared = prepare(frame, target, features, int(state.get("data_window", 5)), int(state.get("data_horizon", 1)),
                       val, test, state.get("data_scaling", "none"), source=loaded.source)
    return prepared, report


def store_prepared(prepared: PreparedData, report: CleanReport | None = None) -> None:
    """Make ``prepared`` the active dataset; the Architecture page follows its window and feature count."""
    state = st.session_state
    state["prepared"] = prepared
    state["data_clean_report"] = report
    state["arch_timesteps"] = prepared.window
    state["arch_features"] = prepared.n_features


def current_prepared() -> PreparedData:
    """The active prepared dataset; built from the ``data_`` settings if the Data page was never opened.

    With the default settings this is the counting toy exactly as in the Keras tutorial: window 5,
    horizon 1, no scaling, all ten windows in training (X_train (10, 5, 1)).
    """
    state = st.session_state
    prepared = state.get("prepared")
    if prepared is not None:
        return prepared
    try:
        loaded = state.get("data_loaded") or load_from_settings()
        prepared, report = prepare_from_settings(loaded)
    except (DataError, LookupError):
        for key, value in {**_DEFAULTS, **source_defaults("toy", "counting")}.items():
            state[key] = value  # fall back to the tutorial
        loaded = load_from_settings()
        prepared, report = prepare_from_settings(loaded)
    state["data_loaded"] = loaded
    store_prepared(prepared, report)
    return prepared


def show_data_error(err: DataError, lang: str) -> None:
    from ui.common import error

    error(err.text(lang), err.hint(lang))
