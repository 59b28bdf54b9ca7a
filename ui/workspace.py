"""The workspace link: every finished run saved in the run store and brought back by ``?ws=TOKEN``.

The first run of a session opens the workspace named by the link's ``ws`` parameter, else the one this browser
keeps in its ``rnn_lab_ws`` cookie (:mod:`ui.class_board` writes it), else a new one, and puts its saved runs in the
Train page's list (their models load when a page needs them). The token then leaves the address bar (issue 26): the
cookie brings it back on a reload, a new tab or an experiment's share link opened in the same browser (which trains
in this workspace, issue 24); the sidebar shows the workspace link to move to another browser. A share link of an
experiment never carries it (:func:`ui.classroom.sync_link` leaves it out). Runs are saved
when their job finishes; deleting or renaming a run does the same in the store. When the store cannot be used the
app trains as before and says that nothing is being saved.
"""

from __future__ import annotations

import functools
import threading
import uuid

import streamlit as st

from rnn_lab.i18n import error_text
from rnn_lab.settings import all_settings
from rnn_lab.share import build_link
from rnn_lab.store import StoreUnavailable, default_store, valid_token
from rnn_lab.store.pack import weights_from_bytes
from rnn_lab.store.progress import ProgressSaver, checkpoint_start, resumable
from rnn_lab.store.records import finish_record_later, load_runs, queue_record, settings_values
from rnn_lab.store.records import save_finished as save
from rnn_lab.store.writer import QUEUE_DELAY, writer
from rnn_lab.train.engine import OPTIMIZER_STATES
from rnn_lab.train.runs import TrainJob, execute, layers_label, training_arch
from rnn_lab.train.scheduler import QueueFull, default_scheduler
from ui.common import JOB_KEY, WS_COOKIE, app_root, apply_values, cookies, lang, session_id, t, want_whole_run

WS_PARAM = "ws"  # the URL parameter holding the workspace token
TOKEN = "_ws_token"
REQUESTED = "_ws_requested"  # the token the link or the cookie asked for (kept in the address bar if no store)
OPENED = "_ws_opened"
ERROR = "_ws_error"  # the StoreUnavailable that stopped saving (shown until a save works again)
FORK = "_ws_fork_parent"  # (store id, run number) of the run the next training forks from
OTHERS = "_ws_others"  # saved runs that cannot be drawn: interrupted, failed, still running elsewhere
SIDEBAR_DRAWN = "_ws_sidebar_drawn"  # not a setting: what the sidebar's box showed when it was last drawn
WRITE_WAIT = 30.0  # seconds a read waits for the background writes it needs (rnn_lab.store.writer)


def token() -> str | None:
    return st.session_state.get(TOKEN)


def link_params() -> dict[str, str]:
    """What the address bar carries besides the experiment: nothing once the workspace is open (the browser keeps
    its token in a cookie, see ui.class_board). Only when the store could not open it does a link's token stay (not
    in projection mode), so the student's link is not lost."""
    asked = st.session_state.get(REQUESTED)
    if token() is None and asked and not st.session_state.get("projection"):
        return {WS_PARAM: asked}
    return {}


def _asked_token() -> str | None:
    """The link's ``?ws=`` token, else the one this browser kept in its cookie (an experiment link, a reload)."""
    asked = st.query_params.get(WS_PARAM)
    if asked:
        return str(asked)
    kept = cookies().get(WS_COOKIE)
    return kept if valid_token(kept) else None


def _store(wait_for: str | None = None, everything: bool = False):
    """The store, once the writes queued for run ``wait_for`` (or ``everything``) are in it (a run's record is
    written in the background after its job reports it done: :mod:`rnn_lab.store.writer`)."""

    if wait_for is not None or everything:
        writer().wait(wait_for, timeout=WRITE_WAIT)
    try:
        return default_store()
    except StoreUnavailable as err:
        st.session_state[ERROR] = err
        return None


