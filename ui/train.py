"""Train page helpers: hyperparameter widgets, the background job and its live view, results, runs, export.

Session keys besides the ``train_*`` settings: ``runs`` (list of finished :class:`Run`, read by the
Inside page) and ``job_train`` (the running or last :class:`TrainJob`). The training thread only writes to its job object; the page
polls it with a fragment that reruns every 0.25 s while a job runs.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from rnn_lab.i18n import error_text
from rnn_lab.settings import setting
from rnn_lab.style import color
from rnn_lab.tasks import get_task, task_of_data
from rnn_lab.train.engine import LOSSES, OPTIMIZERS, TrainConfig
from rnn_lab.train.settings import config_from_values
from ui.common import JOB_KEY, error, plot, projection, show_advanced, show_table, t

RUNS_KEY = "runs"
COMPARE_KEY = "compare_ids"  # not a setting: the run ids of the last "compare the five" in this session
LIVE_EVERY = 0.25  # seconds between redraws of the live view
BUSY_EVERY = 1.0  # ... when every training slot of the server is taken (a classroom)
QUEUED_EVERY = 2.0  # ... while the job waits in the queue
LIVE_DRAWN_KEY = "_train_live_drawn"  # not a setting: (what the live figure shows, the figure) drawn last
# Compile the engine for the page's model and data in the background when the page opens. The test suite turns
# it off (RNN_LAB_WARM_UP=0) so dozens of page tests do not each start a compilation; a test turns it on.
WARM_UP = os.environ.get("RNN_LAB_WARM_UP", "1") != "0"
SPLIT_ROLE = {"train": "train", "val": "validation", "test": "test"}


def runs() -> list:
    return st.session_state.setdefault(RUNS_KEY, [])


def shown_runs() -> list:
    """The runs the page shows: all of them, or during a lesson only the lesson's own (ui.classroom.lesson_runs)."""
    from ui.classroom import lesson_runs

    return lesson_runs(runs())


def job():
    return st.session_state.get(JOB_KEY)


def collect_finished_job() -> None:
    """Move a finished job's run into the session's run list (once)."""
    j = job()
    if j is None or j.running or j.consumed:
        return
    j.consumed = True
    finished = list(getattr(j, "runs", None) or ([j.run] if j.run is not None else []))
    if j.state == "error" and not hasattr(j, "runs"):
        finished = []
    from ui import workspace

    workspace.save_finished(finished, getattr(j, "store_snapshot", None), j)  # numbered per workspace, saved
    if hasattr(j, "runs"):  # a comparison: its runs (even when a later model failed or Stop was pressed)
        st.session_state[COMPARE_KEY] = [r.id for r in finished]
        st.session_state[COMPARE_KEY + "_skipped"] = list(j.skipped)
    if finished:
        from rnn_lab.train.limits import Limits, trim_runs

        runs().extend(finished)
        st.session_state["btn_train_show"] = finished[-1].id
        st.session_state["_train_scroll_results"] = True  # the results replace the live curve: bring them into view
        dropped = trim_runs(runs(), Limits.from_env().max_runs, protect=tuple(finished))
        if dropped:  # the session keeps at most RNN_LAB_MAX_RUNS runs: say which went
            st.session_state["_train_dropped"] = [r.name for r in dropped]


# ---------------------------------------------------------------- hyperparameters


def _bounds(key: str) -> dict:
    s = setting(key)
    return {"min_value": s.min, "max_value": s.max}


def _set_lr(value: float) -> None:
    st.session_state["train_lr"] = value


def _lr_note(column) -> None:
    """Why the default differs from Keras' 0.001, and a button to the other one (the tutorial's exact numbers)."""
    from rnn_lab.train.settings import DEFAULT_LR, KERAS_LR

    lr = st.session_state.get("train_lr")
    if lr == DEFAULT_LR:
        prepared = st.session_state.get("prepared")  # the reason holds only when the training set fits in one batch
        n_train = prepared.split_sizes["train"] if prepared is not None else 0
        batches = math.ceil(n_train / max(1, int(st.session_state.get("train_batch_size", 32))))
        if batches > 1:
            column.caption(t("train.lr_note_batches", lr=DEFAULT_LR, keras=KERAS_LR, batches=f"{batches:,}"))
        else:
            column.caption(t("train.lr_note", lr=DEFAULT_LR, keras=KERAS_LR))
        column.button(
            t("train.lr_keras_button", keras=KERAS_LR), key="btn_train_lr_keras", on_click=_set_lr, args=(KERAS_LR,)
        )
    elif lr == KERAS_LR:
        column.button(
            t("train.lr_default_button", lr=DEFAULT_LR),
            key="btn_train_lr_default",
            on_click=_set_lr,
            args=(DEFAULT_LR,),
        )


