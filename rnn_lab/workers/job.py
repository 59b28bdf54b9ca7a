"""What a worker does with a run id: claim it, rebuild its data, train it through the same
:class:`~rnn_lab.train.runs.TrainJob` the in-process queue runs (so whatever that job computes, the worker does
too), publish the progress, and write the finished run (or the failure) to the store.

TensorFlow is imported here only when a job runs (through :mod:`rnn_lab.train.runs`' lazy imports), so the
Celery parent process that forks the training children never loads it.
"""

from __future__ import annotations

import os
import socket
import threading
import time

from rnn_lab.arch.config import ArchConfig
from rnn_lab.i18n import MessageError, error_text
from rnn_lab.store import default_store
from rnn_lab.store.progress import ProgressSaver
from rnn_lab.store.records import finish_record, prepare_from_values, run_state, settings_values
from rnn_lab.store.store import owner_tag
from rnn_lab.train.engine import TrainConfig
from rnn_lab.train.runs import TrainJob
from rnn_lab.train.scheduler import DONE, ERROR, RUNNING, SchedulerStatus, Ticket
from rnn_lab.workers import config
from rnn_lab.workers.claim import claim, fail_if_owned, record_owner
from rnn_lab.workers.state import BEAT_EVERY, BackendUnavailable, RedisState, RedisStopFlag

PUBLISH_EVERY = 0.25  # at most four progress messages a second
LOST_MESSAGE = (
    "The worker training this run stopped twice (killed, or out of memory), so it was not started again. "
    "Train it again, perhaps with a smaller model or fewer epochs."
)


def worker_name() -> dict:
    return {"host": socket.gethostname(), "pid": os.getpid()}


class _InlineScheduler:
    """A scheduler of one job, run at once in the calling thread with the run's Redis stop flag: a worker's
    child trains one run at a time (its concurrency is 1), so it needs no queue of its own."""

    def __init__(self, stop):
        self.stop = stop

    def submit(self, session_id, work, label="", cost=None):
        ticket = Ticket(self, 1, session_id, work, label, cost)
        ticket.stop_event = self.stop
        ticket.state, ticket.started_at = RUNNING, time.monotonic()
        try:
            ticket.result = work(self.stop)
            ticket.state = DONE
        except Exception as err:  # noqa: BLE001 - reported like the local queue does, on the ticket
            ticket.error, ticket.state = err, ERROR
        ticket.finished_at = time.monotonic()
        return ticket

    def cancel(self, ticket) -> bool:
        self.stop.set()
        return True

    def cancel_session(self, session_id: str) -> int:
        return 0

    def status(self):
        return SchedulerStatus(1, 0, 1, 0)

    def _queue_info(self, ticket) -> dict:
        return {"position": 0, "queue_length": 0, "wait_eta": 0.0}

    def _position(self, ticket) -> int:
        return 0


def _error_payload(err: BaseException) -> dict:
    out = {"text": error_text(err, "en") if isinstance(err, Exception) else repr(err)}
    if isinstance(err, MessageError):
        out["key"] = f"{err.namespace}.{err.message_key}"
        out["values"] = {k: v if isinstance(v, int | float | str) else str(v) for k, v in err.values.items()}
    return out


