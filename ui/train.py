"""Train page helpers: the background job (start, collect) and its live view. The page's other rooms, each
re-exported here: ``ui/train_state.py`` (the session's runs and job), ``ui/train_form.py`` (the hyperparameters),
``ui/train_results.py`` (one run's results and exports), ``ui/train_runs.py`` (the runs table, the selected run,
Compare).

Session keys besides the ``train_*`` settings: ``runs`` (list of finished :class:`Run`, read by the
Inside page) and ``job_train`` (the running or last :class:`TrainJob`). The training thread only writes to its job object; the page
polls it with a fragment that reruns every 0.25 s while a job runs.
"""

from __future__ import annotations

import math
import os

import streamlit as st

from rnn_lab.i18n import error_text
from rnn_lab.store import StoreUnavailable
from rnn_lab.tasks import task_of_data
from rnn_lab.train.compare import CompareJob, compare_names, compare_plan
from rnn_lab.train.engine import TrainConfig
from rnn_lab.train.limits import Limits, trim_runs
from rnn_lab.train.runs import TrainError, TrainJob, check_before, training_arch, warm_up_in_background
from rnn_lab.train.scheduler import QueueFull, default_scheduler
from rnn_lab.workers.state import BackendUnavailable
from ui import workspace
from ui.classroom import link_stale, scroll_into_view
from ui.common import JOB_KEY, error, fragment_alone, projection, session_id, styled, t, whole_run_wanted
from ui.train_form import (  # noqa: F401 (re-exported)
    _lr_note,
    _set_lr,
    hyperparameters_ui,
)
from ui.train_results import (  # noqa: F401 (re-exported)
    RESULT_FIGURES_KEY,
    SPLIT_ROLE,
    _diverged_ui,
    _finite,
    _fmt,
    _lang,
    _one_format,
    _results_chart,
    _significant,
    _stop_message,
    _unit,
    _units,
    _with_unit,
    diverged_text,
    export_ui,
    loss_figure,
    loss_label,
    metrics_table,
    metrics_ui,
    predictions_figure,
    residual_figure,
    results_ui,
    tutorial_ui,
)
from ui.train_runs import (  # noqa: F401 (re-exported)
    _delete,
    _perplexity_chart,
    _pin,
    _rename,
    _skipped_ui,
    _task_scores,
    _with_units,
    compare_figure,
    compare_ui,
    comparison_table,
    comparison_ui,
    layers_name,
    runs_table,
    selected_run_ui,
    shown_run,
)
from ui.train_state import (  # noqa: F401 (re-exported)
    COMPARE_KEY,
    RUNS_KEY,
    job,
    runs,
    shown_runs,
)
from ui.workspace import job_class_for, snapshot

LIVE_EVERY = 0.25  # seconds between redraws of the live view
BUSY_EVERY = 1.0  # ... when every training slot of the server is taken (a classroom)
QUEUED_EVERY = 2.0  # ... while the job waits in the queue
SHORT_JOB_WAIT = 0.6  # seconds the press of Train waits for a training that started at once (see _wait_if_short)
LIVE_DRAWN_KEY = "_train_live_drawn"  # not a setting: (what the live figure shows, the figure) drawn last
# Compile the engine for the page's model and data in the background when the page opens. The test suite turns
# it off (RNN_LAB_WARM_UP=0) so dozens of page tests do not each start a compilation; a test turns it on.
WARM_UP = os.environ.get("RNN_LAB_WARM_UP", "1") != "0"


