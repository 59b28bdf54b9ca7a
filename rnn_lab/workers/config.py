"""Settings of the worker backend, from the environment (the same for the app, the CLI and the workers).

- ``RNN_LAB_SCHEDULER=celery``: trainings go to the workers (default ``local``: threads in the app's process).
- ``RNN_LAB_REDIS_URL``: the Redis that is both Celery's broker and the shared state (default
  ``redis://127.0.0.1:6379/0``).
- ``RNN_LAB_JOB_TIME_LIMIT``: seconds a job may run (default 3600); Celery's hard time limit, and the broker's
  visibility timeout is set well above it (a job is never handed out twice because it is long).
- ``RNN_LAB_WORKER_MAX_TASKS``: jobs a worker child trains before it is replaced by a fresh one (default 20).
- ``RNN_LAB_WORKER_MAX_MEMORY_MB``: resident memory after which a child is replaced after its job (default 1500).
- ``RNN_LAB_MAX_QUEUE``: jobs allowed to wait (as for the local queue, default 100).
"""

from __future__ import annotations

import os

SCHEDULER_ENV = "RNN_LAB_SCHEDULER"
REDIS_ENV = "RNN_LAB_REDIS_URL"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
QUEUE_NAME = "rnn_lab"  # the Celery queue the trainings go to
MAX_ATTEMPTS = 2  # a job whose worker died is started at most once more


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        return default
    return value if value > 0 else default


def redis_url() -> str:
    return os.environ.get(REDIS_ENV, "").strip() or DEFAULT_REDIS


def wants_celery() -> bool:
    return os.environ.get(SCHEDULER_ENV, "").strip().lower() == "celery"


def job_time_limit() -> int:
    return int(_number("RNN_LAB_JOB_TIME_LIMIT", 3600))


def visibility_timeout() -> int:
    """Longer than any allowed job: an unacknowledged job is handed to another worker only after it (the
    heartbeat reaper, :mod:`rnn_lab.workers.celery_app`, retries a dead worker's job much sooner)."""
    return 2 * job_time_limit() + 600


def max_tasks_per_child() -> int:
    return int(_number("RNN_LAB_WORKER_MAX_TASKS", 20))


def max_memory_per_child_kb() -> int:
    return int(_number("RNN_LAB_WORKER_MAX_MEMORY_MB", 1500) * 1024)


def max_queue() -> int:
    return int(_number("RNN_LAB_MAX_QUEUE", 100))


def where(url: str | None = None) -> str:
    """The Redis address without its password, for messages."""
    from urllib.parse import urlsplit

    parts = urlsplit(url or redis_url())
    return f"{parts.hostname or '?'}:{parts.port or 6379}"
