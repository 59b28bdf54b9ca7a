"""``python -m rnn_lab worker``: a training worker with the project's settings (it wraps Celery's own worker;
``celery -A rnn_lab.workers.celery_app worker`` works the same). ``RNN_LAB_REDIS_URL`` names the Redis,
``RNN_LAB_DATABASE_URL`` / ``RNN_LAB_DATA_DIR`` the run store (the same as the app's)."""

from __future__ import annotations

import os

from rnn_lab.errors import UsageError
from rnn_lab.store import default_store
from rnn_lab.store.cli import cli_values
from rnn_lab.train.scheduler import default_scheduler
from rnn_lab.workers import config
from rnn_lab.workers.scheduler import remote_job_class
from rnn_lab.workers.state import BackendUnavailable, RedisState


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "worker",
        help="start a training worker (Celery, Redis at RNN_LAB_REDIS_URL)",
        description="Start a training worker: it trains the runs the app queues when RNN_LAB_SCHEDULER=celery.",
    )
    p.add_argument("--concurrency", type=int, default=1, help="trainings at once in this worker (default 1)")
    p.add_argument(
        "--max-tasks-per-child",
        type=int,
        default=None,
        help="jobs before a child is replaced (RNN_LAB_WORKER_MAX_TASKS)",
    )
    p.add_argument(
        "--max-memory-per-child",
        type=int,
        default=None,
        help="MB of resident memory after which a child is replaced once its job ends (RNN_LAB_WORKER_MAX_MEMORY_MB)",
    )
    p.add_argument("--hostname", default=None, help="the worker's node name (default celery's: rnn_lab@HOST-PID)")
    p.add_argument("--loglevel", default="INFO")
    p.add_argument(
        "--ping",
        action="store_true",
        help="health check: exit 0 when a worker on this host beats in Redis (its parent's heartbeat), else 1",
    )
    p.set_defaults(func=worker_command)


def worker_command(args) -> int:
    if args.ping:
        return 0 if _beating_here() else 1
    if args.max_tasks_per_child:
        os.environ["RNN_LAB_WORKER_MAX_TASKS"] = str(args.max_tasks_per_child)
    if args.max_memory_per_child:
        os.environ["RNN_LAB_WORKER_MAX_MEMORY_MB"] = str(args.max_memory_per_child)
    from rnn_lab.workers.celery_app import app  # celery: only when a worker or the queue is used

    argv = [
        "worker",
        "--pool=prefork",
        f"--concurrency={max(1, args.concurrency)}",
        f"--queues={config.QUEUE_NAME}",
        f"--max-tasks-per-child={config.max_tasks_per_child()}",
        f"--max-memory-per-child={config.max_memory_per_child_kb()}",
        f"--loglevel={args.loglevel}",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        f"--hostname={args.hostname or f'rnn_lab@%h-{os.getpid()}'}",
    ]
    app.worker_main(argv)
    return 0


def _beating_here() -> bool:
    import socket

    try:
        state = RedisState()
        pattern = state.key("worker") + f":{socket.gethostname()}:*"
        return any(True for _ in state.r.scan_iter(match=pattern, count=100))
    except (BackendUnavailable, OSError, Exception):  # noqa: BLE001 - any failure is "not healthy"
        return False


class WorkerTraining:
    """``train --save-run`` with ``RNN_LAB_SCHEDULER=celery``: the queued record is made here, its id goes to the
    workers, and the command waits for the finished run, which it reads back from the store. The JSON gains
    ``worker`` (host and pid of the process that trained it) besides ``run_id`` and ``workspace``."""

    def __init__(self, args, task: str, prepared, arch, cfg):
        values, data_bytes = cli_values(args, task, prepared)
        self.store = default_store()
        self.token = self.store.open_workspace(args.workspace)
        self.job = remote_job_class(self.store, self.token, values, data_bytes)(
            prepared, arch, cfg, scheduler=default_scheduler(), session_id="cli"
        )

    def run(self):
        """Wait for the worker; the finished run (a stored run, its model loads when read). Ctrl+C stops it."""
        try:
            while self.job.running:
                self.job.join(1.0)
        except KeyboardInterrupt:
            self.job.stop()
            raise
        if self.job.state == "stopped" or self.job.run is None:
            raise UsageError(f"the run did not train: {self.job.error or self.job.state}")
        return self.job.run

    def finish(self) -> dict:
        return {"run_id": self.job.store_run_id, "workspace": self.token, "worker": self.job.worker}
