"""Inside-the-cell page helpers: pick the model and window, cache the per-step values, draw the step view.

The page's rooms, re-exported here: ``ui/inside_common.py`` (the picked model, the session cache),
``ui/inside_decision.py`` (the model's answer; a classifier's decision through time), ``ui/inside_experiment.py``
(the growing-gap experiment), ``ui/inside_text.py`` (a sentence token by token, the Embedding's map).

Session keys besides the ``inside_*`` settings (all private to this page):
``inside_models`` (untrained Keras models by (architecture, seed)), ``inside_traces`` (NumPy runs, the
NumPy-vs-Keras difference, the connectivity and the step view's data by (model, window)),
``inside_step_view`` (the browser step view's own state), ``inside_exp_job`` (the running or last
:class:`ExperimentJob`), ``inside_experiment`` (the last experiment result, without models),
``_inside_newest_run`` (the newest trained run this page has opened). Each cache keeps only a few entries so a
long session does not grow without bound. Untrained models and their analyses are also kept for every session of
the server process (``ui.inside_common.shared_recall``, a few entries): they depend only on the architecture, the
seed and the window.
"""

from __future__ import annotations

import hashlib
import inspect
from pathlib import Path

import numpy as np
import streamlit as st

from rnn_lab.arch.config import training_variant
from rnn_lab.arch.keras_model import build_model
from rnn_lab.arch.settings import config_from_values
from rnn_lab.inside import numpy_rnn, views
from rnn_lab.inside import text_views as tv
from rnn_lab.inside.connectivity import connectivity, early_late_ratio, token_connectivity
from rnn_lab.inside.numpy_rnn import max_abs_diff, run_model
from rnn_lab.inside.settings import SECTIONS, SPLITS
from rnn_lab.inside.text import last_token_step, step_tokens
from rnn_lab.store.records import has_model as stored_has_model
from rnn_lab.tasks import task_of_data
from ui.class_board import viewed_run
from ui.classroom import lesson_runs, sync_link
from ui.common import error, lang, plot, projection, t, tf_spinner
from ui.inside_common import (  # noqa: F401 (re-exported)
    MAX_CACHED,
    Picked,
    _recall,
    _remember,
    _split_and_index_ui,
    shared_recall,
    shared_remember,
)
from ui.inside_decision import (  # noqa: F401 (re-exported)
    _decision,
    decision_ui,
    forecast_value_text,
    prediction_help_key,
    prediction_text,
)
from ui.inside_experiment import (  # noqa: F401 (re-exported)
    EXP_EVERY,
    EXP_JOB,
    EXP_RESULT,
    _collect_experiment,
    _experiment_progress,
    _start_experiment,
    experiment_ui,
)
from ui.inside_text import (  # noqa: F401 (re-exported)
    _LAST_TYPED,
    TYPED_KEY,
    _sample_sentence,
    embedding_ui,
    is_text,
    sentence_ui,
    text_prediction,
    text_step_ui,
    token_heatmaps_ui,
)

# Above this many (units x time steps) the connectivity is computed only on request (it needs a backward pass).
AUTO_CONNECTIVITY_CELLS = 64 * 200


def has_model(run) -> bool:
    return stored_has_model(run)


def _runs(task: str = "forecast") -> list:
    """Trained runs of ``task`` that still hold their model (a classifier is not opened on a number series); during
    a lesson only the lesson's own (ui.classroom.lesson_runs: no run from before the lesson is opened)."""
    viewed = viewed_run()  # the teacher opened a student's run: only that one
    if viewed is not None:
        return [viewed] if viewed.task == task and has_model(viewed) else []
    return [
        r
        for r in lesson_runs(st.session_state.get("runs", []) or [])
        if has_model(r) and r.task == task  # a saved run's model loads when opened
    ]


def _open_new_run(runs: list) -> None:
    """Right after a run was trained, open it: once per new run, so a later pick of the untrained model stays."""
    # The newest one that can be stepped through: after a Compare the last run is the Dense model (no cell to open)
    recurrent = [r for r in runs if getattr(getattr(r, "arch", None), "family", "rnn") == "rnn"]
    if not recurrent:
        return
    newest = recurrent[-1]
    marker = (getattr(newest, "id", None), newest.name)
    state = st.session_state
    if state.get(_NEWEST_RUN) != marker:
        state[_NEWEST_RUN] = marker
        state["inside_source"] = "run"
        state["inside_run"] = newest.name


_NEWEST_RUN = "_inside_newest_run"  # the newest trained run this page has seen (and opened once)


def untrained_model(arch, seed: int):
    """The architecture with its seeded initial weights (built once per (architecture, seed))."""
    key = ("untrained", arch, int(seed))
    model = _recall("inside_models", key)
    if model is None:
        model = shared_recall(key)  # another session of this process built it (the same weights: same seed)
        if model is None:
            with tf_spinner():
                model = shared_remember(key, build_model(arch, seed=int(seed)))
        _remember("inside_models", key, model)
    return model, key


