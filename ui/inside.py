"""Inside-the-cell page helpers: pick the model and window, cache the per-step values, draw the step view.

Session keys besides the ``inside_*`` settings (all private to this page):
``inside_models`` (untrained Keras models by (architecture, seed)), ``inside_traces`` (NumPy runs, the
NumPy-vs-Keras difference, the connectivity and the step view's data by (model, window)),
``inside_step_view`` (the browser step view's own state), ``inside_exp_job`` (the running or last
:class:`ExperimentJob`), ``inside_experiment`` (the last experiment result, without models),
``_inside_newest_run`` (the newest trained run this page has opened). Each cache keeps only a few entries so a
long session does not grow without bound.
"""

from __future__ import annotations

import hashlib
import inspect
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from rnn_lab.inside import views
from rnn_lab.inside.settings import SPLITS
from rnn_lab.inside.text import last_token_step
from rnn_lab.tasks import get_task, task_of_data
from ui.common import error, lang, plot, projection, t, tf_spinner

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


def has_model(run) -> bool:
    from rnn_lab.store.records import has_model as stored_has_model

    return stored_has_model(run)


def _runs(task: str = "forecast") -> list:
    """Trained runs of ``task`` that still hold their model (a classifier is not opened on a number series); during
    a lesson only the lesson's own (ui.classroom.lesson_runs: no run from before the lesson is opened)."""
    from ui.class_board import viewed_run
    from ui.classroom import lesson_runs

    viewed = viewed_run()  # the teacher opened a student's run: only that one
    if viewed is not None:
        return [viewed] if getattr(viewed, "task", "forecast") == task and has_model(viewed) else []
    return [
        r
        for r in lesson_runs(st.session_state.get("runs", []) or [])
        if has_model(r) and getattr(r, "task", "forecast") == task  # a saved run's model loads when opened
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
    task = getattr(data, "task", "forecast")
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
        if get_task(task).forecasts:
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
    """(T,) ||dŷ/dx_t|| of the window, or for token ids ||dŷ/de_t|| of their Embedding vectors (a language model:
    its guess after the last real token); computed once per (model, window)."""
    from rnn_lab.inside.connectivity import connectivity, token_connectivity
    from rnn_lab.inside.text import last_token_step

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
    from rnn_lab.inside import text_views as tv
    from rnn_lab.inside.connectivity import early_late_ratio
    from rnn_lab.inside.text import step_tokens

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
        from ui.classroom import sync_link

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
    from rnn_lab.inside import numpy_rnn

    fn = {"simple_rnn": numpy_rnn.simple_rnn_forward, "lstm": numpy_rnn.lstm_forward, "gru": numpy_rnn.gru_forward}
    st.code(inspect.getsource(fn[cell]), language="python", wrap_lines=True)  # nothing cut off


# ---------------------------------------------------------------- classify: how the decision forms


def forecast_value_text(scaled: float, data) -> str:
    """A forecast in the target's units (``45,298 원``, ``0.8123``), then the scaled value the model computed when the
    data are scaled (``45,298 원 · scaled 0.8123``)."""
    from rnn_lab.data.display import significant_decimals
    from rnn_lab.data.units import format_amount, target_currency

    scaler = getattr(data, "scaler", None)
    if scaler is None or not hasattr(data, "inverse_y"):
        return f"{scaled:.4f}"
    value = float(np.ravel(data.inverse_y(np.array([scaled])))[0])
    code = target_currency(data)
    decimals = None if code else significant_decimals(data.series[data.target])
    text = format_amount(value, code, lang(), decimals)
    if getattr(scaler, "kind", "none") == "none":
        return text
    return f"{text} · {t('units.inside.scaled', value=f'{scaled:.4f}')}"


def prediction_help_key(data) -> str:
    """The help of the prediction metric: original units with the scaled value, or original units alone."""
    scaler = getattr(data, "scaler", None)
    return (
        "units.inside.prediction_help_unscaled"
        if getattr(scaler, "kind", "none") == "none"
        else "units.inside.prediction_help"
    )


def prediction_text(output, data) -> str:
    """The model's answer for the shown input: a number (forecast) or the predicted class and its probability."""
    out = np.ravel(np.asarray(output, dtype=np.float64))
    if task_of_data(data).label_kind != "class":
        return forecast_value_text(float(out[0]), data)
    k = int(np.argmax(out))
    return t("inside.class_answer", cls=data.class_names[k], p=float(out[k]))


def _decision(picked: Picked, window: np.ndarray, entry: dict) -> dict:
    """The (T, K) probabilities through time and their difference from Keras at t = T (once per model and input)."""
    if "decision" not in entry:
        from rnn_lab.inside.decision import DecisionUndefined, decision_through_time
        from rnn_lab.inside.numpy_rnn import keras_output

        try:
            probs = decision_through_time(picked.model, window, entry["run"])
        except DecisionUndefined as err:
            entry["decision"] = {"reason": err.reason, "params": err.params}
        else:
            with tf_spinner():
                keras_probs = keras_output(picked.model, window)[0]
            entry["decision"] = {"probs": probs, "delta": float(np.max(np.abs(probs[-1] - keras_probs)))}
    return entry["decision"]


def decision_ui(picked: Picked, window: np.ndarray, entry: dict, data) -> None:
    """At step t: the row being read (or the sequence so far), the head's probabilities if the sequence stopped
    at t, and every class's probability over t with t marked. Follows the step view's t (``inside_step``)."""
    from rnn_lab import class_views as cv

    st.subheader(t("inside.decision_title"))
    found = _decision(picked, window, entry)
    if "reason" in found:
        reason = t(f"inside.decision_reason.{found['reason']}", **found["params"])
        st.info(t("inside.decision_undefined", reason=reason), icon=":material/info:")
        return
    probs = found["probs"]
    T = probs.shape[0]
    step = min(max(1, int(st.session_state.get("inside_step", 1))), T)
    split, i = st.session_state.get("inside_split"), int(st.session_state.get("inside_window", 0))
    try:
        true = int(data.y(split)[i])
    except (IndexError, KeyError, ValueError, TypeError):
        true = int(np.argmax(probs[-1]))  # no label at hand: mark the predicted class
    st.markdown(t("inside.decision_help", t=step, T=T))
    L = lang()
    if getattr(data, "image_shape", None) is not None:
        plot(cv.image_as_sequence_figure(np.asarray(window), step - 1, L, one_based=True), key="inside_fig_row")
    else:
        plot(cv.sequence_step_figure(np.asarray(window), step, L), key="inside_fig_row")
    c1, c2 = (st.container(), st.container()) if projection() else st.columns(2)
    with c1:
        plot(cv.probabilities_figure(probs[step - 1], data.class_names, true, L, step=step), key="inside_fig_probs")
    with c2:
        plot(cv.decision_figure(probs, data.class_names, step, true, L), key="inside_fig_decision")
    st.caption(t("inside.decision_exact", T=T, delta=found["delta"]))


# ---------------------------------------------------------------- the experiment (background job, Stop)

EXP_JOB = "inside_exp_job"  # the running or last ExperimentJob
EXP_RESULT = "inside_experiment"  # the last result shown (models dropped)
EXP_EVERY = 0.5  # seconds between redraws of the progress while the experiment runs


def _collect_experiment() -> None:
    """Move a finished job's result into the session (once); keep the session small (no models)."""
    job = st.session_state.get(EXP_JOB)
    if job is None or job.running or job.consumed:
        return
    job.consumed = True
    if job.state == "done" and job.result is not None:
        for r in job.result.results:
            r.model = None  # the curves and the connectivity are what the page shows
        st.session_state[EXP_RESULT] = job.result


def _start_experiment() -> None:
    from rnn_lab.inside.connectivity import ExperimentConfig, ExperimentJob

    state = st.session_state
    cfg = ExperimentConfig(
        lag=int(state["inside_exp_lag"]), units=int(state["inside_exp_units"]), epochs=int(state["inside_exp_epochs"])
    )
    from ui.common import session_id

    try:
        state[EXP_JOB] = ExperimentJob(cfg, session_id=session_id())
    except ValueError as err:  # a bad setting, or the shared queue is full (QueueFull says so plainly)
        state["_inside_exp_error"] = str(err)


@st.fragment(run_every=EXP_EVERY)
def _experiment_progress() -> None:
    job = st.session_state.get(EXP_JOB)
    if job is None:
        return
    if not job.running:
        st.rerun()  # the whole page: the result appears
    snap = job.snapshot()
    st.button(
        t("inside.exp_stop"),
        key="btn_inside_exp_stop",
        on_click=job.stop,
        icon=":material/stop:",
        disabled=snap["stopping"],
        help=t("inside.exp_stop_help"),
    )
    if snap["stopping"]:
        text = t("inside.exp_stopping")
    elif snap["cell"] is None:
        text = t("inside.exp_starting")
    else:
        text = t("inside.exp_progress", cell=snap["cell"], pct=round(100 * snap["fraction"]))
    st.progress(min(1.0, snap["fraction"]), text=text)
    if snap["done"]:
        st.caption(t("inside.exp_finished_cells", cells=", ".join(snap["done"]), seconds=snap["seconds"]))


def experiment_ui() -> None:
    """Lag/units/epochs, Run (a background job), its live progress with Stop, then the result (partial after Stop)."""
    state = st.session_state
    _collect_experiment()
    job = state.get(EXP_JOB)
    running = job is not None and job.running
    e1, e2, e3 = st.columns(3)
    e1.number_input(
        t("inside.exp_lag"),
        min_value=5,
        max_value=100,
        step=1,
        key="inside_exp_lag",
        help=t("inside.exp_lag_help"),
        disabled=running,
    )
    e2.number_input(t("inside.exp_units"), min_value=2, max_value=64, step=1, key="inside_exp_units", disabled=running)
    e3.number_input(
        t("inside.exp_epochs"), min_value=1, max_value=60, step=1, key="inside_exp_epochs", disabled=running
    )
    st.button(
        t("inside.exp_button"),
        key="btn_inside_experiment",
        type="primary",
        on_click=_start_experiment,
        disabled=running,
        icon=":material/play_arrow:",
    )
    bad = state.pop("_inside_exp_error", None)
    if bad:
        error(t("inside.exp_failed"), bad)
    if running:
        _experiment_progress()
    elif job is not None and job.state == "error":
        error(t("inside.exp_failed"), str(job.error))
    result = state.get(EXP_RESULT)
    if result is None:
        return
    from rnn_lab.inside.connectivity import conclusion

    cfg = result.config
    st.caption(t("inside.exp_done", seconds=result.seconds, lag=cfg.lag, units=cfg.units, epochs=cfg.epochs))
    if result.stopped:
        done = ", ".join(r.cell for r in result.results) or t("inside.exp_none")
        st.warning(t("inside.exp_stopped", done=done, missing=", ".join(result.missing)), icon=":material/pan_tool:")
    if not result.results:
        return
    plot(views.experiment_loss_figure(result, lang()), key="inside_fig_exp_loss")
    plot(views.experiment_connectivity_figure(result, lang()), key="inside_fig_exp_conn")
    st.success(conclusion(result, lang()), icon=":material/insights:")


# ---------------------------------------------------------------- text: a sentence, token by token

TYPED_KEY = "inside_sentence"  # the typed sentence: session data like the user's own text, never in a link
_LAST_TYPED = "_inside_last_sentence"  # the last typed sentence that could be read (kept after a bad one)


def is_text(data) -> bool:
    return getattr(data, "input_kind", "values") == "tokens"


def sentence_ui(data) -> tuple[np.ndarray, str] | None:
    """A sentence of a split, or a typed one -> its token ids (T,) int32 and a label; None after a message."""
    from rnn_lab.inside.text import SentenceError, encode_sentence

    state = st.session_state
    st.radio(
        t("text_inside.from"),
        options=["sample", "typed"],
        key="inside_text_from",
        horizontal=True,
        format_func=lambda s: t(f"text_inside.from_{s}"),
        help=t("text_inside.from_help"),
    )
    if state.get("inside_text_from") != "typed":
        return _sample_sentence(data)
    st.text_input(t("text_inside.typed"), key=TYPED_KEY, placeholder=t("text_inside.typed_placeholder"))
    try:
        sentence = encode_sentence(data, state.get(TYPED_KEY, ""))
    except SentenceError as err:
        last = state.get(_LAST_TYPED)
        if last is None or last[0] != data.vocab.tokens or last[1].shape != (data.window,):
            # nothing read before with this vocabulary (e.g. a link that picks "type one": the text is not in it)
            st.info(t("text_inside.typed_prompt"), icon=":material/edit:")
            return None
        error(err.text(lang()))
        st.caption(t("text_inside.typed_kept"))
        return last[1], t("text_inside.typed_label")
    state[_LAST_TYPED] = (data.vocab.tokens, sentence.ids)
    if sentence.unknown:
        st.caption(t("text_inside.typed_unknown", tokens=" ".join(sentence.unknown)))
    if sentence.dropped:
        side = t(f"text_inside.side_{data.truncating}")
        st.caption(t("text_inside.typed_dropped", T=data.window, n=sentence.dropped, side=side))
    return sentence.ids, t("text_inside.typed_label")


def _sample_sentence(data) -> tuple[np.ndarray, str] | None:
    """Split + sentence number -> ids (T,) int32, as window_ui does for numbers."""
    state = st.session_state
    sizes = {s: len(data.X(s)) for s in SPLITS}
    available = [s for s in SPLITS if sizes[s] > 0]
    if not available:
        error(t("text_inside.no_sentences"), t("text_inside.no_sentences_hint"))
        return None
    if state.get("inside_split") not in available:
        state["inside_split"] = available[0]
    split, i = _split_and_index_ui(
        available, sizes, t("text_inside.split"), lambda last: t("text_inside.sample", last=last)
    )
    return np.asarray(data.X(split)[i], dtype=np.int32), t(
        "text_inside.sample_label", split=t(f"inside.split_{split}"), i=i
    )


def text_prediction(model_run, ids: np.ndarray, data) -> tuple[str, str, str]:
    """(label, value, help) of the model's answer for the sentence: the next token (next_token) or the class."""
    from rnn_lab.inside.text_views import shown

    if task_of_data(data).label_kind != "token":
        return (
            t("inside.prediction_classify"),
            prediction_text(model_run.output, data),
            t("inside.prediction_classify_help"),
        )
    probs = np.asarray(model_run.output)[0, last_token_step(ids) - 1]  # (V,) softmax after the last real token
    k = int(np.argmax(probs))
    value = t("text_inside.prediction_next_value", token=shown(data.vocab.tokens[k]), p=float(probs[k]))
    return t("text_inside.prediction_next"), value, t("text_inside.prediction_next_help")


def text_step_ui(picked: Picked, ids: np.ndarray, entry: dict, data) -> None:
    """At step t: the sentence with token t highlighted, then the next-token top-k (next_token) or the running
    class probability (classify). Follows the step view's t (``inside_step``)."""
    from rnn_lab.inside import text_views as tv
    from rnn_lab.inside.text import TOP_K, next_token_top, step_tokens

    tokens = step_tokens(data.vocab, ids)
    T = len(tokens)
    step = min(max(1, int(st.session_state.get("inside_step", 1))), T)
    L = lang()
    st.caption(t("text_inside.sentence_help", t=step, T=T))
    per_row = 10 if projection() else tv.PER_ROW  # big fonts: fewer boxes per row
    plot(tv.sentence_figure(tokens, step, L, per_row=per_row), key="inside_fig_sentence")
    if task_of_data(data).label_kind == "token":
        st.subheader(t("text_inside.next_title"))
        if "top" not in entry:
            entry["top"] = next_token_top(np.asarray(entry["run"].output), data.vocab, TOP_K)
        top = entry["top"][step - 1]
        st.caption(t("text_inside.next_help", k=len(top), delta=entry["delta"]))
        plot(tv.next_token_figure(top, tokens[step - 1], step, L), key="inside_fig_next")
        return
    st.subheader(t("text_inside.running_title"))
    found = _decision(picked, ids, entry)
    if "reason" in found:
        reason = t(f"inside.decision_reason.{found['reason']}", **found["params"])
        st.info(t("inside.decision_undefined", reason=reason), icon=":material/info:")
        return
    probs = found["probs"]  # (T, K)
    positive = len(data.class_names) - 1  # NSMC: 0 negative, 1 positive; the last class is the one followed
    name = data.class_names[positive]
    st.caption(t("text_inside.running_help", cls=name, T=T, delta=found["delta"]))
    from rnn_lab import class_views as cv

    split, i = st.session_state.get("inside_split"), int(st.session_state.get("inside_window", 0))
    true = int(np.argmax(probs[-1]))  # a typed sentence has no label: mark the predicted class
    if st.session_state.get("inside_text_from") != "typed":
        try:
            true = int(data.y(split)[i])
        except (IndexError, KeyError, ValueError, TypeError):
            pass
    c1, c2 = (st.container(), st.container()) if projection() else st.columns(2)
    with c1:
        plot(cv.probabilities_figure(probs[step - 1], data.class_names, true, L, step=step), key="inside_fig_probs")
    with c2:
        ticks = 15  # half the page wide, or the full width with projection fonts: about 15 token labels fit
        plot(
            tv.running_probability_figure(probs[:, positive], tokens, step, name, L, max_ticks=ticks),
            key="inside_fig_running",
        )


def token_heatmaps_ui(layer_run, ids: np.ndarray, data, step: int | None = None) -> None:
    """Hidden state and gates over the sentence, the tokens under the time axis, the black line at step ``step``."""
    from rnn_lab.inside import text_views as tv
    from rnn_lab.inside.text import step_tokens

    tokens = step_tokens(data.vocab, ids)
    cols = st.columns(len(layer_run.directions))
    for col, trace in zip(cols, layer_run.directions, strict=True):
        with col:
            ticks = (8 if len(cols) > 1 else 15) if projection() else tv.MAX_TICKS // len(cols)  # labels that fit
            plot(tv.token_heatmaps(trace, tokens, step, lang(), ticks), key=f"inside_fig_time_{trace.direction}")


def embedding_ui(picked: Picked, ids: np.ndarray, data) -> None:
    """The PCA map of the model's Embedding rows, with the shown sentence's tokens marked."""
    from rnn_lab.inside import text_views as tv
    from rnn_lab.inside.text import model_embedding_pca

    st.subheader(t("text_inside.embedding_title"))
    key = ("pca", picked.key)
    emap = _recall("inside_traces", key)
    if emap is None:
        try:
            emap = _remember("inside_traces", key, model_embedding_pca(picked.model, data.vocab))
        except ValueError as err:
            error(t("inside.cannot_run"), str(err))
            return
    from rnn_lab.inside.numpy_rnn import embedding_matrix

    dim = int(embedding_matrix(picked.model).shape[1])  # d_e
    st.markdown(t("text_inside.embedding_help", vocab=data.vocab.size, dim=dim, share=float(np.sum(emap.explained))))
    if picked.run is None:
        st.caption(t("text_inside.embedding_untrained"))
    labels = 40 if projection() else tv.MAX_LABELS
    if len(emap.tokens) > labels:
        st.caption(t("text_inside.embedding_labels", n=labels))
    plot(tv.embedding_figure(emap, lang(), sentence_ids=ids, max_labels=labels), key="inside_fig_embedding")