def open_once() -> None:
    """First run of a session: open the link's workspace (or a new one) and restore its runs."""
    state = st.session_state
    if state.get(OPENED):
        return
    state[OPENED] = True

    state[REQUESTED] = _asked_token()
    store = _store(everything=True)  # a run of this workspace finished a moment ago in another tab is in it
    if store is None:
        return
    try:
        tok = store.open_workspace(state[REQUESTED])
        restored, others = load_runs(store, tok)
    except StoreUnavailable as err:
        state[ERROR] = err
        return
    state[TOKEN] = tok
    state[OTHERS] = others
    _reattach(store, tok, others)
    if restored:
        from rnn_lab.train.limits import Limits, trim_runs  # lazy: not on the home page's path

        items = state.setdefault("runs", [])
        items[:0] = restored
        trim_runs(items, Limits.from_env().max_runs)


def _reattach(store, tok: str, others: list[dict]) -> None:
    """A page reloaded while its training runs on a worker finds that job again by the run id: the newest run of
    the workspace still queued or running becomes the page's job (its live view, Stop, then its results)."""
    scheduler = default_scheduler()
    active = [rec for rec in others if rec["state"] in ("queued", "running")]
    if not active or not getattr(scheduler, "remote", False):
        return
    from rnn_lab.workers.scheduler import RemoteTrainJob  # lazy: not on the home page's path
    from rnn_lab.workers.state import BackendUnavailable

    rec = active[-1]
    try:
        if scheduler.state.progress(rec["id"]) is None and not scheduler.state.position(rec["id"]):
            return  # not a job of the workers (an interrupted local training)
        job = RemoteTrainJob.attach(store, tok, rec["id"], scheduler, session_id())
    except BackendUnavailable as err:
        st.session_state[ERROR] = err
        return
    if job is not None:
        st.session_state[JOB_KEY] = job
        st.session_state[OTHERS] = [r for r in others if r["id"] != rec["id"]]


def snapshot() -> tuple[dict, bytes | None]:
    """The experiment's settings now and the bytes of its upload / own text (kept with a job at its start)."""
    state = st.session_state
    values = {key: state.get(key, s.default) for key, s in all_settings().items()}
    data = None
    if values.get("data_source_kind") == "upload" and state.get("data_upload"):
        data = state["data_upload"][1]
    elif values.get("data_source_kind") == "text" and values.get("data_text") == "own":
        own = state.get("data_text_own")
        data = own.encode("utf-8") if own is not None else None
    return values, data


def save_finished(finished: list, snap: tuple[dict, bytes | None] | None = None, job=None) -> None:
    """Save the runs a job just finished; each takes the workspace's next number (#1, #2, ...). A failure is
    remembered and shown; the runs stay in the session either way. A job that saved itself
    (:func:`job_class_for`) only reports how it went; one stopped before it started leaves no record."""
    tok = token()
    if hasattr(job, "store_run_id"):  # a SavingTrainJob
        if job.store_error is not None:
            st.session_state[ERROR] = job.store_error
        elif finished:
            st.session_state.pop(ERROR, None)
        if finished and job.store_parent and job.store_error is None:  # the fork's curve over its parent's
            ids = {r.id for r in st.session_state.get("runs", [])}
            if job.store_parent[1] in ids:
                st.session_state["btn_train_compare"] = [job.store_parent[1], finished[-1].id]
        if not finished and job.state == "stopped" and job.store_run_id and tok:
            _forget(tok, job.store_run_id)  # stopped while queued: nothing was trained
        if job.store_error is not None:
            _number_unsaved(finished)
        return
    if tok is None or not finished:
        return

    store = _store()
    if store is None:
        return
    values, data = snap or snapshot()
    try:
        for run in finished:
            run_id, number = save(store, tok, run, values, data)
            run.store_id = run_id
            run.id = number
            run.name = store.run_record(tok, run_id)["name"]
        st.session_state.pop(ERROR, None)
    except Exception as err:  # noqa: BLE001 - StoreUnavailable, or a run the store cannot keep: the run stays
        if not isinstance(err, StoreUnavailable):
            err = StoreUnavailable("failed", where=store.where, reason=f"{type(err).__name__}: {err}")
        st.session_state[ERROR] = err
        _number_unsaved(finished)