def _run_seed(run, default: int) -> int:
    for holder in (run, getattr(run, "train", None), getattr(run, "train_config", None), getattr(run, "config", None)):
        seed = getattr(holder, "seed", None)
        if isinstance(seed, int):
            return seed
    return default


def model_ui(data) -> Picked | None:
    """Source radio (current architecture untrained, or a trained run) -> the model; None after an error message."""
    state = st.session_state
    task = data.task
    runs = _runs(task)
    _open_new_run(runs)
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
            if not _recurrent_family(arch):
                return None
            own = getattr(run, "prepared", None)
            if own is not None:
                data = own  # the windows of the data the run was trained on
                if is_text(own):
                    st.caption(t("text_inside.run_data", source=own.source, window=own.window, vocab=own.vocab_size))
                else:
                    st.caption(t("inside.run_data", source=own.source, window=own.window, features=own.n_features))
            vocab = getattr(arch, "embedding_vocab", None)
            if is_text(data) and vocab != data.vocab_size:  # the ids would mean other tokens
                error(
                    t("text_inside.run_vocab_mismatch", name=run.name, v_run=vocab, v_data=data.vocab_size),
                    t("text_inside.run_vocab_mismatch_hint"),
                )
                return None
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
        if task_of_data(data).forecasts:
            arch = training_variant(cfg, data.window, data.n_features, horizon_outputs=1)
        else:  # the data's shape and the task's head, e.g. Dense(10, softmax) for digits (as the Train page trains)
            arch = training_variant(cfg, data)
    except ValueError as err:
        error(t("inside.bad_arch"), str(err))
        return None
    if not _recurrent_family(arch):
        return None
    model, key = untrained_model(arch, seed)
    return Picked(model=model, key=key, arch=arch, label=t("inside.untrained_label", seed=seed), seed=seed, data=data)


def _recurrent_family(arch) -> bool:
    """True for a recurrent model; otherwise a plain message (a Conv1D or Dense model has no cell to open)."""
    family = getattr(arch, "family", "rnn")
    if family == "rnn":
        return True
    st.info(t("inside.not_recurrent", family=t(f"inside.family_{family}")), icon=":material/info:")
    return False


def window_ui(data) -> tuple[np.ndarray, str] | None:
    """Split + window index -> one window (T, F) float32 and a label; None if the dataset has no window."""
    state = st.session_state
    noun = "sample" if task_of_data(data).label_kind == "class" else "window"  # a digit is not a "window"
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
    split_label = t("inside.split" if noun == "window" else "inside.split_sample")
    split, i = _split_and_index_ui(available, sizes, split_label, lambda last: t(f"inside.{noun}", last=last))
    return np.asarray(data.X(split)[i], dtype=np.float32), t(
        f"inside.{noun}_label", split=t(f"inside.split_{split}"), i=i
    )


def _window_key(window: np.ndarray) -> str:
    return hashlib.blake2b(
        np.ascontiguousarray(window).tobytes() + str(window.shape).encode(), digest_size=12
    ).hexdigest()


def analysis(picked: Picked, window: np.ndarray) -> dict:
    """NumPy run of every layer + NumPy-vs-Keras max |Δ| for this model and window (computed once, then cached)."""
    key = (picked.key, _window_key(window))
    entry = _recall("inside_traces", key)
    if entry is None:
        # an untrained model's analysis is a function of (architecture, seed, window), the same in every session; not
        # for token ids, whose entry later gets tokens read through the session's own vocabulary
        shared = picked.key[0] == "untrained" and not is_text(picked.data)
        entry = shared_recall(("analysis", key)) if shared else None
        if entry is None:
            with tf_spinner():
                run = run_model(picked.model, window)
                entry = {"run": run, "delta": max_abs_diff(picked.model, window, run), "conn": None, "key": key}
            if shared:
                shared_remember(("analysis", key), entry)
        _remember("inside_traces", key, entry)
    return entry


def connectivity_for(picked: Picked, window: np.ndarray, entry: dict) -> np.ndarray:
    """(T,) ||dŷ/dx_t|| of the window, or for token ids ||dŷ/de_t|| of their Embedding vectors (a language model:
    its guess after the last real token); computed once per (model, window)."""
    if entry["conn"] is None:
        data = picked.data
        if getattr(data, "input_kind", "values") == "tokens":
            at = last_token_step(window) if task_of_data(data).label_kind == "token" else None
            entry["conn"] = token_connectivity(picked.model, window, at=at)[0]  # (T,)
        else:
            entry["conn"] = connectivity(picked.model, window)[0]  # (T,)
    return entry["conn"]


def token_connectivity_ui(picked: Picked, window: np.ndarray, conn: np.ndarray) -> None:
    """The connectivity bars under the sentence's tokens, and the early/late ratio over its own tokens (the
    [PAD] steps left out: with a mask they get no gradient at all)."""
    plot(tv.token_connectivity_figure(conn, step_tokens(picked.data.vocab, window), lang()), key="inside_fig_conn")
    real = np.asarray(window).ravel() != 0
    if real.sum() >= 4:
        st.caption(t("inside.grad_ratio", ratio=early_late_ratio(np.asarray(conn)[real])))


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