def collect_finished_job() -> None:
    """Move a finished job's run into the session's run list (once)."""
    j = job()
    if j is None or j.running or j.consumed:
        return
    j.consumed = True
    finished = list(getattr(j, "runs", None) or ([j.run] if j.run is not None else []))
    if j.state == "error" and not hasattr(j, "runs"):
        finished = []

    workspace.save_finished(finished, getattr(j, "store_snapshot", None), j)  # numbered per workspace, saved
    if hasattr(j, "runs"):  # a comparison: its runs (even when a later model failed or Stop was pressed)
        st.session_state[COMPARE_KEY] = [r.id for r in finished]
        st.session_state[COMPARE_KEY + "_skipped"] = list(j.skipped)
    if finished:
        runs().extend(finished)
        st.session_state["btn_train_show"] = finished[-1].id
        st.session_state["_train_scroll_results"] = True  # the results replace the live curve: bring them into view
        dropped = trim_runs(runs(), Limits.from_env().max_runs, protect=tuple(finished))
        if dropped:  # the session keeps at most RNN_LAB_MAX_RUNS runs: say which went
            st.session_state["_train_dropped"] = [r.name for r in dropped]


# ---------------------------------------------------------------- the training area


@st.fragment
def training_area(prepared, arch, cfg: TrainConfig | None) -> None:
    """Train and Compare, the live view, the shown run's results, the runs table and Compare's results.

    A fragment: a press of Train (or any widget in here) reruns this part of the page only. The title, the data
    and model lines, the hyperparameters and the sidebar (~55 elements) are neither run nor sent again, and the
    browser does not lay them out again before it draws the predictions chart (issue 22: in Chromium, a third
    of the press -> chart time went to re-rendering the page around the results). The arguments are those of
    the page's last whole run: any widget outside this area reruns the whole page, so they are always current.
    A run of this area alone that changed what the rest of the page shows (a setting the address bar carries,
    such as the forecast's steps, or the sidebar's list of saved runs) ends with a run of the whole page; a
    callback that changes the experiment itself ("same start, one change") asks for one before anything is drawn."""
    if whole_run_wanted() and fragment_alone():
        st.rerun(scope="app")
    start_ui(prepared, arch, cfg)
    compare_start_ui(prepared, arch, cfg)
    live_ui()
    with st.container(key="train_results"):
        chooser = st.container()  # drawn after the results' first figure, which the browser draws meanwhile
        run = shown_run()
        if run is not None:
            results_ui(run)
        with chooser:
            selected_run_ui()
    if st.session_state.pop("_train_scroll_results", False):
        scroll_into_view("train_results")
    compare_ui()
    if fragment_alone() and (link_stale() or workspace.sidebar_stale()):
        st.rerun(scope="app")


# ---------------------------------------------------------------- training job


def start_ui(prepared, arch, cfg: TrainConfig | None) -> None:
    """The Train button; starts a background job unless one runs (one training at a time per session)."""
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
    _wait_if_short()


def _submit(job_class, prepared, arch, cfg: TrainConfig, local: bool = False) -> None:
    """Queue a training (or a comparison) for this session; a full queue is a plain message. With the worker
    backend, workers that cannot be reached are said plainly and the page offers to train here instead."""
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


def _wait_if_short() -> None:
    """A training that started at once (a free slot, trained here) waits up to :data:`SHORT_JOB_WAIT` in the press's
    own rerun: a short one (the counting toy trains and scores in ~0.3 s) then shows its results in this rerun, with
    no live view drawn for a moment and no poll interval before the rerun that draws them. A longer one goes on to
    the live view as before, at most that much later; a queued one does not wait (its place in line shows at once).
    The script thread only waits on the job's ticket here: the GIL is free for everybody else."""
    j = job()
    if j is None or not j.running or j.state != "running" or _remote():
        return
    ticket = getattr(j, "ticket", None)
    if ticket is not None and ticket.wait(SHORT_JOB_WAIT):
        collect_finished_job()


def compare_start_ui(prepared, arch, cfg: TrainConfig | None) -> None:
    """Train SimpleRNN, LSTM, GRU, Conv1D and Dense on this split with this budget, one after another."""
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
    return bool(getattr(default_scheduler(), "remote", False))


def _server_busy() -> bool:
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
            st.session_state["_train_live_scrolled"] = id(j)
            scroll_into_view("train_live_view")
        return
    if j is not None and j.state == "error":
        err = j.error
        error(
            t("train.failed"),
            error_text(err, _lang()),
        )
