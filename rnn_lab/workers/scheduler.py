"""The app side of the worker backend: :class:`CeleryScheduler` behind the ``Scheduler`` interface, its
:class:`RemoteTicket` (state, place in line and wait read from Redis, the same for every app server) and
:class:`RemoteTrainJob`, the page's handle on a training that runs on a worker (the attributes the Train page reads
from a :class:`~rnn_lab.train.runs.TrainJob`).

Only trainings go to the workers: :class:`RunWork` (a run id). Other jobs (a warm-up, a comparison, an Inside
experiment, a resume) are plain callables and run in this process's own :class:`LocalScheduler`, as before.
No TensorFlow, no Streamlit here.
"""

from __future__ import annotations

import time

from rnn_lab.i18n import MessageError, catalogue, t
from rnn_lab.store.records import load_run, queue_record
from rnn_lab.train.engine import TrainConfig
from rnn_lab.train.runs import layers_label, training_arch
from rnn_lab.train.scheduler import (
    CANCELLED,
    DONE,
    ERROR,
    FINISHED_STATES,
    QUEUED,
    RUNNING,
    LocalScheduler,
    QueueFull,
    SchedulerStatus,
    default_scheduler,
)
from rnn_lab.workers import config
from rnn_lab.workers.state import BackendUnavailable, RedisState

POLL = 0.1


class RunWork:
    """A job that is a run id and nothing else (the record in the store holds everything a worker needs)."""

    def __init__(self, run_id: str):
        self.run_id = run_id

    def __repr__(self) -> str:
        return f"RunWork({self.run_id!r})"


class RemoteError(MessageError):
    """A worker's failure as the page shows it: its catalogue message when it had one, else its English text."""

    def __init__(self, payload: dict | None):
        payload = payload or {}
        self.key = payload.get("key")
        self.message_key = self.key or ""
        self.values = payload.get("values") or {}
        self._text = payload.get("text") or "the worker reported a failure"
        ValueError.__init__(self, self._text)

    def text(self, lang: str = "en") -> str:
        if self.key and self.key in catalogue(lang):
            try:
                return t(self.key, lang, **self.values)
            except (KeyError, ValueError):
                pass
        return self._text


class RemoteTicket:
    """A job on the workers, seen from an app server: the same attributes as a local ticket, read from Redis."""

    def __init__(self, scheduler: CeleryScheduler, run_id: str, session_id: str = "", label: str = "train", cost=None):
        self.id = run_id
        self.run_id = run_id
        self.session_id = session_id
        self.label = label
        self.cost = cost
        self.scheduler = scheduler
        self.result = None
        self.error: BaseException | None = None
        self.submitted_at = time.monotonic()
        self.started_at: float | None = None
        self.finished_at: float | None = None
        self.cancel_requested = False
        self.stop_event = _TicketStop(self)
        self.unreachable: BackendUnavailable | None = None
        self._state = QUEUED
        self.progress: dict = {}

    def refresh(self) -> dict:
        """Read the job's progress from Redis (the last known state stays when Redis does not answer)."""
        if self._state in FINISHED_STATES:
            return self.progress
        try:
            progress = self.scheduler.state.progress(self.run_id) or {}
            position = self.scheduler.state.position(self.run_id)
            self.unreachable = None
        except BackendUnavailable as err:
            self.unreachable = err
            return self.progress
        self.progress = progress
        s = progress.get("state")
        if s in ("done", "stopped"):
            self._state = DONE
        elif s == "error":
            self._state, self.error = ERROR, RemoteError(progress.get("error"))
        elif s == "cancelled":
            self._state = CANCELLED
        elif s == "running" and not position:
            self._state = RUNNING
        else:
            self._state = QUEUED
        now = time.monotonic()
        if self._state != QUEUED and self.started_at is None and s != "cancelled":
            self.started_at = now
        if self._state in FINISHED_STATES and self.finished_at is None:
            self.finished_at = now
        return progress

    @property
    def state(self) -> str:
        self.refresh()
        return self._state

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def worker(self) -> dict | None:
        return self.progress.get("worker")

    def position(self) -> int:
        try:
            return self.scheduler.state.position(self.run_id)
        except BackendUnavailable:
            return 0

    def queue_length(self) -> int:
        try:
            return self.scheduler.state.queue_length()
        except BackendUnavailable:
            return 0

    def eta_seconds(self) -> float:
        return self.queue_info()["wait_eta"]

    def queue_info(self) -> dict:
        """Place in line, line length and the expected wait: the jobs ahead and half of the running ones at the
        recent mean duration, shared by the workers' slots."""
        try:
            s = self.scheduler.state
            position, length = s.position(self.run_id), s.queue_length()
            if not position:
                return {"position": 0, "queue_length": length, "wait_eta": 0.0}
            typical = s.typical_duration()
            if typical != typical:  # NaN: nothing finished yet
                typical = float(self.cost) if self.cost is not None else float("nan")
            running = len(s.running())
            slots = max(1, s.worker_slots())
            eta = (position - 1 + running / 2) * typical / slots
            return {"position": position, "queue_length": max(length, position), "wait_eta": eta}
        except BackendUnavailable as err:
            self.unreachable = err
            return {"position": 0, "queue_length": 0, "wait_eta": float("nan")}

    def wait(self, timeout: float | None = None) -> bool:
        end = None if timeout is None else time.monotonic() + timeout
        while not self.finished:
            if end is not None and time.monotonic() >= end:
                return False
            time.sleep(POLL)
        return True

    def __repr__(self) -> str:
        return f"RemoteTicket(run={self.run_id!r}, session={self.session_id!r}, state={self._state!r})"