def _number_unsaved(finished: list) -> None:
    """Runs that could not be saved keep a number no other run of this session has (restored runs have theirs)."""
    mine = {id(r) for r in finished}
    taken = {r.id for r in st.session_state.get("runs", []) if id(r) not in mine}
    for run in finished:
        if getattr(run, "store_id", None) is None and run.id in taken:
            run.id = max(taken) + 1
            if run.name.startswith("#") and " " in run.name:
                run.name = f"#{run.id} {run.name.split(' ', 1)[1]}"
        taken.add(run.id)


def _forget(tok: str, run_id: str) -> None:
    store = _store(wait_for=run_id)
    if store is not None:
        try:
            store.delete_run(tok, run_id)
        except StoreUnavailable as err:
            st.session_state[ERROR] = err


def deleted(run) -> None:
    """The user deleted ``run`` on the Train page: delete it from the store too."""
    run_id, tok = getattr(run, "store_id", None), token()
    if run_id and tok:
        _forget(tok, run_id)


def renamed(run) -> None:
    run_id, tok = getattr(run, "store_id", None), token()
    if run_id and tok:
        store = _store(wait_for=run_id)
        if store is not None:
            try:
                store.rename_run(tok, run_id, run.name)
            except StoreUnavailable as err:
                st.session_state[ERROR] = err


def not_saving_ui() -> None:
    """The plain warning when the store cannot be used (nothing is being saved). The last job's run is written
    after its results are shown (:mod:`rnn_lab.store.writer`): a write that failed then is said on the page's next
    draw (no polling: a classroom's pages would each poll after every training)."""
    late = getattr(st.session_state.get(JOB_KEY), "store_error", None)
    if late is not None:  # the job's run was written after the page collected it, and that write failed
        st.session_state[ERROR] = late
    err = st.session_state.get(ERROR)
    if err is not None:
        st.warning(err.text(lang()), icon=":material/cloud_off:")


def _sidebar_shows() -> tuple:
    """What the sidebar's box shows: the workspace, a failure to save, the other runs (a list replaced, not changed)."""
    return token(), st.session_state.get(ERROR), st.session_state.get(OTHERS)


def sidebar_stale() -> bool:
    """The sidebar's box shows an older state than the session's (changed in a run of part of a page; never drawn: older)."""
    return any(a is not b and a != b for a, b in zip(st.session_state.get(SIDEBAR_DRAWN) or (0,), _sidebar_shows()))


def sidebar_ui() -> None:
    """ "Your work is saved under this link": the workspace link with a copy button, or why nothing is saved."""
    st.session_state[SIDEBAR_DRAWN] = _sidebar_shows()
    failing = st.session_state.get(ERROR) is not None
    title = t("store.ui.title_off" if failing else "store.ui.title")
    with st.sidebar.expander(title, icon=":material/cloud_off:" if failing else ":material/save:", expanded=failing):
        tok = token()
        not_saving_ui()
        if tok is None:
            return
        st.caption(t("store.ui.saved_here"))

        if not st.session_state.get("projection"):  # nothing secret on the projector
            st.code(build_link(app_root().rstrip("/") + "/", {WS_PARAM: tok}), language=None, wrap_lines=True)
            st.caption(t("store.ui.private"))
        sure = st.checkbox(t("store.ui.delete_sure"), key="btn_ws_delete_sure")
        st.button(
            t("store.ui.delete"),
            key="btn_ws_delete",
            on_click=_delete_workspace,
            disabled=not sure,
            icon=":material/delete_forever:",
        )
        for rec in st.session_state.get(OTHERS) or []:
            key = {"interrupted": "interrupted", "failed": "failed", "unreadable": "unreadable"}.get(
                rec["state"], "elsewhere"
            )
            st.caption(t(f"store.ui.{key}", number=rec["number"], name=rec["name"], epochs=rec["epochs_done"]))


