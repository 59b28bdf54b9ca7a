"""Fair, bounded training for a shared server (issue 12): at most N jobs run at once, the rest wait in a FIFO queue.

In a classroom 30 students press Train within the same minute; without a limit 30 trainings fight for two cores
and every page freezes. Every background job (a training, a warm-up, an Inside experiment) is submitted here
instead of starting its own thread. A job is a callable ``work(stop_event)``; it should check ``stop_event``
at its natural boundaries (an epoch) so cancelling a running job takes effect soon.

:class:`Scheduler` is the interface the rest of the library depends on. :class:`LocalScheduler` implements it
with threads in this process. A backend on an existing job system (Celery with Redis, or Ray) would implement
the same four methods and return tickets with the same attributes; choosing it is a configuration swap
(:func:`set_default_scheduler` at start-up), not a rewrite of the callers. What such a backend adds is its own
business: shipping ``work`` to a worker process and relaying its progress and result back to the ticket.

Settings (environment variables, read when the process-wide scheduler is first created):

- ``RNN_LAB_MAX_TRAININGS``: jobs running at once (default: the number of CPU cores).
- ``RNN_LAB_MAX_QUEUE``: jobs allowed to wait (default 100); one more is refused with :class:`QueueFull`.
- ``RNN_LAB_SCHEDULER``: ``local`` (default), ``celery`` (trainings on Celery workers through Redis,
  :mod:`rnn_lab.workers`, with ``RNN_LAB_REDIS_URL``) or ``package.module:factory`` for another backend.

This module never imports Streamlit.
"""

from __future__ import annotations

import collections
import itertools
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

MAX_TRAININGS_ENV = "RNN_LAB_MAX_TRAININGS"
MAX_QUEUE_ENV = "RNN_LAB_MAX_QUEUE"
SCHEDULER_ENV = "RNN_LAB_SCHEDULER"
DEFAULT_MAX_QUEUE = 100
RECENT_DURATIONS = 20  # finished jobs whose mean duration estimates the wait

QUEUED, RUNNING, DONE, ERROR, CANCELLED = "queued", "running", "done", "error", "cancelled"
FINISHED_STATES = (DONE, ERROR, CANCELLED)

Work = Callable[[threading.Event], Any]


class QueueFull(ValueError):
    """The queue holds its hard limit of waiting jobs; the student is told to try again later."""

    def __init__(self, waiting: int, limit: int):
        self.waiting = waiting
        self.limit = limit
        super().__init__(
            f"The training queue is full: {waiting} jobs are waiting and the limit is {limit} "
            f"(set by {MAX_QUEUE_ENV}). Try again when a run has finished."
        )


@dataclass(frozen=True)
class SchedulerStatus:
    running: int
    queued: int
    limit: int  # jobs allowed to run at once
    max_queue: int


