"""The Celery application of the training workers: ``celery -A rnn_lab.workers.celery_app worker`` (or
``python -m rnn_lab worker``, which passes the project's settings).

- One task, :func:`train_run`, whose only argument is a run id.
- ``task_acks_late`` and ``task_reject_on_worker_lost``: a job is acknowledged when it has finished; a child killed
  mid-job (SIGKILL, the kernel's out-of-memory killer) hands its message back at once.
- The broker's visibility timeout is longer than any allowed job (``RNN_LAB_JOB_TIME_LIMIT``), so a long job is
  never given to a second worker while it runs.
- A dead worker is found sooner by the heartbeat reaper: a thread in every worker's parent process looks every
  few seconds for runs whose training child stopped beating, and sends each back to the queue once
  (:data:`rnn_lab.workers.config.MAX_ATTEMPTS`); a run that dies twice is marked failed with a plain message. The
  run record claim (:mod:`rnn_lab.workers.claim`) makes sure a run never trains twice at the same time.
- Prefork pool, one child per worker process by default: the parent never imports TensorFlow (nothing here does;
  the task imports it in the child when a job runs), children are replaced after ``RNN_LAB_WORKER_MAX_TASKS`` jobs
  or when their memory passes ``RNN_LAB_WORKER_MAX_MEMORY_MB``.
"""

from __future__ import annotations

import os
import socket
import threading

from celery import Celery, signals

from rnn_lab.workers import config
from rnn_lab.workers.job import run_job
from rnn_lab.workers.state import BackendUnavailable, RedisState

REAP_EVERY = 2.0

app = Celery("rnn_lab", broker=config.redis_url(), include=[])
app.conf.update(
    task_default_queue=config.QUEUE_NAME,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    task_track_started=False,
    task_ignore_result=True,  # results live in the run store; progress in rnnlab:progress:<run>
    task_time_limit=config.job_time_limit() + 60,
    task_soft_time_limit=config.job_time_limit(),
    worker_prefetch_multiplier=1,  # with acks late: a child holds only the job it trains
    worker_concurrency=1,
    worker_max_tasks_per_child=config.max_tasks_per_child(),
    worker_max_memory_per_child=config.max_memory_per_child_kb(),
    worker_hijack_root_logger=False,
    worker_send_task_events=False,
    broker_transport_options={"visibility_timeout": config.visibility_timeout()},
    broker_connection_retry_on_startup=True,
    accept_content=["json"],
    task_serializer="json",
)
TASK_NAME = "rnn_lab.train_run"


@app.task(name=TASK_NAME, bind=True, acks_late=True, reject_on_worker_lost=True)
def train_run(self, run_id: str) -> dict:
    return run_job(str(run_id))


def send(run_id: str, retry: bool = False, url: str | None = None) -> str:
    """Queue the Celery task of ``run_id`` on the broker at ``url`` (default ``RNN_LAB_REDIS_URL``); its task id is
    the run id (a retry's: the run id and ``-retry``), so revoking it needs nothing else."""
    task_id = f"{run_id}-retry" if retry else run_id
    with app.connection_for_write(url or config.redis_url()) as conn:
        train_run.apply_async(
            args=[run_id],
            task_id=task_id,
            queue=config.QUEUE_NAME,
            connection=conn,
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0.2, "interval_step": 0.2},
        )
    return task_id


def reap_once(state=None) -> list[str]:
    """Send back to the queue the runs whose training child stopped beating (one caller wins each run)."""
    state = state or RedisState()
    sent = []
    try:
        for run_id, _owner in state.running().items():
            if state.alive(run_id):
                continue
            if state.release(run_id):  # only one reaper gets True
                state.enqueue(run_id, state.session_of(run_id), front=True)
                state.publish(run_id, state="queued", retry=True)
                send(run_id, retry=True, url=state.url)
                sent.append(run_id)
    except BackendUnavailable:
        pass
    return sent


_REAPER: threading.Event | None = None


@signals.worker_ready.connect
def _start_worker_threads(sender=None, **_kwargs):
    """In the worker's parent process (no TensorFlow here): its heartbeat (how many slots the farm has) and the
    reaper."""
    global _REAPER

    if _REAPER is not None:
        return
    _REAPER = threading.Event()
    stop = _REAPER
    name = f"{socket.gethostname()}:{os.getpid()}"
    slots = int(getattr(getattr(sender, "controller", sender), "concurrency", 1) or 1)

    def loop():
        state = RedisState()
        while not stop.wait(REAP_EVERY):
            try:
                state.worker_beat(name, slots)
            except BackendUnavailable:
                continue
            reap_once(state)

    try:
        RedisState().worker_beat(name, slots)
    except BackendUnavailable:
        pass
    threading.Thread(target=loop, name="rnn-lab-reaper", daemon=True).start()


@signals.worker_process_init.connect
def _warm_child(**_kwargs):
    """In a freshly forked child (never in the parent): import TensorFlow and Keras in the background, so the first
    job does not pay the import; the child answers the parent at once (billiard waits only a few seconds)."""

    def load():
        try:
            import keras  # noqa: F401
        except Exception:  # noqa: BLE001 - the job imports it again and reports a real failure
            pass

    threading.Thread(target=load, name="rnn-lab-import-tf", daemon=True).start()


@signals.worker_shutting_down.connect
def _stop_worker_threads(**_kwargs):
    if _REAPER is not None:
        _REAPER.set()