def hyperparameters_ui() -> TrainConfig | None:
    """The hyperparameter widgets (advanced ones hidden in simple mode); the config, or None after an error."""
    st.subheader(t("train.hyper"))
    c1, c2, c3 = st.columns(3)
    c1.selectbox(
        t("train.optimizer"),
        OPTIMIZERS,
        key="train_optimizer",
        help=t("train.optimizer_help"),
        format_func=lambda v: t(f"train.options.optimizer.{v}"),
    )
    c2.number_input(
        t("train.lr"),
        key="train_lr",
        format="%.5f",
        step=0.0005,
        help=t("train.lr_help"),
        **_bounds("train_lr"),
    )
    _lr_note(c2)
    c3.number_input(
        t("train.epochs"),
        key="train_epochs",
        step=10,
        help=t("train.epochs_help"),
        **_bounds("train_epochs"),
    )
    c1, c2, c3 = st.columns(3)
    from rnn_lab.tasks import task_of

    losses = [loss for loss in LOSSES if loss in task_of(st.session_state).losses]  # the losses that fit the head
    if st.session_state.get("train_loss") not in losses:  # e.g. mse left from forecasting, or a hand-made link
        st.session_state["train_loss"] = losses[0]
    c1.selectbox(
        t("train.loss"),
        losses,
        key="train_loss",
        help=t("train.loss_help"),
        format_func=lambda v: t(f"train.options.loss.{v}"),
    )
    c2.number_input(
        t("train.batch_size"),
        key="train_batch_size",
        step=8,
        help=t("train.batch_size_help"),
        **_bounds("train_batch_size"),
    )
    c3.toggle(t("train.live"), key="train_live", help=t("train.live_help"))
    if show_advanced():
        with st.expander(t("train.advanced")):
            c1, c2 = st.columns(2)  # two per row: the toggles' labels need the width
            c3, c4 = st.columns(2)
            c1.toggle(
                t("train.early_stopping"),
                key="train_early_stopping",
                help=t("train.early_stopping_help"),
            )
            c2.number_input(
                t("train.patience"),
                key="train_patience",
                step=1,
                **_bounds("train_patience"),
                disabled=not st.session_state.get("train_early_stopping"),
            )
            c3.toggle(
                t("train.restore_best"),
                key="train_restore_best",
                disabled=not st.session_state.get("train_early_stopping"),
            )
            c4.number_input(
                t("train.seed"),
                key="train_seed",
                step=1,
                help=t("train.seed_help"),
                **_bounds("train_seed"),
            )
    try:
        return config_from_values(st.session_state)
    except ValueError as err:
        error(t("train.err.bad_setting", detail=str(err)))
        return None


# ---------------------------------------------------------------- training job


def start_ui(prepared, arch, cfg: TrainConfig | None) -> None:
    """The Train button; starts a background job unless one runs (one training at a time per session)."""
    from rnn_lab.train.runs import TrainError, TrainJob, check_before, training_arch

    j = job()
    busy = j is not None and j.running
    clicked = st.button(
        t("train.train_button"),
        key="btn_train_start",
        type="primary",
        disabled=busy or cfg is None,
        icon=":material/play_arrow:",
    )
    if busy:
        st.caption(t("train.busy"))
    if not clicked and cfg is not None and not busy and WARM_UP and not _remote():
        from rnn_lab.train.runs import warm_up_in_background
        from ui.common import session_id

        warm_up_in_background(prepared, arch, cfg, session_id=session_id())  # compile before the press (9.2)
    if not clicked or cfg is None or busy:
        return
    try:
        notes = check_before(prepared, training_arch(arch, prepared), cfg)
    except (TrainError, ValueError) as err:
        error(
            err.text(_lang())
            if isinstance(err, TrainError)
            else t("train.err.bad_setting", detail=error_text(err, _lang()))
        )
        return
    for note in notes:
        st.info(t(note), icon=":material/info:")
    _submit(TrainJob, prepared, arch, cfg)


def _submit(job_class, prepared, arch, cfg: TrainConfig, local: bool = False) -> None:
    """Queue a training (or a comparison) for this session; a full queue is a plain message. With the worker
    backend, workers that cannot be reached are said plainly and the page offers to train here instead."""
    from rnn_lab.store import StoreUnavailable
    from rnn_lab.train.scheduler import QueueFull
    from rnn_lab.workers.state import BackendUnavailable
    from ui.common import session_id
    from ui.workspace import job_class_for, snapshot

    try:
        st.session_state[JOB_KEY] = job_class_for(job_class, local=local)(  # a training saves itself in the store
            prepared, arch, cfg, live=bool(st.session_state.get("train_live", True)), session_id=session_id()
        )
        st.session_state[JOB_KEY].store_snapshot = snapshot()  # the settings it trains with, saved when it ends
    except QueueFull as err:
        error(t("train.queue_full", waiting=err.waiting, limit=err.limit))
    except (BackendUnavailable, StoreUnavailable) as err:
        error(err.text(_lang()))  # the workers' queue (Redis) or the store they read cannot be reached
        st.button(
            t("workers.ui.train_here"),
            key="btn_train_here",
            on_click=_submit,
            args=(job_class, prepared, arch, cfg, True),
            icon=":material/computer:",
            help=t("workers.ui.train_here_help"),
        )


def compare_start_ui(prepared, arch, cfg: TrainConfig | None) -> None:
    """Train SimpleRNN, LSTM, GRU, Conv1D and Dense on this split with this budget, one after another."""
    from rnn_lab.train.compare import CompareJob, compare_names, compare_plan

    names = compare_names(prepared)
    j = job()
    busy = j is not None and j.running
    clicked = st.button(
        t("train.compare_all_button", models=", ".join(names)),
        key="btn_train_compare_all",
        disabled=busy or cfg is None,
        icon=":material/compare_arrows:",
        help=t("train.compare_all_help"),
    )
    if task_of_data(prepared).label_kind == "token":
        st.caption(t("text_train.compare_recurrent_only"))
    if not clicked or cfg is None or busy:
        return
    plan, skipped = compare_plan(prepared, arch, names)
    if not plan:
        _skipped_ui(skipped)
    else:
        _submit(CompareJob, prepared, arch, cfg)