def job_class_for(job_class, local: bool = False):
    """``TrainJob`` -> a TrainJob that saves itself: its record is made when it is queued (with the workspace's
    next number), its progress is saved every few seconds while it trains and the finished run (or the failure)
    is written by the job's own thread, so a closed tab or a killed server loses nothing already trained.
    Other jobs (a comparison) are saved when the page collects them (:func:`save_finished`).

    With the worker backend (``RNN_LAB_SCHEDULER=celery``) a training is a queued record whose id a worker
    trains (:class:`rnn_lab.workers.scheduler.RemoteTrainJob`); ``local`` trains it in this process instead
    (the workers' queue cannot be reached)."""
    tok = token()
    store = _store() if tok else None
    if job_class is not TrainJob or store is None:
        return job_class
    values, data = snapshot()
    fork = st.session_state.pop(FORK, None)
    parent = (*fork, "fork") if fork else None
    scheduler = default_scheduler()
    if getattr(scheduler, "remote", False) and not local:  # RNN_LAB_SCHEDULER=celery: a worker trains it
        from rnn_lab.workers.scheduler import remote_job_class  # lazy: not on the home page's path

        return remote_job_class(store, tok, values, data, parent)
    job = _saving_job(store, tok, values, data, parent)
    if getattr(scheduler, "remote", False):  # "train on this server instead": the app's own queue
        return functools.partial(job, scheduler=scheduler.local)
    return job


def _saving_job(
    store,
    tok: str,
    values: dict,
    data: bytes | None,
    parent: tuple[str, int, str] | None = None,
    start=None,
    history_before: dict | None = None,
):
    """The TrainJob class that saves itself; ``parent`` = (store id, number, "fork" | "resume"); a resume starts
    from ``start`` (a trained model with its optimizer state) and its history continues ``history_before``."""

    class SavingTrainJob(TrainJob):
        def __init__(self, prepared, arch, cfg, **kwargs):
            self.store_run_id, self.store_number, self.store_error, self.store_saver = None, None, None, None
            self.store_parent = None
            self._holding = True  # "done" only once the run has its number and its write is queued
            self._numbered = threading.Event()
            trained = training_arch(arch, prepared)
            label = f"{layers_label(trained)} {cfg.optimizer} lr={cfg.learning_rate:g}"
            if start is not None:
                label += f" +{cfg.epochs}"
            self.store_label = label
            # the queued record (and its workspace number) is written by the store writer, before the progress
            self.store_run_id = uuid.uuid4().hex
            self.store_parent = parent[:2] if parent else None
            self.store_saver = ProgressSaver(store, self.store_run_id, background=True)
            queue = functools.partial(
                queue_record, store, tok, values, trained, cfg, data, label, parent, run_id=self.store_run_id
            )
            writer().submit(self._queued, queue, key=self.store_run_id, on_error=self._not_queued, delay=QUEUE_DELAY)
            try:
                super().__init__(prepared, arch, cfg, **kwargs)
            except Exception:  # QueueFull: not queued, so no record either
                if self.store_run_id is not None:
                    _forget(tok, self.store_run_id)
                raise

        def _queued(self, queue):
            self.store_number = queue()[1]
            self._numbered.set()

        def _not_queued(self, err: BaseException) -> None:
            self.store_saver.error = err  # no record: no progress either
            self._not_saved(err)
            self._numbered.set()

        def _progress(self, epoch, logs, elapsed, eta):
            super()._progress(epoch, logs, elapsed, eta)
            if self.store_saver is not None:
                self.store_saver(epoch, logs, elapsed, eta)

        def _work(self, prepared, arch, stop):
            try:
                if start is None:
                    super()._work(prepared, arch, stop)
                else:  # resume: as TrainJob._work, from the saved model and its optimizer state
                    try:
                        self.run = execute(prepared, arch, self.cfg, progress=self._progress, stop=stop, start=start)
                        before = history_before or {}
                        self.run.history = {k: list(before.get(k, [])) + list(v) for k, v in self.run.history.items()}
                        self._state = "done"
                    except Exception as err:  # noqa: BLE001 - reported in the page as a plain message
                        self.error = err
                        self._state = "error"
                self._write()
            finally:
                self._holding = False

        def _write(self):
            """The run takes its workspace number now; the record (model, results) is written by the store writer
            after the progress queued before it, so the page shows the results at once (the overhead bench)."""
            if not self._numbered.is_set():  # trained before its queued record was written: write it now
                writer().expedite(self.store_run_id)
            if not self._numbered.wait(WRITE_WAIT) or self.store_number is None:
                return  # not queued in the store: the run stays in the session, unsaved (the page says so)
            if self.run is not None:
                self.run.id, self.run.name = self.store_number, f"#{self.store_number} {self.store_label}"
                self.run.store_id = self.store_run_id
                self.run.parent_run_id = parent[0] if parent else None
                finish_record_later(store, self.store_run_id, self.run, name=self.run.name, on_error=self._not_saved)
            else:
                message = error_text(self.error, "en")
                fail = functools.partial(store.fail_run, self.store_run_id, message, epochs_done=self.epoch)
                writer().submit(fail, key=self.store_run_id, on_error=self._not_saved)

        def _not_saved(self, err: BaseException) -> None:
            """A write that failed: the run trained and stays in the session, unsaved (the page says so)."""
            if not isinstance(err, StoreUnavailable):  # the run trained: a failed save must not make it an error
                err = StoreUnavailable("failed", where=store.where, reason=f"{type(err).__name__}: {err}")
            self.store_error = err
            if self.run is not None:
                self.run.store_id = None

        @property
        def state(self) -> str:
            s = super().state
            if self._holding and s in ("done", "error") and self.ticket.state != "error":
                return "running"  # the run is being written
            return s

    return SavingTrainJob


