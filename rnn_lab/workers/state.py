"""The state the app servers and the workers share in Redis, by run id.

Keys (prefix ``rnnlab:``):

- ``queue``: sorted set of waiting run ids by submission number: a page's place in line is its rank, the same for
  every app server (Celery's own broker list is not read: prefetching and retries make its order unreliable).
- ``running``: hash run id -> owner (``host:pid:tag`` of the worker child training it).
- ``alive:<run>``: the training child's heartbeat (expires ``ALIVE_TTL`` seconds after the child stops beating).
- ``progress:<run>``: JSON: state, epoch, epochs, elapsed, eta, history, worker, error.
- ``stop:<run>``: the stop flag (Stop on a running job, Cancel on a queued one).
- ``attempts:<run>``: how many times a worker started the run.
- ``worker:<host:pid>``: a worker's heartbeat (its concurrency), so the app knows how many slots exist.
- ``durations``: the last finished jobs' durations (the wait estimate).

Every Redis failure becomes :class:`BackendUnavailable` (a catalogue message in both languages).
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from rnn_lab.i18n import MessageError
from rnn_lab.workers import config

PREFIX = "rnnlab:"
# seconds: a training child that stopped beating for this long is taken as dead (its run goes back to the queue)
ALIVE_TTL = max(2, int(os.environ.get("RNN_LAB_WORKER_ALIVE_TTL", "8") or 8))
BEAT_EVERY = 1.0
WORKER_TTL = 15
KEEP = 24 * 3600  # progress and flags outlive their job by a day (a page reloaded tomorrow still finds the state)
RECENT = 20


class BackendUnavailable(MessageError):
    """Redis (the workers' queue) cannot be reached; the page offers to train on its own server instead."""

    namespace = "workers.err"


def _redis_errors():
    import redis

    return (redis.exceptions.RedisError, OSError)


class RedisState:
    def __init__(self, url: str | None = None, client=None):
        self.url = url or config.redis_url()
        if client is None:
            import redis

            client = redis.Redis.from_url(
                self.url, socket_timeout=3, socket_connect_timeout=2, health_check_interval=30
            )
        self.r = client

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except _redis_errors() as err:
            raise BackendUnavailable("unreachable", where=config.where(self.url), reason=type(err).__name__) from None

    def key(self, name: str, run_id: str | None = None) -> str:
        return PREFIX + name + (f":{run_id}" if run_id else "")

    def ping(self) -> None:
        self._call(self.r.ping)

    # ------------------------------------------------------------------ the queue
    def enqueue(self, run_id: str, session_id: str = "", front: bool = False) -> int:
        """Put ``run_id`` in line (a retried run goes to the front); its 1-based place."""

        def go():
            pipe = self.r.pipeline()
            if front:
                pipe.zadd(self.key("queue"), {run_id: -time.time()})
            else:
                pipe.zadd(self.key("queue"), {run_id: self.r.incr(self.key("seq"))}, nx=True)
            pipe.set(self.key("session", run_id), session_id or "", ex=KEEP)
            pipe.delete(self.key("stop", run_id))
            pipe.execute()
            return int(self.r.zrank(self.key("queue"), run_id) or 0) + 1

        return self._call(go)

    def dequeue(self, run_id: str) -> bool:
        """Take ``run_id`` out of the line; True when it was there (only one caller ever gets True)."""
        return bool(self._call(self.r.zrem, self.key("queue"), run_id))

    def position(self, run_id: str) -> int:
        rank = self._call(self.r.zrank, self.key("queue"), run_id)
        return 0 if rank is None else int(rank) + 1

    def queue_length(self) -> int:
        return int(self._call(self.r.zcard, self.key("queue")))

    def queued_ids(self) -> list[str]:
        return [v.decode() for v in self._call(self.r.zrange, self.key("queue"), 0, -1)]

    def session_of(self, run_id: str) -> str:
        raw = self._call(self.r.get, self.key("session", run_id))
        return raw.decode() if raw else ""

    # ------------------------------------------------------------------ running runs and heartbeats
    def mark_running(self, run_id: str, owner: str) -> None:
        def go():
            pipe = self.r.pipeline()
            pipe.hset(self.key("running"), run_id, owner)
            pipe.set(self.key("alive", run_id), owner, ex=ALIVE_TTL)
            pipe.incr(self.key("attempts", run_id))
            pipe.expire(self.key("attempts", run_id), KEEP)
            pipe.execute()

        self._call(go)

    def beat(self, run_id: str, owner: str) -> None:
        self._call(self.r.set, self.key("alive", run_id), owner, ex=ALIVE_TTL)

    def alive(self, run_id: str) -> bool:
        return bool(self._call(self.r.exists, self.key("alive", run_id)))

    def attempts(self, run_id: str) -> int:
        return int(self._call(self.r.get, self.key("attempts", run_id)) or 0)

    def running(self) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self._call(self.r.hgetall, self.key("running")).items()}

    def release(self, run_id: str, owner: str | None = None) -> bool:
        """The run left its worker (finished, or found dead); True for the one caller that removed it."""

        def go():
            pipe = self.r.pipeline()
            pipe.hdel(self.key("running"), run_id)
            if owner is not None:
                pipe.delete(self.key("alive", run_id))
            return bool(pipe.execute()[0])

        return self._call(go)

    def worker_beat(self, name: str, slots: int) -> None:
        self._call(self.r.set, self.key("worker", name), int(slots), ex=WORKER_TTL)

    def worker_slots(self) -> int:
        def go():
            keys = list(self.r.scan_iter(match=self.key("worker") + ":*", count=100))
            return sum(int(v or 0) for v in (self.r.mget(keys) if keys else []))

        return int(self._call(go))

    # ------------------------------------------------------------------ progress and stop flags
    def publish(self, run_id: str, **progress: Any) -> None:
        self._call(self.r.set, self.key("progress", run_id), json.dumps(progress, default=_plain), ex=KEEP)

    def progress(self, run_id: str) -> dict | None:
        raw = self._call(self.r.get, self.key("progress", run_id))
        return None if raw is None else json.loads(raw)

    def request_stop(self, run_id: str) -> None:
        self._call(self.r.set, self.key("stop", run_id), "1", ex=KEEP)

    def stop_requested(self, run_id: str) -> bool:
        return bool(self._call(self.r.exists, self.key("stop", run_id)))

    def record_duration(self, seconds: float) -> None:
        def go():
            pipe = self.r.pipeline()
            pipe.lpush(self.key("durations"), f"{seconds:.3f}")
            pipe.ltrim(self.key("durations"), 0, RECENT - 1)
            pipe.execute()

        self._call(go)

    def typical_duration(self) -> float:
        values = [float(v) for v in self._call(self.r.lrange, self.key("durations"), 0, -1)]
        return sum(values) / len(values) if values else float("nan")


def _plain(value):
    """JSON for numpy numbers and other plain values in a history or a message's values."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


class RedisStopFlag:
    """The engine's stop event for a run on a worker: ``is_set()`` reads the run's Redis flag at most every
    ``every`` seconds (the engine asks between compiled calls, ~0.1 s apart). ``set()`` raises it (like
    ``threading.Event``). A Redis hiccup never stops a training; the next read tries again."""

    def __init__(self, state: RedisState, run_id: str, every: float = 0.1):
        self.state, self.run_id, self.every = state, run_id, every
        self._set = False
        self._last = float("-inf")

    def is_set(self) -> bool:
        if self._set:
            return True
        now = time.monotonic()
        if now - self._last >= self.every:
            self._last = now
            try:
                self._set = self.state.stop_requested(self.run_id)
            except BackendUnavailable:
                pass
        return self._set

    def set(self) -> None:
        self._set = True
        self.state.request_stop(self.run_id)

    def wait(self, timeout: float | None = None) -> bool:
        end = None if timeout is None else time.monotonic() + timeout
        while not self.is_set():
            if end is not None and time.monotonic() >= end:
                return False
            time.sleep(self.every)
        return True