def _lang() -> str:
    from ui.common import lang

    return lang()


def loss_label(loss: str) -> str:
    """The loss on an axis: MSE, MAE, HUBER, or cross-entropy (Keras' long name does not fit an axis)."""
    return t("train.cross_entropy") if loss == "sparse_categorical_crossentropy" else loss.upper()


def loss_figure(history: dict, loss_name: str, epochs: int | None = None, title: str | None = None):
    fig = go.Figure()
    x = list(range(1, len(history.get("loss", [])) + 1))
    fig.add_scatter(
        x=x,
        y=history.get("loss", []),
        mode="lines+markers" if len(x) <= 60 else "lines",
        name=t("train.train_curve"),
        line={"color": color("train")},
    )
    if history.get("val_loss"):
        fig.add_scatter(
            x=x,
            y=history["val_loss"],
            mode="lines+markers" if len(x) <= 60 else "lines",
            name=t("train.val_curve"),
            line={"color": color("validation")},
        )
    fig.update_layout(
        title=title or t("train.loss_title"),
        xaxis_title=t("train.epoch_axis"),
        yaxis_title=t("train.loss_axis", loss=loss_label(loss_name)),
    )
    if epochs:
        fig.update_xaxes(range=[0.5, epochs + 0.5])
    return fig


def _draw_progress(snap: dict, cfg: TrainConfig, live: bool) -> None:
    if "model" in snap:  # a comparison: which model of how many
        st.markdown(t("train.compare_all_progress", i=snap["model_index"] + 1, n=snap["models"], model=snap["model"]))
        _skipped_ui(snap["skipped"])
    st.progress(min(1.0, snap["epoch"] / max(1, snap["epochs"])))
    if snap.get("worker"):  # trained on a worker (RNN_LAB_SCHEDULER=celery): which one
        st.caption(t("workers.ui.training_on", host=snap["worker"]["host"], pid=snap["worker"]["pid"]))
    if snap["epoch"] == 0:
        st.caption(t("train.progress_start"))
    else:
        eta = snap["eta"] if math.isfinite(snap["eta"]) else 0.0
        st.caption(
            t(
                "train.progress",
                epoch=snap["epoch"],
                epochs=snap["epochs"],
                elapsed=snap["elapsed"],
                eta=eta,
            )
        )
    if live:
        _live_chart(snap, cfg)


def _live_chart(snap: dict, cfg: TrainConfig) -> None:
    """The growing loss curve, built (and styled) only when a new epoch (or model of a comparison) exists: a poll
    with nothing new re-emits the figure kept in the session. A fragment rerun must draw it again, or Streamlit
    drops it from the page; the unchanged element is then the same message, which Streamlit sends as a reference
    to its copy in the browser once it is 10 kB or more (its ForwardMsg cache)."""
    from ui.common import styled

    drawn_key = (
        getattr(job(), "started", None),
        snap.get("model_index"),
        snap["epoch"],
        snap["epochs"],
        cfg.loss,
        _lang(),
        projection(),
    )
    drawn = st.session_state.get(LIVE_DRAWN_KEY)
    if drawn is None or drawn[0] != drawn_key:
        drawn = (drawn_key, styled(loss_figure(snap["history"], cfg.loss, snap["epochs"])))
        st.session_state[LIVE_DRAWN_KEY] = drawn
    st.plotly_chart(drawn[1], key="chart_train_live", width="stretch", config={"displaylogo": False})


def _unreachable_note(j) -> None:
    """A job on the workers whose queue (Redis) stopped answering: say so; the last known progress stays drawn and
    the run is still written to the store by its worker."""
    err = getattr(getattr(j, "ticket", None), "unreachable", None)
    if err is not None:
        st.warning(err.text(_lang()), icon=":material/cloud_off:")


def _queued_body(j) -> None:
    """Waiting for a free slot on a shared server: the place in line, the expected wait, and Cancel."""
    _unreachable_note(j)
    snap = j.snapshot()
    if not snap.get("queued"):
        st.rerun()  # its turn came (or it ended): the whole page draws the live view
    eta = snap.get("wait_eta", float("nan"))
    st.info(
        t("train.queued", position=snap["position"], length=snap["queue_length"])
        + (" " + t("train.queued_eta", seconds=round(eta)) if math.isfinite(eta) else ""),
        icon=":material/hourglass_top:",
    )
    st.button(t("train.cancel_button"), key="btn_train_cancel", on_click=j.stop, icon=":material/close:")


def _live_body() -> None:
    j = job()
    if j is None:
        return
    if not j.running:
        st.rerun()  # the whole page: results and runs appear
    if j.state == "queued":
        _queued_body(j)
        return
    st.button(
        t("train.stop_button"),
        key="btn_train_stop",
        on_click=j.stop,
        icon=":material/stop:",
    )
    _unreachable_note(j)
    _draw_progress(j.snapshot(), j.cfg, j.live)