class _TicketStop:
    """``ticket.stop_event``: ``set()`` asks the job to stop (or leave the queue); ``is_set()`` says whether asked."""

    def __init__(self, ticket: RemoteTicket):
        self.ticket = ticket

    def set(self) -> None:
        self.ticket.scheduler.cancel(self.ticket)

    def is_set(self) -> bool:
        return self.ticket.cancel_requested


class CeleryScheduler:
    """Trainings on Celery workers through Redis; everything else in this process (:attr:`local`)."""

    remote = True

    def __init__(self, url: str | None = None, max_queue: int | None = None, local: LocalScheduler | None = None):
        self.url = url or config.redis_url()
        self.state = RedisState(self.url)
        self.max_queue = int(max_queue if max_queue is not None else config.max_queue())
        self.local = local or LocalScheduler()
        self._sessions: dict[str, set[str]] = {}

    # ---------------------------------------------------------------- the interface
    def submit(self, session_id: str, work, label: str = "", cost: float | None = None):
        if not isinstance(work, RunWork):
            return self.local.submit(session_id, work, label=label, cost=cost)
        from rnn_lab.workers.celery_app import send  # celery: only when a worker or the queue is used

        waiting = self.state.queue_length()  # BackendUnavailable when Redis does not answer
        if waiting >= self.max_queue:
            raise QueueFull(waiting, self.max_queue)
        self.state.enqueue(work.run_id, session_id)
        try:
            send(work.run_id, url=self.url)
        except Exception as err:  # noqa: BLE001 - kombu's OperationalError and friends: the broker is unreachable
            try:
                self.state.dequeue(work.run_id)
            except BackendUnavailable:
                pass
            raise BackendUnavailable("unreachable", where=config.where(self.url), reason=type(err).__name__) from None
        self._sessions.setdefault(str(session_id), set()).add(work.run_id)
        return RemoteTicket(self, work.run_id, str(session_id), label, cost)

    def attach(self, run_id: str, session_id: str = "") -> RemoteTicket:
        """The ticket of a run already on the workers (a page reloaded mid-training finds its job again)."""
        self._sessions.setdefault(str(session_id), set()).add(run_id)
        ticket = RemoteTicket(self, run_id, str(session_id))
        ticket.refresh()
        return ticket

    def cancel(self, ticket) -> bool:
        """Queued: leaves the line (its Celery task is revoked; a worker that takes it anyway sees the stop flag
        and skips it). Running: the stop flag, which the engine reads within ~0.1 s; the run is kept, stopped.
        A started task is never killed."""
        if not isinstance(ticket, RemoteTicket):
            return self.local.cancel(ticket)
        state = ticket.state
        if state in FINISHED_STATES:
            return False
        try:
            self.state.request_stop(ticket.run_id)
        except BackendUnavailable as err:  # the page says the workers cannot be reached; Stop can be pressed again
            ticket.unreachable = err
            return False
        ticket.cancel_requested = True
        if state == QUEUED and self.state.dequeue(ticket.run_id):
            self.state.publish(ticket.run_id, state="cancelled")
            try:
                from rnn_lab.workers.celery_app import app  # celery: only when a worker or the queue is used

                with app.connection_for_write(self.url) as conn:
                    app.control.revoke(ticket.run_id, connection=conn)
            except Exception:  # noqa: BLE001 - the flag and the claim already keep it from training
                pass
        ticket.refresh()
        return True

    def cancel_session(self, session_id: str) -> int:
        n = self.local.cancel_session(session_id)
        for run_id in list(self._sessions.pop(str(session_id), ())):
            try:
                n += self.cancel(RemoteTicket(self, run_id, str(session_id)))
            except BackendUnavailable:
                pass
        return n

    def reap_sessions(self, is_alive, grace: float, now: float | None = None) -> list[str]:
        """A closed tab's local jobs are cancelled as before; its trainings on the workers go on: they save
        themselves in the workspace, which the student's link opens again."""
        return self.local.reap_sessions(is_alive, grace, now)

    def status(self) -> SchedulerStatus:
        try:
            running = len(self.state.running())
            queued = self.state.queue_length()
            slots = self.state.worker_slots()
        except BackendUnavailable:
            return SchedulerStatus(0, 0, 1, self.max_queue)
        return SchedulerStatus(running, queued, max(1, slots), self.max_queue)