def fork_ui(run) -> None:
    """ "Same start, one change": the settings of a saved run come back (its data, model, training and seed, so the
    same initial weights); the user changes one thing and trains; the new run records its parent and both loss
    curves are overlaid in the comparison."""
    if not getattr(run, "store_id", None) or token() is None:
        return
    st.button(
        t("store.ui.fork"),
        key="btn_train_fork",
        on_click=_fork,
        args=(run,),
        icon=":material/call_split:",
        help=t("store.ui.fork_help"),
    )
    fork = st.session_state.get(FORK)
    if fork and fork[0] == run.store_id:
        st.info(t("store.ui.forked", name=run.name), icon=":material/call_split:")


def _fork(run) -> None:
    tok, store = token(), _store(wait_for=run.store_id)
    if store is None:
        return
    try:
        rec = store.run_record(tok, run.store_id, blobs_too=True)
    except StoreUnavailable as err:
        st.session_state[ERROR] = err
        return
    if rec is None:
        return
    values = settings_values(rec["settings"])
    experiment = {k: v for k, v in values.items() if k == "task" or k.split("_", 1)[0] in ("arch", "data", "train")}
    apply_values(experiment)
    data = rec.get("data_bytes")
    if data is not None and values.get("data_source_kind") == "upload":
        from ui.data import remember_upload  # lazy: not on the home page's path

        remember_upload((values.get("data_upload_name") or "data.csv", data))
    elif data is not None and values.get("data_text") == "own":
        st.session_state["data_text_own"] = data.decode("utf-8")
    st.session_state[FORK] = (run.store_id, run.id)
    want_whole_run()  # the settings above are drawn outside the Train page's training area


def resume_ui(run) -> None:
    """ "Train N more epochs" on a saved run: its weights and optimizer state go on (a new run, parent = this one,
    whose curve continues this one's)."""
    if not getattr(run, "store_id", None) or token() is None:
        return
    j = st.session_state.get(JOB_KEY)
    busy = j is not None and j.running
    c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
    c1.number_input(t("store.ui.more_epochs"), min_value=1, max_value=2000, value=10, key="btn_train_more_epochs")
    c2.button(
        t("store.ui.resume"),
        key="btn_train_resume",
        on_click=_resume,
        args=(run,),
        disabled=busy,
        icon=":material/fast_forward:",
        help=t("store.ui.resume_help"),
    )