# Each poll reruns Python on the server; 30 students polling 4 times a second would take the two cores from the
# trainings and from everybody's pages. So: 4 Hz when the server has a free slot (one student, a laptop), once a
# second when every slot is taken, every two seconds while queued (bench/classroom_load.py measures it).
@st.fragment(run_every=LIVE_EVERY)
def _live_fragment() -> None:
    _live_body()


@st.fragment(run_every=BUSY_EVERY)
def _live_fragment_busy() -> None:
    _live_body()


@st.fragment(run_every=QUEUED_EVERY)
def _queued_fragment() -> None:
    _live_body()


def _remote() -> bool:
    """Trainings run on workers (RNN_LAB_SCHEDULER=celery): this process compiles nothing ahead of them."""
    from rnn_lab.train.scheduler import default_scheduler

    return bool(getattr(default_scheduler(), "remote", False))


def _server_busy() -> bool:
    from rnn_lab.train.scheduler import default_scheduler

    status = default_scheduler().status()
    return status.running >= status.limit


def live_ui() -> None:
    """While a job runs: Stop, progress bar, epoch x/N, elapsed, ETA and (if on) the growing loss curve."""
    j = job()
    if j is not None and j.running:
        if j.state == "queued":
            _queued_fragment()
            return
        with st.container(key="train_live_view"):
            st.info(t("train.running"), icon=":material/model_training:")
            (_live_fragment_busy if _server_busy() else _live_fragment)()
        if st.session_state.get("_train_live_scrolled") != id(j):  # once per training: the curve into view
            from ui.classroom import scroll_into_view

            st.session_state["_train_live_scrolled"] = id(j)
            scroll_into_view("train_live_view")
        return
    if j is not None and j.state == "error":
        err = j.error
        error(
            t("train.failed"),
            error_text(err, _lang()),
        )


# ---------------------------------------------------------------- results


def _stop_message(run) -> None:
    if run.stop_reason == "user":
        st.warning(t("train.stop.user", epochs=run.epochs_run), icon=":material/pan_tool:")
    elif run.stop_reason == "early_stopping":
        st.info(
            t("train.stop.early_stopping", epochs=run.epochs_run, best=run.best_epoch),
            icon=":material/flag:",
        )
    elif run.stop_reason == "diverged":
        _diverged_ui(run)
    else:
        st.success(
            t("train.finished", epochs=run.epochs_run, seconds=run.train_seconds),
            icon=":material/check:",
        )
    for note in run.notes:
        st.info(t(note), icon=":material/info:")


def diverged_text(run) -> str:
    """Why the divergence guard stopped the run (NaN/inf, or a loss that kept growing), with its numbers."""
    from rnn_lab.train.engine import divergence_text

    return divergence_text(run.history, run.train.learning_rate, _lang())


def _diverged_ui(run) -> None:
    """The divergence guard's message, its rule, and one click to a learning rate ten times smaller (only that)."""
    from rnn_lab.train.engine import GROWTH_EPOCHS, GROWTH_GRACE

    st.error(diverged_text(run), icon=":material/warning:")
    st.caption(t("units.diverged.rule", n=GROWTH_EPOCHS, grace=GROWTH_GRACE))
    smaller = max(float(setting("train_lr").min), run.train.learning_rate / 10)
    st.button(
        t("units.diverged.button", lr=f"{smaller:g}"),
        key="btn_train_lr_tenth",
        on_click=_set_lr,
        args=(smaller,),
        help=t("units.diverged.button_help"),
        icon=":material/trending_down:",
    )


def predictions_figure(run, forecast: pd.Series | None = None):
    """Actual values (black), the model's predictions per split (split colours), split boundaries, forecast."""
    pred = run.predictions
    fig = go.Figure()
    fig.add_scatter(
        x=pred["index"],
        y=pred["actual"],
        mode="lines",
        name=t("train.actual"),
        line={"color": color("actual")},
    )
    for split in ("train", "val", "test"):
        part = pred[pred["split"] == split]
        if part.empty:
            continue
        fig.add_scatter(
            x=part["index"],
            y=part["predicted"],
            mode="lines+markers" if len(part) <= 40 else "lines",
            name=t("train.predicted", split=t(f"train.split_short.{split}")),
            line={"color": color(SPLIT_ROLE[split])},
        )
        if split != "train":
            x0 = part["index"].iloc[0]
            fig.add_shape(
                type="line",
                x0=x0,
                x1=x0,
                yref="paper",
                y0=0,
                y1=1,
                line={"color": color(SPLIT_ROLE[split]), "dash": "dash", "width": 1},
            )
            fig.add_annotation(
                x=x0,
                yref="paper",
                y=1.0,
                text=t("train.boundary", split=t(f"train.split_short.{split}")),
                showarrow=False,
                xanchor="right" if split == "val" else "left",  # labels on either side: they never overlap
                yanchor="top",  # inside the plot, under its top edge: never in the title's band
                bgcolor="rgba(255,255,255,0.8)",
            )
    if "filled" in pred and pred["filled"].any():  # labels cleaning filled in: shown apart, not scored
        part = pred[pred["filled"]]
        fig.add_scatter(
            x=part["index"],
            y=part["actual"],
            mode="markers",
            name=t("train.filled_point"),
            marker={
                "symbol": "x-thin",
                "size": 7,
                "color": color("model"),
                "line": {"width": 1.5, "color": color("model")},
            },
        )
    dated = isinstance(getattr(run.prepared, "series", None), pd.DataFrame) and isinstance(
        run.prepared.series.index, pd.DatetimeIndex
    )
    if forecast is not None and dated and not isinstance(forecast.index, pd.DatetimeIndex):
        forecast = None  # dates that follow no calendar: the forecast counts steps, which have no place on this axis
    if forecast is not None:
        fig.add_scatter(
            x=forecast.index,
            y=forecast.values,
            mode="lines+markers",
            name=t("train.forecast_name"),
            line={"color": color("forecast"), "dash": "dot"},
        )
    fig.update_layout(
        title=t("train.pred_title"),
        xaxis_title=t("train.time_axis"),
        yaxis_title=t("train.value_axis", target=_with_unit(run, run.target)),
        hovermode="x unified",
    )
    return _units(fig, run)