class Ticket:
    """One submitted job: its state, its place in the queue and, once finished, its result or error.

    State changes happen only under the scheduler's lock; reading ``state`` alone needs no lock.
    """

    def __init__(self, scheduler: LocalScheduler, ticket_id: int, session_id: str, work: Work, label: str, cost):
        self.id = ticket_id
        self.session_id = session_id
        self.label = label
        self.cost = cost  # a hint of the job's duration in seconds, used for the wait estimate until jobs finish
        self.state = QUEUED
        self.result: Any = None
        self.error: BaseException | None = None
        self.stop_event = threading.Event()
        self.submitted_at = time.monotonic()
        self.started_at: float | None = None
        self.finished_at: float | None = None
        self.cancel_requested = False
        self.scheduler = scheduler
        self._work = work

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES

    def position(self) -> int:
        """1-based place in the queue while waiting (1 = next to start), 0 once started or finished."""
        return self.scheduler._position(self)

    def queue_length(self) -> int:
        """How many jobs wait in the whole queue (the ``m`` of "position k of m")."""
        return self.scheduler.status().queued

    def eta_seconds(self) -> float:
        """Estimated seconds until this job starts: 0 once started, NaN when nothing is known yet."""
        return self.scheduler._wait_estimate(self)

    def queue_info(self) -> dict:
        """``position``, ``queue_length`` and ``wait_eta`` read together, so a page never shows place 3 of 2."""
        return self.scheduler._queue_info(self)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job has finished (or ``timeout`` seconds); True when it has."""
        return self.scheduler._wait(self, timeout)

    def __repr__(self) -> str:
        return f"Ticket(id={self.id}, label={self.label!r}, session={self.session_id!r}, state={self.state!r})"


class Scheduler(Protocol):
    """What the library needs from a job queue; a Celery or Ray backend would implement the same methods."""

    def submit(self, session_id: str, work: Work, label: str = "", cost: float | None = None) -> Ticket: ...

    def cancel(self, ticket: Ticket) -> bool: ...

    def cancel_session(self, session_id: str) -> int: ...

    def status(self) -> SchedulerStatus: ...


def _positive_int_from_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"{name} must be a whole number of at least 1; got {raw!r}")
    return value


class LocalScheduler:
    """Threads in this process: at most ``max_running`` jobs at once, the others wait first in, first out.

    One condition (with its lock) guards the queue and every ticket's state; each started job gets its own
    daemon thread, which starts the next waiting job when it ends, so nothing polls.
    """

    def __init__(self, max_running: int | None = None, max_queue: int | None = None):
        if max_running is None:
            max_running = _positive_int_from_env(MAX_TRAININGS_ENV, os.cpu_count() or 1)
        if max_queue is None:
            max_queue = _positive_int_from_env(MAX_QUEUE_ENV, DEFAULT_MAX_QUEUE)
        if int(max_running) < 1:
            raise ValueError(f"max_running must be at least 1; got {max_running!r}")
        if int(max_queue) < 0:
            raise ValueError(f"max_queue must be 0 or more; got {max_queue!r}")
        self.max_running = int(max_running)
        self.max_queue = int(max_queue)
        self._cond = threading.Condition()
        self._queue: collections.deque[Ticket] = collections.deque()
        self._running: set[Ticket] = set()
        self._durations: collections.deque[float] = collections.deque(maxlen=RECENT_DURATIONS)
        self._durations_by_label: dict[str, collections.deque[float]] = {}
        self._dead_since: dict[str, float] = {}  # session id -> when it was first seen gone (reap_sessions)
        self._ids = itertools.count(1)

    # ---------------------------------------------------------------- the interface

    def submit(self, session_id: str, work: Work, label: str = "", cost: float | None = None) -> Ticket:
        """Queue ``work``; it starts at once when a slot is free. Raises :class:`QueueFull` at the hard limit."""
        if not callable(work):
            raise TypeError(f"work must be a callable taking a threading.Event; got {type(work).__name__}")
        if cost is not None and not (math.isfinite(cost) and cost >= 0):
            raise ValueError(f"cost must be a duration in seconds (0 or more) or None; got {cost!r}")
        with self._cond:
            if len(self._queue) >= self.max_queue and len(self._running) >= self.max_running:
                raise QueueFull(len(self._queue), self.max_queue)
            ticket = Ticket(self, next(self._ids), str(session_id), work, label, cost)
            self._queue.append(ticket)
            starting = self._start_waiting_locked()
            self._cond.notify_all()
        self._launch(starting)
        return ticket

    def cancel(self, ticket: Ticket) -> bool:
        """A waiting job leaves the queue without running; a running one is asked to stop (its ``stop_event``)
        and ends ``cancelled`` when its work returns. False when the job had already finished."""
        with self._cond:
            return self._cancel_locked(ticket)

    def cancel_session(self, session_id: str) -> int:
        """Cancel every waiting or running job of a session that ended; returns how many were cancelled."""
        with self._cond:
            mine = [t for t in (*self._queue, *self._running) if t.session_id == session_id]
            return sum(self._cancel_locked(t) for t in mine)

    def session_ids(self) -> set[str]:
        """Sessions with a job waiting or running."""
        with self._cond:
            return {t.session_id for t in (*self._queue, *self._running)}

    def reap_sessions(self, is_alive: Callable[[str], bool], grace: float, now: float | None = None) -> list[str]:
        """Cancel the jobs of sessions gone for longer than ``grace`` seconds (a closed tab, a websocket that never
        came back): their place in the queue goes to the others and their models are freed. A session that comes
        back within ``grace`` keeps its jobs. Returns the sessions reaped."""
        now = time.monotonic() if now is None else now
        reaped = []
        for session_id in self.session_ids():
            if not session_id or is_alive(session_id):
                self._dead_since.pop(session_id, None)
                continue
            first = self._dead_since.setdefault(session_id, now)
            if now - first >= grace:
                self.cancel_session(session_id)
                self._dead_since.pop(session_id, None)
                reaped.append(session_id)
        return reaped

    def status(self) -> SchedulerStatus:
        with self._cond:
            return SchedulerStatus(len(self._running), len(self._queue), self.max_running, self.max_queue)

    # ---------------------------------------------------------------- ticket queries

    def _position(self, ticket: Ticket) -> int:
        with self._cond:
            return self._position_locked(ticket)

    def _position_locked(self, ticket: Ticket) -> int:
        if ticket.state != QUEUED:
            return 0
        for place, waiting in enumerate(self._queue, start=1):
            if waiting is ticket:
                return place
        return 0

    def _queue_info(self, ticket: Ticket) -> dict:
        with self._cond:
            return {
                "position": self._position_locked(ticket),
                "queue_length": len(self._queue),
                "wait_eta": self._wait_estimate_locked(ticket),
            }

    def _wait_estimate(self, ticket: Ticket) -> float:
        with self._cond:
            return self._wait_estimate_locked(ticket)

    def _typical_locked(self, ticket: Ticket) -> float:
        """How long a job like ``ticket`` takes: the mean of recent jobs with its label (a warm-up is not a
        training), else its cost hint, else the mean of all recent jobs; NaN when nothing is known."""
        same = self._durations_by_label.get(ticket.label)
        if same:
            return sum(same) / len(same)
        if ticket.cost is not None:
            return ticket.cost
        if self._durations:
            return sum(self._durations) / len(self._durations)
        return float("nan")

    def _wait_estimate_locked(self, ticket: Ticket) -> float:
        """The work ahead of ``ticket`` shared by the ``max_running`` slots: every waiting job ahead at its typical
        duration, every running one at half of it (on average half done)."""
        place = self._position_locked(ticket)
        if place == 0:
            return 0.0  # started (or finished): no more waiting
        ahead = [self._typical_locked(t) for t in itertools.islice(self._queue, place - 1)]
        running = [self._typical_locked(t) / 2 for t in self._running]
        work = ahead + running
        if not work or any(math.isnan(w) for w in work):
            return float("nan")
        return sum(work) / self.max_running

    def _wait(self, ticket: Ticket, timeout: float | None) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: ticket.finished, timeout)

    # ---------------------------------------------------------------- internals (the lock is held in *_locked)

    def _cancel_locked(self, ticket: Ticket) -> bool:
        if ticket.scheduler is not self:
            raise ValueError(f"{ticket!r} was submitted to another scheduler; cancel it there")
        if ticket.state == QUEUED:
            self._queue.remove(ticket)
            ticket.cancel_requested = True
            ticket.stop_event.set()
            ticket.state = CANCELLED
            ticket.finished_at = time.monotonic()
            ticket._work = None  # a closed tab's data and model are freed even though the job never ran
            self._cond.notify_all()
            return True
        if ticket.state == RUNNING:
            ticket.cancel_requested = True
            ticket.stop_event.set()
            return True
        return False

    def _start_waiting_locked(self) -> list[Ticket]:
        starting = []
        while self._queue and len(self._running) < self.max_running:
            ticket = self._queue.popleft()
            ticket.state = RUNNING
            ticket.started_at = time.monotonic()
            self._running.add(ticket)
            starting.append(ticket)
        return starting

    def _launch(self, tickets: list[Ticket]) -> None:
        for ticket in tickets:
            name = f"rnn-lab-{ticket.label or 'job'}-{ticket.id}"
            threading.Thread(target=self._execute, args=(ticket,), name=name, daemon=True).start()

    def _execute(self, ticket: Ticket) -> None:
        result, error, returned = None, None, False
        try:
            result = ticket._work(ticket.stop_event)
            returned = True
        except Exception as err:  # noqa: BLE001 - a failing job is reported on its ticket; the queue moves on
            error = err
        finally:  # even a BaseException frees the slot, or the queue would stall for everyone
            with self._cond:
                ticket.finished_at = time.monotonic()
                ticket.result, ticket.error = result, error
                if not returned:
                    ticket.state = ERROR
                elif ticket.cancel_requested:
                    ticket.state = CANCELLED
                else:
                    ticket.state = DONE
                    took = ticket.finished_at - (ticket.started_at or ticket.finished_at)
                    self._durations.append(took)
                    self._durations_by_label.setdefault(
                        ticket.label, collections.deque(maxlen=RECENT_DURATIONS)
                    ).append(took)
                ticket._work = None  # drop the closure (prepared data, models) once it has run
                self._running.discard(ticket)
                starting = self._start_waiting_locked()
                self._cond.notify_all()
            self._launch(starting)


_DEFAULT: Scheduler | None = None
_DEFAULT_LOCK = threading.Lock()


def default_scheduler() -> Scheduler:
    """The one scheduler of this process (every session shares it), created on first use from the environment."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = scheduler_from_env()
        return _DEFAULT


