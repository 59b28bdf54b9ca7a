"""Inside-the-cell page helpers: pick the model and window, cache the per-step values, draw the step view.

Session keys besides the ``inside_*`` settings (all private to this page):
``inside_models`` (untrained Keras models by (architecture, seed)), ``inside_traces`` (NumPy runs, the
NumPy-vs-Keras difference and the connectivity by (model, window)), ``inside_experiment`` (the last
experiment result). Each cache keeps only a few entries so a long session does not grow without bound.
"""

from __future__ import annotations

import hashlib
import inspect
from dataclasses import dataclass

import numpy as np
import streamlit as st

from rnn_lab.inside import views
from rnn_lab.inside.settings import SPLITS
from ui.common import error, lang, plot, t, tf_spinner

MAX_CACHED = 4  # models / traces kept per session
# Above this many (units x time steps) the connectivity is computed only on request (it needs a backward pass).
AUTO_CONNECTIVITY_CELLS = 64 * 200


def _remember(store_key: str, key, value):
    store = st.session_state.setdefault(store_key, {})
    store[key] = value
    while len(store) > MAX_CACHED:
        store.pop(next(iter(store)))
    return value


def _recall(store_key: str, key):
    return st.session_state.get(store_key, {}).get(key)


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


def _runs() -> list:
    return [r for r in st.session_state.get("runs", []) or [] if getattr(r, "model", None) is not None]


def untrained_model(arch, seed: int):
    """The architecture with its seeded initial weights (built once per (architecture, seed))."""
    key = ("untrained", arch, int(seed))
    model = _recall("inside_models", key)
    if model is None:
        from rnn_lab.arch.keras_model import build_model

        with tf_spinner():
            model = _remember("inside_models", key, build_model(arch, seed=int(seed)))
    return model, key


def _run_seed(run, default: int) -> int:
    for holder in (run, getattr(run, "train", None), getattr(run, "train_config", None), getattr(run, "config", None)):
        seed = getattr(holder, "seed", None)
        if isinstance(seed, int):
            return seed
    return default


def model_ui(data) -> Picked | None:
    """Source radio (current architecture untrained, or a trained run) -> the model; None after an error message."""
    from rnn_lab.arch.config import training_variant
    from rnn_lab.arch.settings import config_from_values

    state = st.session_state
    runs = _runs()
    col1, col2 = st.columns([1, 1])
    with col1:
        st.radio(
            t("inside.source"),
            options=["untrained", "run"],
            key="inside_source",
            horizontal=True,
            format_func=lambda s: t(f"inside.source_{s}"),
            help=t("inside.source_help"),
        )
    seed = int(state.get("inside_seed", 0))
    if state.get("inside_source") == "run":
        if not runs:
            st.info(t("inside.no_runs"), icon=":material/info:")
        else:
            names = [r.name for r in runs]
            if state.get("inside_run") not in names:
                state["inside_run"] = names[-1]
            with col2:
                st.selectbox(t("inside.run"), options=names, key="inside_run")
            run = runs[names.index(state["inside_run"])]
            arch = getattr(run, "arch", None)
            own = getattr(run, "prepared", None)
            if own is not None:
                data = own  # the windows of the data the run was trained on
                st.caption(t("inside.run_data", source=own.source, window=own.window, features=own.n_features))
            timesteps = getattr(arch, "timesteps", None)
            features = getattr(arch, "features", None)
            if (timesteps, features) != (data.window, data.n_features):
                error(
                    t(
                        "inside.run_mismatch",
                        name=run.name,
                        t_run=timesteps,
                        f_run=features,
                        t_data=data.window,
                        f_data=data.n_features,
                    ),
                    t("inside.run_mismatch_hint"),
                )
                return None
            return Picked(
                model=run.model,
                key=("run", run.name, id(run.model)),
                arch=arch,
                label=run.name,
                run=run,
                seed=_run_seed(run, seed),
                data=data,
            )
    with col2:
        st.number_input(
            t("inside.seed"), min_value=0, max_value=2**31 - 1, step=1, key="inside_seed", help=t("inside.seed_help")
        )
    try:
        cfg = config_from_values(state)
        arch = training_variant(cfg, data.window, data.n_features, horizon_outputs=1)
    except ValueError as err:
        error(t("inside.bad_arch"), str(err))
        return None
    model, key = untrained_model(arch, seed)
    return Picked(model=model, key=key, arch=arch, label=t("inside.untrained_label", seed=seed), seed=seed, data=data)