def _unit(run) -> str | None:
    """The currency of the run's target (rnn_lab.data.units), or None."""
    from rnn_lab.data.units import target_currency

    return target_currency(run.prepared) if run.prepared is not None else None


def _with_unit(run, name: str) -> str:
    from rnn_lab.data.units import axis_title

    return axis_title(name, _unit(run), _lang())


def _units(fig, run):
    """Hovers in the target's unit (45,298 원, not 45.29812k) and the full date on the series' calendar."""
    from rnn_lab.data.units import apply_units

    series = getattr(run.prepared, "series", None)
    index = series.index if isinstance(series, pd.DataFrame) else None
    code = _unit(run)
    decimals = None if code else _significant(run.predictions["actual"])
    return apply_units(fig, index, code, _lang(), decimals=decimals)


def _significant(values) -> int:
    from rnn_lab.data.display import significant_decimals

    return significant_decimals(values)


def residual_figure(run):
    pred = run.predictions
    fig = go.Figure()
    for split in ("train", "val", "test"):
        part = pred[pred["split"] == split]
        if part.empty:
            continue
        fig.add_scatter(
            x=part["index"],
            y=part["actual"] - part["predicted"],
            mode="markers" if len(part) <= 40 else "lines",
            name=t(f"train.split_short.{split}"),
            line={"color": color(SPLIT_ROLE[split])},
            marker={"color": color(SPLIT_ROLE[split])},
        )
    fig.add_hline(y=0, line={"color": "#777777", "width": 1})
    fig.update_layout(
        title=t("train.residual_title"),
        xaxis_title=t("train.time_axis"),
        yaxis_title=_with_unit(run, t("train.residual_axis")),
    )
    return _units(fig, run)


def _fmt(v) -> str:
    return "-" if v is None or (isinstance(v, float) and not math.isfinite(v)) else f"{v:.6g}"


def _finite(v) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


def _one_format(values: list) -> list[str]:
    """The numbers of one column (or one metric's row) in ONE format: fixed decimals giving about four
    significant digits at their typical size, thousands separators, never an exponent beside a plain number."""
    from rnn_lab.data.display import NumberFormat, significant_decimals

    fmt = NumberFormat(significant_decimals([v for v in values if _finite(v)]))
    return [fmt(v) if _finite(v) else "-" for v in values]


def metrics_table(run) -> pd.DataFrame:
    """MSE, RMSE, MAE and MAPE of the model and the naive baseline; RMSE and MAE in the target's currency
    (``655 원`` / ``655 KRW``), MSE in its square."""
    from rnn_lab.data.units import format_amount, unit_decimals, unit_label

    m = run.metrics
    code = _unit(run)
    label = unit_label(code, _lang())
    rows = [(f"MSE ({label}²)" if label else "MSE", "mse"), ("RMSE", "rmse"), ("MAE", "mae"), ("MAPE (%)", "mape")]
    pairs = [_one_format([m["model"][k], m["naive"][k]]) for _, k in rows]  # model and naive alike per metric
    if code:  # RMSE and MAE are in the target's units: write them as prices
        for i, (_, k) in enumerate(rows):
            if k in ("rmse", "mae"):
                d = unit_decimals(code, 2)
                pairs[i] = [
                    format_amount(v, code, _lang(), d) if _finite(v) else "-" for v in (m["model"][k], m["naive"][k])
                ]
    return pd.DataFrame(
        {
            t("train.metric"): [r[0] for r in rows],
            t("train.model_col"): [p[0] for p in pairs],
            t("train.naive_col"): [p[1] for p in pairs],
        }
    )


def metrics_ui(run) -> None:
    m = run.metrics
    st.subheader(t("train.metrics_title", split=t(f"train.split.{m['split']}")))
    show_table(metrics_table(run), hide_index=True, width="stretch", key="table_train_metrics")
    st.markdown(t("train.skill_line", skill=_fmt(m["skill"])))
    if m.get("left_out"):  # windows with a filled label: not scored as if real
        split = t(f"train.split_short.{m['split']}")
        st.caption(
            t("train.left_out", n=m["left_out"], total=m["left_out"] + m["scored"], split=split, scored=m["scored"])
        )
    verdict = t(f"train.verdict.{m['verdict']}")
    {"beats": st.success, "ties": st.warning, "loses": st.error}.get(m["verdict"], st.info)(verdict)
    diagnosis = m.get("diagnosis") or []
    if diagnosis:  # what the page measured, each with what would help
        st.markdown(f"**{t('train.diagnosis.title')}**")
        lines = []
        for key, values in diagnosis:
            if "split" in values:
                values = {**values, "split": t(f"train.split_short.{values['split']}")}
            lines.append(f"- {t(f'train.diagnosis.{key}', **values)}")
        st.markdown("\n".join(lines))