def _resume(run) -> None:
    import dataclasses

    tok, store = token(), _store(wait_for=run.store_id)
    if store is None:
        return
    try:
        rec = store.run_record(tok, run.store_id, blobs_too=True)
    except StoreUnavailable as err:
        st.session_state[ERROR] = err
        return
    if rec is None or run.model is None:
        return
    if rec.get("optimizer_state"):
        OPTIMIZER_STATES[run.model] = weights_from_bytes(rec["optimizer_state"])
    cfg = dataclasses.replace(run.train, epochs=int(st.session_state.get("btn_train_more_epochs", 10)))
    job_class = _saving_job(
        store,
        tok,
        settings_values(rec["settings"]),
        rec.get("data_bytes"),
        (run.store_id, run.id, "resume"),
        start=run.model,
        history_before=run.history,
    )
    try:
        st.session_state[JOB_KEY] = job_class(
            run.prepared, run.arch, cfg, live=bool(st.session_state.get("train_live", True)), session_id=session_id()
        )
    except QueueFull as err:
        st.warning(t("train.queue_full", waiting=err.waiting, limit=err.limit))


def interrupted_ui() -> None:
    """The workspace's interrupted runs that saved their weights (a server killed mid-training, then restarted):
    each says where it stopped, with "resume from epoch k", which trains the epochs left from that checkpoint (a
    new run whose parent is the interrupted one; its loss curve continues the saved history)."""
    if token() is None:
        return
    resumed = {getattr(r, "parent_run_id", None) for r in st.session_state.get("runs", [])}
    j = st.session_state.get(JOB_KEY)
    busy = j is not None and j.running
    for rec in st.session_state.get(OTHERS) or []:
        if not resumable(rec) or rec["id"] in resumed:
            continue
        k, total = int(rec["checkpoint_epoch"]), int(rec["epochs_total"] or 0)
        with st.container(border=True, key=f"train_interrupted_{rec['number']}"):
            st.warning(
                t(
                    "store.ui.interrupted_at",
                    number=rec["number"],
                    name=rec["name"],
                    epochs=rec["epochs_done"],
                    total=total,
                    epoch=k,
                ),
                icon=":material/history:",
            )
            st.button(
                t("store.ui.resume_from", epoch=k),
                key=f"btn_train_resume_from_{rec['number']}",
                on_click=_resume_interrupted,
                args=(rec["id"],),
                disabled=busy or total <= k,
                icon=":material/restart_alt:",
                help=t("store.ui.resume_from_help", epoch=k, left=max(0, total - k)),
            )


def _resume_interrupted(run_id: str) -> None:
    import dataclasses

    from rnn_lab.data.errors import DataError

    tok, store = token(), _store(wait_for=run_id)
    if store is None:
        return
    try:
        rec = store.run_record(tok, run_id, blobs_too=True)
    except StoreUnavailable as err:
        st.session_state[ERROR] = err
        return
    if rec is None or not resumable(rec):
        return
    try:
        point = checkpoint_start(rec)
    except (DataError, ValueError, KeyError, OSError) as err:  # its data or weights cannot be rebuilt here
        err = StoreUnavailable("failed", where=store.where, reason=f"{type(err).__name__}: {err}")
        st.session_state[ERROR] = err
        return
    cfg = dataclasses.replace(point.train, epochs=point.epochs_left)
    job_class = _saving_job(
        store,
        tok,
        settings_values(rec["settings"]),
        rec.get("data_bytes"),
        (run_id, rec["number"], "resume"),
        start=point.start,
        history_before=point.history,
    )
    try:
        st.session_state[JOB_KEY] = job_class(
            point.prepared,
            point.arch,
            cfg,
            live=bool(st.session_state.get("train_live", True)),
            session_id=session_id(),
        )
    except QueueFull as err:
        st.warning(t("train.queue_full", waiting=err.waiting, limit=err.limit))
        return
    st.session_state[OTHERS] = [r for r in st.session_state.get(OTHERS) or [] if r["id"] != run_id]


def _delete_workspace() -> None:
    """Delete the workspace (every run, model and file only it used) and start a new, empty one."""
    tok, store = token(), _store(everything=True)
    if store is None or tok is None:
        return
    try:
        store.delete_workspace(tok)
        st.session_state[TOKEN] = store.open_workspace()
    except StoreUnavailable as err:
        st.session_state[ERROR] = err
        return
    st.session_state["runs"] = []
    st.session_state[OTHERS] = []
    st.session_state.pop("btn_train_show", None)
    st.session_state["btn_ws_delete_sure"] = False