def run_job(run_id: str, state: RedisState | None = None, store=None) -> dict:
    """Train the run ``run_id`` here. Returns what happened: ``outcome`` (done, stopped, failed, cancelled, gone,
    held: another live worker has it) and ``worker`` (host and pid)."""
    state = state or RedisState()
    store = store or default_store()
    me = worker_name()
    owner = owner_tag()
    token, rec_state, rec_owner = record_owner(store, run_id)
    if token is None or rec_state is None:  # deleted: cancelled while queued, or the workspace was removed
        state.dequeue(run_id)
        return {"run_id": run_id, "outcome": "gone", "worker": me}
    if rec_state == "queued" and state.stop_requested(run_id):
        state.dequeue(run_id)
        state.publish(run_id, state="cancelled", worker=me)
        return {"run_id": run_id, "outcome": "cancelled", "worker": me}
    dead = None
    if rec_state == "running":
        if state.alive(run_id):
            return {"run_id": run_id, "outcome": "held", "worker": me}  # trained by a live worker: leave it
        dead = rec_owner
    elif rec_state not in ("queued", "interrupted"):
        state.dequeue(run_id)
        return {"run_id": run_id, "outcome": "held", "worker": me}  # finished already (a late duplicate message)
    if rec_state != "queued" and state.attempts(run_id) >= config.MAX_ATTEMPTS:
        fail_if_owned(store, run_id, rec_owner, LOST_MESSAGE)
        state.dequeue(run_id)
        state.release(run_id)
        state.publish(run_id, state="error", error={"key": "workers.err.lost", "values": {}, "text": LOST_MESSAGE})
        return {"run_id": run_id, "outcome": "failed", "worker": me}
    if not claim(store, run_id, owner, dead_owner=dead):
        return {"run_id": run_id, "outcome": "held", "worker": me}
    state.dequeue(run_id)
    state.mark_running(run_id, owner)
    state.publish(run_id, state="running", epoch=0, history={}, worker=me)
    beating = threading.Event()

    def beat():
        while not beating.wait(BEAT_EVERY):
            try:
                state.beat(run_id, owner)
            except BackendUnavailable:
                pass

    threading.Thread(target=beat, name=f"rnn-lab-beat-{run_id[:8]}", daemon=True).start()
    started = time.monotonic()
    try:
        return {"run_id": run_id, "worker": me, **_train(store, state, token, run_id, me)}
    finally:
        beating.set()
        try:
            state.release(run_id, owner)
            state.record_duration(time.monotonic() - started)
        except BackendUnavailable:
            pass


def _train(store, state: RedisState, token: str, run_id: str, me: dict) -> dict:
    rec = store.run_record(token, run_id, blobs_too=True)
    epochs_total = int(rec.get("epochs_total") or 0)
    saver = ProgressSaver(store, run_id, every=float(os.environ.get("RNN_LAB_SAVE_EVERY", "2") or 2))
    last = [float("-inf")]

    class WorkerTrainJob(TrainJob):
        def _progress(self, epoch, logs, elapsed, eta):
            super()._progress(epoch, logs, elapsed, eta)
            saver(epoch, logs, elapsed, eta)
            now = time.monotonic()
            if now - last[0] >= PUBLISH_EVERY or epoch >= epochs_total:
                last[0] = now
                snap = self.snapshot_plain()
                try:
                    state.publish(run_id, state="running", worker=me, **snap)
                except BackendUnavailable:
                    pass  # the page shows the last progress; the store has it every few seconds

        def snapshot_plain(self) -> dict:
            with self._lock:
                return {
                    "epoch": self.epoch,
                    "epochs": self.cfg.epochs,
                    "elapsed": self.elapsed,
                    "eta": self.eta,
                    "history": {k: [float(x) for x in v] for k, v in self.history.items()},
                }

    try:
        values = settings_values(rec["settings"])
        prepared = prepare_from_values(values, rec.get("data_bytes"))
        arch_values = dict(rec["arch"])
        arch_values["units"] = tuple(arch_values.get("units") or ())
        arch = ArchConfig(**arch_values)
        cfg = TrainConfig(**rec["train"])
        job = WorkerTrainJob(prepared, arch, cfg, scheduler=_InlineScheduler(RedisStopFlag(state, run_id)))
        err = job.error
    except Exception as exc:  # noqa: BLE001 - data that cannot be rebuilt: a failed run with its message
        job, err = None, exc
    if job is not None and job.run is not None:
        run = job.run
        saver.flush()
        finish_record(store, run_id, run)
        outcome = run_state(run)
        state.publish(run_id, state=outcome, worker=me, **job.snapshot_plain())
        return {"outcome": outcome, "epochs": run.epochs_run, "history": run.history}
    message = error_text(err, "en") if err is not None else "the training ended without a run"
    store.fail_run(run_id, message, epochs_done=job.epoch if job is not None else 0)
    extra = job.snapshot_plain() if job is not None else {}
    state.publish(run_id, state="error", worker=me, error=_error_payload(err or RuntimeError(message)), **extra)
    return {"outcome": "failed", "message": message}