def tutorial_ui(run) -> None:
    """The Keras tutorial's printout for the counting toy: targets 0.5 .. 1.4 beside the predictions."""
    part = run.predictions[run.predictions["split"] == "train"]
    st.subheader(t("train.tutorial_title"))
    frame = pd.DataFrame(
        {
            t("train.target_col"): np.round(part["actual"].to_numpy(), 4),
            t("train.prediction_col"): np.round(part["predicted"].to_numpy(), 4),
        }
    )
    show_table(frame, hide_index=True, key="table_train_tutorial")


RESULT_FIGURES_KEY = "_train_result_figures"  # not a setting: {(run id, figure, language, mode): styled figure}


def _results_chart(run, what, make, key: str) -> None:
    """A results figure of the shown run, built and styled once per run, language and projection mode and kept in
    the session (Plotly's styling alone takes ~80 ms a figure): a rerun of the page only sends it again."""
    from ui.common import styled

    cache = st.session_state.setdefault(RESULT_FIGURES_KEY, {})
    name = (run.id, what, _lang(), projection())
    if name not in cache:
        kind = what[0] if isinstance(what, tuple) else what
        for old in [k for k in cache if k[0] != run.id or (k[1][0] if isinstance(k[1], tuple) else k[1]) == kind]:
            del cache[old]  # only the shown run's figures are kept, one of each kind
        cache[name] = styled(make())
    st.plotly_chart(cache[name], key=key, width="stretch", config={"displaylogo": False})


def results_ui(run) -> None:
    from rnn_lab.train.runs import forecast

    st.header(t("train.results", name=run.name))
    _stop_message(run)
    _results_chart(run, "loss", lambda: loss_figure(run.history, run.train.loss), "chart_train_loss")
    if task_of_data(run).label_kind == "token":
        from ui import text_train

        text_train.results_ui(run)
        export_ui(run)
        return
    if task_of_data(run).label_kind == "class":
        from ui import classify

        classify.results_ui(run)
        if getattr(run.prepared, "input_kind", "values") == "tokens":  # reviews, not images: show their words
            from ui import text_train

            text_train.worst_reviews_ui(run)
        export_ui(run)
        return
    if run.source == "toy:counting":
        tutorial_ui(run)
    metrics_ui(run)
    st.number_input(
        t("train.forecast_steps"),
        key="train_forecast_steps",
        step=5,
        **_bounds("train_forecast_steps"),
    )
    steps = int(st.session_state.get("train_forecast_steps", 20))
    series, reason = forecast(run, steps)  # the first steps of the forecast the job computed: no Keras call here
    _results_chart(run, ("predictions", steps), lambda: predictions_figure(run, series), "chart_train_predictions")
    st.caption(t("train.forecast_caveat") if reason is None else t(f"train.forecast.{reason}"))
    _results_chart(run, "residuals", lambda: residual_figure(run), "chart_train_residuals")
    export_ui(run)


# ---------------------------------------------------------------- export


def export_ui(run) -> None:
    from rnn_lab.train import export

    st.subheader(t("train.export"))
    stem = f"rnn_lab_run{run.id}"
    # (label key, bytes maker, file name, MIME type, key suffix)
    downloads = [
        ("train.export_model", lambda: export.model_bytes(run), f"{stem}.keras", "application/octet-stream", "model"),
        ("train.export_history", lambda: export.history_csv(run), f"{stem}_history.csv", "text/csv", "hist"),
        (
            "train.export_predictions",
            lambda: export.predictions_csv(run),
            f"{stem}_predictions.csv",
            "text/csv",
            "pred",
        ),
        ("train.export_script", lambda: export.script(run).encode(), "train_rnn_lab.py", "text/x-python", "py"),
        ("train.export_zip", lambda: export.zip_bundle(run), f"{stem}.zip", "application/zip", "zip"),
        (
            "train.export_notebook",
            lambda lang=_lang(): export.notebook(run, lang),
            f"{stem}.ipynb",
            "application/x-ipynb+json",
            "nb",
        ),
    ]
    if export.is_text(run):  # the ids mean nothing without their tokens: the vocabulary the script decodes with
        downloads.insert(
            1,
            ("text_train.export_vocab", lambda: export.vocab_json(run), export.VOCAB_FILE, "application/json", "vocab"),
        )
    per_row = 2 if projection() else 3  # labels like "Standalone script (.py)" fit whole, never cut
    cells = [cell for start in range(0, len(downloads), per_row) for cell in st.columns(per_row)]
    for column, (label, data, file_name, mime, suffix) in zip(cells, downloads):
        column.download_button(
            t(label),
            data=data,
            file_name=file_name,
            mime=mime,
            key=f"btn_train_dl_{suffix}_{run.id}",
            on_click="ignore",
            help=t({"py": "train.export_script_help", "nb": "train.export_notebook_help"}[suffix])
            if suffix in ("py", "nb")
            else None,
            width="stretch",
        )


# ---------------------------------------------------------------- runs


