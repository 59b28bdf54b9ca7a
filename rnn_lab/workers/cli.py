"""``python -m rnn_lab worker``: a training worker with the project's settings (it wraps Celery's own worker;
``celery -A rnn_lab.workers.celery_app worker`` works the same). ``RNN_LAB_REDIS_URL`` names the Redis,
``RNN_LAB_DATABASE_URL`` / ``RNN_LAB_DATA_DIR`` the run store (the same as the app's)."""

from __future__ import annotations

import os


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
    p.set_defaults(func=worker_command)


def worker_command(args) -> int:
    from rnn_lab.workers import config

    if args.max_tasks_per_child:
        os.environ["RNN_LAB_WORKER_MAX_TASKS"] = str(args.max_tasks_per_child)
    if args.max_memory_per_child:
        os.environ["RNN_LAB_WORKER_MAX_MEMORY_MB"] = str(args.max_memory_per_child)
    from rnn_lab.workers.celery_app import app

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