def scheduler_from_env() -> Scheduler:
    """``RNN_LAB_SCHEDULER``: ``local`` (the default, :class:`LocalScheduler`) or ``package.module:factory``, a
    callable returning another implementation of :class:`Scheduler` (e.g. one on Celery with Redis, see
    docs/deploy.md). The swap is this one setting; callers only ever see the interface."""
    import importlib

    spec = os.environ.get(SCHEDULER_ENV, "").strip() or "local"
    if spec == "local":
        return LocalScheduler()
    if spec == "celery":
        spec = "rnn_lab.workers.scheduler:celery_scheduler"
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ValueError(f"{SCHEDULER_ENV} must be 'local' or 'package.module:factory'; got {spec!r}")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:  # say which setting named it, not only what is missing
        raise ModuleNotFoundError(
            f"{SCHEDULER_ENV}={spec!r} names the module {module_name!r}, which cannot be imported: {err}", name=err.name
        ) from err
    factory = getattr(module, attr, None)
    if not callable(factory):
        raise ValueError(f"{SCHEDULER_ENV}={spec!r}: the module {module_name} has no function {attr!r}")
    scheduler = factory()
    missing = [m for m in ("submit", "cancel", "cancel_session", "status") if not callable(getattr(scheduler, m, None))]
    if missing:
        raise TypeError(f"{spec} returned {type(scheduler).__name__}, which lacks {', '.join(missing)}")
    return scheduler


def set_default_scheduler(scheduler: Scheduler | None) -> Scheduler | None:
    """Replace the process-wide scheduler (a test, or another backend at start-up); None recreates it lazily.
    Returns the previous one so a test can put it back."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        previous, _DEFAULT = _DEFAULT, scheduler
        return previous