def runs_table(items: list) -> pd.DataFrame:
    from rnn_lab.train.runs import best_run, layers_label

    best = best_run(items)
    rows = []
    for r in items:
        s = r.summary()
        rows.append(
            {
                t("train.col_best"): "★" if best is not None and r.id == best.id else "",
                t("train.col_name"): r.name,
                t("train.col_data"): r.source,  # the star compares only runs on the same data
                t("train.col_cell"): layers_label(r.arch),  # SimpleRNN(8), Conv1D(16, 3), Dense(32)
                t("train.col_epochs"): s["epochs"],
                t("train.col_final_loss"): s["final_loss"],
                t("train.col_final_val"): s["final_val_loss"],
                t("train.col_split"): t(f"train.split_short.{s['split']}"),
                **_task_scores(s),
                t("train.col_seconds"): f"{s['train_seconds']:.2f}",
            }
        )
    frame = pd.DataFrame(rows)
    if projection():  # large print: the columns a class compares (the run's name already says its cell)
        keep = (
            "col_best",
            "col_name",
            "col_data",
            "col_epochs",
            "col_final_loss",
            "col_rmse",
            "col_naive_rmse",
            "col_skill",
        )
        keep += ("col_accuracy", "col_baseline")
        names = [
            t(f"train.{k}")
            if k.startswith("col_") and not k.startswith(("col_acc", "col_base"))
            else t(f"class_ui.{k}")
            for k in keep
        ]
        names += [t("text_train.col_perplexity"), t("text_train.col_unigram_perplexity")]
        frame = frame[[c for c in names if c in frame]]
    for key in ("col_final_loss", "col_final_val", "col_rmse", "col_naive_rmse", "col_skill"):
        column = t(f"train.{key}")
        if column not in frame:
            continue
        frame[column] = _one_format(frame[column].tolist())  # one format per column, whatever the runs' scales
        if key in ("col_rmse", "col_naive_rmse"):
            frame[column] = _with_units(frame[column].tolist(), items)
    return frame


def _with_units(cells: list[str], items: list) -> list[str]:
    """RMSE cells of runs whose target has a currency, with its unit (``1,229 원``); the others as they are."""
    from rnn_lab.data.units import unit_label

    out = []
    for cell, run in zip(cells, items, strict=True):
        label = unit_label(_unit(run), _lang()) if task_of_data(run).forecasts else ""
        out.append(f"{cell} {label}" if label and cell != "-" else cell)
    return out


def _task_scores(s: dict) -> dict:
    """A run's (or a compared model's) task scores as table cells: RMSE beside the naive forecast, accuracy beside
    the majority class, or a language model's accuracy and perplexity beside the unigram baseline's."""
    if get_task(s.get("task") or "forecast").label_kind == "token":
        return {
            t("class_ui.col_accuracy"): f"{s['accuracy']:.1%}",
            t("text_train.col_perplexity"): f"{s['perplexity']:.2f}",
            t("text_train.col_unigram_perplexity"): f"{s['baseline_perplexity']:.2f}",
        }
    if get_task(s.get("task") or "forecast").label_kind == "class":
        return {
            t("class_ui.col_accuracy"): f"{s['accuracy']:.1%}",
            t("class_ui.col_baseline"): f"{s['baseline_accuracy']:.1%}",
        }
    return {
        t("train.col_rmse"): s["rmse"],
        t("train.col_naive_rmse"): s["naive_rmse"],
        **({t("train.col_skill"): s["skill"]} if "skill" in s else {}),
    }


def compare_figure(items: list):
    fig = go.Figure()
    for r in items:
        fig.add_scatter(
            x=list(range(1, r.epochs_run + 1)),
            y=r.history["loss"],
            mode="lines",
            name=r.name,
        )
    fig.update_layout(
        title=t("train.compare_loss_title"),
        xaxis_title=t("train.epoch_axis"),
        yaxis_title=t("train.loss_axis", loss="loss"),
    )
    return fig


def _rename(run_id: int) -> None:
    name = str(st.session_state.get("btn_train_rename", "")).strip()
    for r in runs():
        if r.id == run_id and name:
            r.name = name
            from ui.workspace import renamed

            renamed(r)


def _delete(run_id: int) -> None:
    from ui.workspace import deleted

    for r in runs():
        if r.id == run_id:
            deleted(r)  # from the run store too
    st.session_state[RUNS_KEY] = [r for r in runs() if r.id != run_id]
    st.session_state.pop("btn_train_show", None)