def window_ui(data) -> tuple[np.ndarray, str] | None:
    """Split + window index -> one window (T, F) float32 and a label; None if the dataset has no window."""
    state = st.session_state
    sizes = {s: len(data.X(s)) for s in SPLITS}
    available = [s for s in SPLITS if sizes[s] > 0]
    if not available:
        error(t("inside.no_windows"), t("inside.no_windows_hint"))
        return None
    if state.get("inside_split") not in available:
        st.caption(
            t(
                "inside.split_fallback",
                split=t(f"inside.split_{state.get('inside_split')}"),
                used=t(f"inside.split_{available[0]}"),
            )
        )
        state["inside_split"] = available[0]
    col1, col2 = st.columns([1, 1])
    with col1:
        st.selectbox(
            t("inside.split"),
            options=available,
            key="inside_split",
            format_func=lambda s: t(f"inside.split_{s}") + f" ({sizes[s]})",
        )
    n = sizes[state["inside_split"]]
    if not 0 <= int(state.get("inside_window", 0)) < n:
        state["inside_window"] = min(max(0, int(state.get("inside_window", 0))), n - 1)
    with col2:
        st.number_input(t("inside.window", n=n), min_value=0, max_value=n - 1, step=1, key="inside_window")
    split, i = state["inside_split"], int(state["inside_window"])
    return np.asarray(data.X(split)[i], dtype=np.float32), t(
        "inside.window_label", split=t(f"inside.split_{split}"), i=i
    )


def _window_key(window: np.ndarray) -> str:
    return hashlib.blake2b(
        np.ascontiguousarray(window).tobytes() + str(window.shape).encode(), digest_size=12
    ).hexdigest()


def analysis(picked: Picked, window: np.ndarray) -> dict:
    """NumPy run of every layer + NumPy-vs-Keras max |Δ| for this model and window (computed once, then cached)."""
    from rnn_lab.inside.numpy_rnn import max_abs_diff, run_model

    key = (picked.key, _window_key(window))
    entry = _recall("inside_traces", key)
    if entry is None:
        with tf_spinner():
            run = run_model(picked.model, window)
            entry = {"run": run, "delta": max_abs_diff(picked.model, window, run), "conn": None, "key": key}
        _remember("inside_traces", key, entry)
    return entry


def connectivity_for(picked: Picked, window: np.ndarray, entry: dict) -> np.ndarray:
    from rnn_lab.inside.connectivity import connectivity

    if entry["conn"] is None:
        entry["conn"] = connectivity(picked.model, window)[0]  # (T,)
    return entry["conn"]


def layer_ui(model_run):
    """Which recurrent layer to open (stacked models); returns its LayerRun."""
    layers = model_run.recurrent_layers
    state = st.session_state
    if not 1 <= int(state.get("inside_layer", 1)) <= len(layers):
        state["inside_layer"] = 1
    if len(layers) > 1:
        st.radio(
            t("inside.layer"),
            options=list(range(1, len(layers) + 1)),
            key="inside_layer",
            horizontal=True,
            format_func=lambda i: f"{i}: {layers[i - 1].name}",
        )
    return layers[int(state["inside_layer"]) - 1]


def _clamp_step(n_steps: int) -> None:
    state = st.session_state
    step = int(state.get("inside_step", 1))
    if not 1 <= step <= n_steps:
        state["inside_step"] = min(max(1, step), n_steps)


def step_view_ui(layer_run) -> None:
    """The time-step slider and what follows it: the equation with the numbers of step t, the vectors as bars."""
    traces = layer_run.directions
    x = layer_run.x[0]  # (T, F) the layer's input
    n_steps, features = x.shape
    units = traces[0].units
    _clamp_step(n_steps)
    if n_steps > 1:
        st.slider(
            t("inside.step"), min_value=1, max_value=n_steps, step=1, key="inside_step", help=t("inside.step_help")
        )
    step = int(st.session_state["inside_step"])
    large = views.is_large(units, features)
    if large:
        st.caption(t("inside.large_note", units=units, features=features, small=views.SMALL))
    if units > views.MAX_HEAT_UNITS or n_steps > views.MAX_HEAT_STEPS:
        st.caption(
            t(
                "inside.huge_note",
                units=units,
                steps=n_steps,
                shown_units=min(units, views.MAX_HEAT_UNITS),
                shown_steps=min(n_steps, views.MAX_HEAT_STEPS),
            )
        )
    for trace in traces:  # one below the other: the vectors need the full width
        st.markdown(t(f"inside.direction_{trace.direction}", t=step, T=n_steps))
        st.latex(views.latex_block(views.equations(trace.cell, features, units, trace.reset_after)))
        st.latex(views.step_latex(views.step_values(trace, x, step)))
    cols = st.columns(len(traces))
    for col, trace in zip(cols, traces, strict=True):  # forward and backward side by side
        with col:
            plot(views.step_bars(trace, step, lang()), key=f"inside_fig_step_{trace.direction}")


def time_heatmaps_ui(layer_run) -> None:
    """Hidden state and gates over the whole window (drawn once per model and window, not on every slider move)."""
    traces = layer_run.directions
    cols = st.columns(len(traces))
    for col, trace in zip(cols, traces, strict=True):  # forward and backward side by side
        with col:
            plot(views.time_heatmaps(trace, None, lang()), key=f"inside_fig_time_{trace.direction}")


def numpy_code_ui(cell: str) -> None:
    """The NumPy source of the cell, read from the library (so it is exactly what ran)."""
    from rnn_lab.inside import numpy_rnn

    fn = {"simple_rnn": numpy_rnn.simple_rnn_forward, "lstm": numpy_rnn.lstm_forward, "gru": numpy_rnn.gru_forward}
    st.code(inspect.getsource(fn[cell]), language="python")