def section_ui() -> str:
    """Which section is drawn below the step view (weights, code, before/after, gradient, experiment).

    Only the chosen one is built and sent: an expander's content is built (and drawn) even when closed, so a choice
    is what spares the browser drawing every section's figures with the step view (issue 22)."""
    st.radio(
        t("inside.section"),
        options=list(SECTIONS),
        key="inside_section",
        horizontal=True,
        format_func=lambda name: t(f"inside.section_names.{name}"),
        help=t("inside.section_help"),
    )
    return str(st.session_state["inside_section"])


def _clamp_step(n_steps: int) -> None:
    state = st.session_state
    step = int(state.get("inside_step", 1))
    if not 1 <= step <= n_steps:
        state["inside_step"] = min(max(1, step), n_steps)


# The step view lives in the browser (ui/inside_step.js): every step's values are sent once and the slider
# redraws without a server round trip. Registered once per process; AppTest's runtimes re-register it.
_STEP_VIEW = st.components.v2.component(
    "rnn_lab_inside_step",
    html='<div class="rl-root"></div>',
    css=(Path(__file__).parent / "inside_step.css").read_text(encoding="utf-8"),
    js=(Path(__file__).parent / "inside_step.js").read_text(encoding="utf-8"),
)
STEP_VIEW_KEY = "inside_step_view"  # the component's own state ({"step": t}); the setting is inside_step
_SYNCED = "_inside_step_synced"


def _take_browser_step() -> None:
    """Callback: the browser reports the step the user left the slider at; it becomes the ``inside_step`` setting."""
    step = (st.session_state.get(STEP_VIEW_KEY) or {}).get("step")
    if isinstance(step, int) and not isinstance(step, bool):
        st.session_state["inside_step"] = step
        st.session_state[_SYNCED] = True


def step_view_data(entry: dict, layer_index: int, layer_run) -> dict:
    """The step view's payload for this model, window, layer, language and mode (built once, then reused)."""
    key = (layer_index, lang(), projection())
    views_cache = entry.setdefault("step_views", {})
    if key not in views_cache:
        signature = hashlib.blake2b(repr((entry["key"], key)).encode(), digest_size=8).hexdigest()
        text = entry["run"].layers[0].kind == "embedding"  # token ids: the headings speak of a sentence
        views_cache[key] = views.step_view_data(
            layer_run, lang(), 1, projection=projection(), signature=signature, text=text
        )
    return views_cache[key]


def step_view_ui(layer_run, entry: dict, layer_index: int) -> None:
    """The cell's equations with their shapes, then the browser-side step view (slider, numbers, bars, Play)."""
    traces = layer_run.directions
    x = layer_run.x[0]  # (T, F) the layer's input
    n_steps, features = x.shape
    units = traces[0].units
    _clamp_step(n_steps)
    if views.is_large(units, features):
        st.caption(t("inside.large_note", units=units, features=features, small=views.SMALL, bars=views.MAX_BAR_UNITS))
    trace = traces[0]  # both directions of a Bidirectional layer have the same equations and shapes
    st.latex(views.latex_block(views.equations(trace.cell, features, units, trace.reset_after)))
    if len(traces) > 1:
        st.caption(t("inside.both_directions"))
    st.caption(t("inside.step_help"))
    data = {**step_view_data(entry, layer_index, layer_run), "step": int(st.session_state["inside_step"])}
    _STEP_VIEW(key=STEP_VIEW_KEY, data=data, on_step_change=_take_browser_step)
    if st.session_state.pop(_SYNCED, False):  # a fragment rerun does not reach the router: update the link here
        sync_link()


def time_heatmaps_ui(layer_run, step: int | None = None) -> None:
    """Hidden state and gates over the whole window, the black line at step ``step`` (redrawn when the slider is
    let go, not while it moves)."""
    traces = layer_run.directions
    x = layer_run.x[0]
    if traces[0].units > views.MAX_HEAT_UNITS or x.shape[0] > views.MAX_HEAT_STEPS:
        st.caption(
            t(
                "inside.huge_note",
                units=traces[0].units,
                steps=x.shape[0],
                shown_units=min(traces[0].units, views.MAX_HEAT_UNITS),
                shown_steps=min(x.shape[0], views.MAX_HEAT_STEPS),
            )
        )
    cols = st.columns(len(traces))
    for col, trace in zip(cols, traces, strict=True):  # forward and backward side by side
        with col:
            plot(views.time_heatmaps(trace, step, lang()), key=f"inside_fig_time_{trace.direction}")


def numpy_code_ui(cell: str) -> None:
    """The NumPy source of the cell, read from the library (so it is exactly what ran)."""
    fn = {"simple_rnn": numpy_rnn.simple_rnn_forward, "lstm": numpy_rnn.lstm_forward, "gru": numpy_rnn.gru_forward}
    st.code(inspect.getsource(fn[cell]), language="python", wrap_lines=True)  # nothing cut off