def selected_run_ui():
    """Choose the run to show (the latest by default); rename or delete it."""
    items = shown_runs()
    from ui.workspace import not_saving_ui

    not_saving_ui()  # the run store cannot be used: nothing is being saved
    if not items:
        st.info(t("train.no_runs"))
        return None
    ids = [r.id for r in items]
    dropped = st.session_state.pop("_train_dropped", None)
    if dropped:
        from rnn_lab.train.limits import Limits

        st.info(
            t("train.runs_dropped", n=Limits.from_env().max_runs, names=", ".join(dropped)), icon=":material/delete:"
        )
    if st.session_state.get("btn_train_show") not in ids:
        st.session_state["btn_train_show"] = ids[-1]
    names = {r.id: r.name for r in items}
    if projection():  # large print: the run's name gets the whole width, renaming the row below
        c1 = st.container()
        c2, c3 = st.columns([3, 1], vertical_alignment="bottom")
    else:
        c1, c2, c3 = st.columns([3, 3, 1], vertical_alignment="bottom")
    run_id = c1.selectbox(t("train.show_run"), ids, key="btn_train_show", format_func=names.get)
    with c2:
        st.text_input(t("train.rename"), key="btn_train_rename")
    c3.button(
        t("train.rename_button"),
        key="btn_train_rename_go",
        on_click=_rename,
        args=(run_id,),
    )
    run = next(r for r in items if r.id == run_id)
    c4, c5 = st.columns([1, 3], vertical_alignment="center")
    c4.button(
        t("train.delete_button"),
        key="btn_train_delete",
        on_click=_delete,
        args=(run_id,),
        icon=":material/delete:",
    )
    from ui.workspace import fork_ui, resume_ui

    with c4:
        fork_ui(run)  # "same start, one change" (saved runs)
    c5.toggle(
        t("train.pin"),
        value=run.pinned,
        key=f"btn_train_pin_{run.id}",
        on_change=_pin,
        args=(run,),
        help=t("train.pin_help"),
    )
    resume_ui(run)  # "train N more epochs" (saved runs)
    return run


def _pin(run) -> None:
    run.pinned = bool(st.session_state.get(f"btn_train_pin_{run.id}"))


def _skipped_ui(skipped: list) -> None:
    for name, reason in skipped:
        st.warning(
            t("train.compare_all_skipped", model=name, reason=error_text(reason, _lang())), icon=":material/block:"
        )


def comparison_table(items: list) -> pd.DataFrame:
    """One row per compared model: its parameters, training time and test metric beside the baseline."""
    from rnn_lab.train.runs import compare_row

    rows = []
    for r in items:
        row = compare_row(r)
        rows.append(
            {
                t("train.col_model"): row["model"],
                t("train.col_params"): f"{row['params']:,}",
                t("train.col_seconds"): f"{row['train_seconds']:.2f}",
                t("train.col_epochs"): row["epochs"],
                **_task_scores({**row, "task": r.task}),
            }
        )
    frame = pd.DataFrame(rows)
    for key in ("col_rmse", "col_naive_rmse"):
        if t(f"train.{key}") in frame:
            frame[t(f"train.{key}")] = _with_units(_one_format(frame[t(f"train.{key}")].tolist()), items)
    return frame


def comparison_ui(items: list) -> None:
    """The last comparison of this task: the table and the validation loss curves of every model on one axis."""
    ids = st.session_state.get(COMPARE_KEY) or []
    compared = [r for r in items if r.id in ids]
    if not compared:
        return
    st.subheader(t("train.compare_all_title"))
    _skipped_ui(st.session_state.get(COMPARE_KEY + "_skipped", []))
    first = compared[0]
    st.caption(
        t(
            "train.compare_all_caption",
            epochs=first.train.epochs,
            batch=first.train.batch_size,
            seed=first.train.seed,
            split=t(f"train.split_short.{first.metrics['split']}"),
        )
    )
    show_table(comparison_table(compared), hide_index=True, static=True)
    if task_of_data(first).label_kind == "token":
        _perplexity_chart([layers_name(r) for r in compared], compared, key="chart_train_compare_all_ppl")
    fig = go.Figure()
    key = "val_loss" if all(r.history.get("val_loss") for r in compared) else "loss"
    for r in compared:
        fig.add_scatter(x=list(range(1, r.epochs_run + 1)), y=r.history[key], mode="lines", name=layers_name(r))
    fig.update_layout(
        title=t("train.compare_all_curves", which=t("train.val_curve" if key == "val_loss" else "train.train_curve")),
        xaxis_title=t("train.epoch_axis"),
        yaxis_title=t("train.loss_axis", loss=loss_label(first.train.loss)),
    )
    plot(fig, key="chart_train_compare_all")


def _perplexity_chart(names: list[str], items: list, key: str) -> None:
    """Language-model runs: perplexity beside the unigram baseline's, one pair of bars per run."""
    from rnn_lab.train.text_views import perplexity_figure
    from ui.common import lang

    model = [r.metrics["model"]["perplexity"] for r in items]
    unigram = [r.metrics["baseline"]["perplexity"] for r in items]
    plot(perplexity_figure(names, model, unigram, lang()), key=key)


def layers_name(run) -> str:
    from rnn_lab.train.runs import layers_label

    return layers_label(run.arch)


def compare_ui() -> None:
    task = st.session_state.get("task", "forecast")
    items = [r for r in shown_runs() if getattr(r, "task", "forecast") == task]  # never two tasks on one axis
    if len(items) < 1:
        return
    comparison_ui(items)
    st.header(t("train.runs_title"))
    show_table(runs_table(items), hide_index=True, static=True)  # every column visible, headers wrap
    if len(items) < 2:
        return
    with st.expander(t("train.compare"), expanded=True):
        names = {r.id: r.name for r in items}
        chosen = st.multiselect(
            t("train.compare_pick"),
            [r.id for r in items],
            default=[r.id for r in items[-3:]],
            format_func=names.get,
            key="btn_train_compare",
        )
        picked = [r for r in items if r.id in chosen]
        if picked:
            plot(compare_figure(picked), key="chart_train_compare")
            if get_task(task).label_kind == "token":
                _perplexity_chart([r.name for r in picked], picked, key="chart_train_compare_ppl")
            show_table(runs_table(picked), hide_index=True, static=True)