def celery_scheduler() -> CeleryScheduler:
    """``RNN_LAB_SCHEDULER=rnn_lab.workers.scheduler:celery_scheduler`` (``RNN_LAB_SCHEDULER=celery`` for short)."""
    return CeleryScheduler()


def is_remote(scheduler) -> bool:
    return bool(getattr(scheduler, "remote", False))


class RemoteTrainJob:
    """A training on a worker, as the page sees it (the attributes it reads from a TrainJob): the queued run
    record is made here (the workspace's next number), its id is submitted, and the state, progress and place in
    line are read through the ticket. Once done, ``run`` is the stored run (its model loads when a page needs it).

    ``store_*`` attributes are those of the page's saving job (``ui.workspace``): the run is already saved."""

    def __init__(
        self,
        prepared,
        arch,
        cfg,
        live: bool = True,
        scheduler=None,
        session_id: str = "",
        *,
        store,
        token: str,
        values: dict,
        data: bytes | None = None,
        parent: tuple | None = None,
        attach_run_id: str | None = None,
    ):
        self.cfg, self.live = cfg, live
        self.scheduler = scheduler or default_scheduler()
        self.store, self.token = store, token
        self.prepared = prepared
        self.run = None
        self.error: Exception | None = None
        self.started = time.time()
        self.consumed = False
        self.store_error = None
        self.store_parent = parent[:2] if parent else None
        self._record_checked, self._record_seen = float("-inf"), None
        if attach_run_id is not None:
            self.store_run_id = attach_run_id
            rec = store.run_record(token, attach_run_id) or {}
            self.store_number = rec.get("number")
            self.ticket = self.scheduler.attach(attach_run_id, session_id)
        else:
            trained = training_arch(arch, prepared)
            label = f"{layers_label(trained)} {cfg.optimizer} lr={cfg.learning_rate:g}"
            self.store_run_id, self.store_number = queue_record(store, token, values, trained, cfg, data, label, parent)
            try:
                self.ticket = self.scheduler.submit(session_id, RunWork(self.store_run_id), label="train")
            except BaseException:
                store.delete_run(token, self.store_run_id)  # not queued: no record either
                raise
        self.stop_event = self.ticket.stop_event

    @classmethod
    def attach(cls, store, token: str, run_id: str, scheduler=None, session_id: str = "", live: bool = True):
        rec = store.run_record(token, run_id)
        if rec is None:
            return None
        return cls(
            None,
            None,
            TrainConfig(**rec["train"]),
            live,
            scheduler,
            session_id,
            store=store,
            token=token,
            values={},
            attach_run_id=run_id,
        )

    @property
    def worker(self) -> dict | None:
        return self.ticket.worker

    def _record_state(self) -> str | None:
        """The run record's state, read at most every 2 s: the truth when Redis lost the job's progress (a Redis
        restarted without its data) or cannot be reached; the worker writes the finished run to the store."""
        now = time.monotonic()
        if now - self._record_checked < 2.0:
            return self._record_seen
        self._record_checked = now
        try:
            rec = self.store.run_record(self.token, self.store_run_id)
        except Exception:  # noqa: BLE001 - the store unreachable too: keep what the page shows
            return self._record_seen
        self._record_seen = None if rec is None else rec["state"]
        if rec is not None and rec["state"] == "failed":
            self.error = RemoteError({"text": rec.get("message") or "failed"})
        return self._record_seen

    @property
    def state(self) -> str:
        s = self.ticket.state
        lost = s == QUEUED and not self.ticket.progress and not self.ticket.position()
        if lost or (s in (QUEUED, RUNNING) and self.ticket.unreachable is not None):
            recorded = self._record_state()  # Redis lost the job or does not answer: ask the store
            if recorded in ("done", "stopped"):
                s = DONE
            elif recorded == "failed":
                return "error"
        if s == QUEUED:
            return "queued"
        if s == RUNNING:
            return "running"
        if s == CANCELLED:
            return "stopped" if self.ticket.progress.get("epoch") is None else "done"
        if s == ERROR:
            self.error = self.ticket.error
            return "error"
        if self.run is None and self.error is None:
            run = load_run(self.store, self.token, self.store_run_id)
            if run is None:
                self.error = RemoteError({"text": "the finished run was not found in the store"})
                return "error"
            if self.prepared is not None:
                run.prepared = self.prepared  # the page's own data: nothing to rebuild
            self.run = run
        return "error" if self.run is None else "done"

    @property
    def history(self) -> dict:
        return self.ticket.progress.get("history") or {"loss": [], "val_loss": []}

    @property
    def epoch(self) -> int:
        return int(self.ticket.progress.get("epoch") or 0)

    def snapshot(self) -> dict:
        queue = self.ticket.queue_info()
        state = "queued" if queue["position"] else self.state
        p = self.ticket.progress
        return {
            "epoch": int(p.get("epoch") or 0),
            "epochs": int(p.get("epochs") or self.cfg.epochs),
            "elapsed": float(p.get("elapsed") or 0.0),
            "eta": float(p.get("eta") if p.get("eta") is not None else float("nan")),
            "history": {k: list(v) for k, v in (p.get("history") or {"loss": [], "val_loss": []}).items()},
            "state": state,
            "queued": state == "queued",
            "worker": p.get("worker"),
            **queue,
        }

    def stop(self) -> None:
        self.scheduler.cancel(self.ticket)

    @property
    def running(self) -> bool:
        return self.state in ("queued", "running")

    def join(self, timeout: float | None = None) -> None:
        self.ticket.wait(timeout)


def remote_job_class(store, token: str, values: dict, data: bytes | None, parent: tuple | None = None):
    """A class with TrainJob's signature whose jobs train on the workers (what ``ui.workspace`` hands the page)."""

    class BoundRemoteTrainJob(RemoteTrainJob):
        def __init__(self, prepared, arch, cfg, live=True, scheduler=None, session_id=""):
            super().__init__(
                prepared,
                arch,
                cfg,
                live,
                scheduler,
                session_id,
                store=store,
                token=token,
                values=values,
                data=data,
                parent=parent,
            )

    return BoundRemoteTrainJob
