"""The Inside page's experiment: a background job that trains the same model on a toy with growing gaps,
its progress and its result."""

from __future__ import annotations

import streamlit as st

from rnn_lab.inside import views
from rnn_lab.inside.connectivity import ExperimentConfig, ExperimentJob, conclusion
from ui.common import error, lang, plot, session_id, t

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
    state = st.session_state
    cfg = ExperimentConfig(
        lag=int(state["inside_exp_lag"]), units=int(state["inside_exp_units"]), epochs=int(state["inside_exp_epochs"])
    )

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
