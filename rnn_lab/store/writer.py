"""The store's writer: one thread per process that writes runs to the store in the background, in order.

A training reports its run done (the page draws the results) before the run is written: the finished record (the
``.keras`` model, the packed results, the JSON) and the progress updates while it trains (epochs done, history, a
checkpoint's npz) are queued here and written by this thread, so a training's wall time does not include them
(``bench/store_bench.py``). Nothing is lost on a clean shutdown: the process waits for the queue at exit
(:func:`atexit`), and a reader that needs a run's record as written (a new session opening its workspace, a resume
of the run, its deletion) first waits for that run's writes with :meth:`Writer.wait`. A killed process loses the
writes still queued, as it loses the epochs after its last checkpoint: the record says "interrupted after epoch k".
"""

from __future__ import annotations

import atexit
import itertools
import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

EXIT_WAIT = 120.0  # seconds a clean shutdown waits for the queued writes
FINISH_DELAY = 0.3  # seconds a finished run's write waits (the page draws its results meanwhile)
# seconds a queued run's first record waits: a training shorter than this has it written after it ends, a longer
# one shares the CPU with that write for a few ms of a quarter second or more (a crash before it leaves no record)
QUEUE_DELAY = 0.25


class Writer:
    """Writes done by one daemon thread, in the order queued for each run. :meth:`submit` queues ``fn(*args)``
    under ``key`` (a run id), possibly delayed; :meth:`wait` blocks until the writes of ``key`` (or all) are done. A write that raises calls its ``on_error``
    with the exception (the job that queued it keeps it for the page); later writes still run."""

    def __init__(self) -> None:
        self._queue: queue.Queue = queue.Queue()
        self._pending: Counter = Counter()
        self._done = threading.Condition()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.hurry = threading.Event()  # set at exit: delays are skipped
        self._expedited: dict[str, int] = {}  # run -> the last of its writes that skips its delay (see expedite)
        self._seq = itertools.count()  # the order writes were queued in

    def submit(
        self, fn: Callable[..., Any], *args: Any, key: str | None = None, on_error=None, delay: float = 0.0
    ) -> None:
        """Queue ``fn(*args)``; ``delay``: not started before that many seconds (a finished run's write waits
        while the page draws its results, so the two do not share the CPU); a clean exit does not wait for it."""
        with self._done:
            self._pending[key] += 1
        self._ensure_thread()
        self._queue.put((fn, args, key, on_error, time.monotonic() + delay, next(self._seq)))

    def expedite(self, key: str) -> None:
        """Start the writes queued under ``key`` so far now, without their delay (writes queued later keep theirs):
        a training that ended before its queued record was written waits for that record's number (the run's
        name), so the delay would only make its results wait (the counting toy trains in less than
        :data:`QUEUE_DELAY`)."""
        with self._done:
            if not self._pending.get(key):
                return  # written already (or never queued): nothing to hurry
            self._expedited[key] = next(self._seq)
        self.submit(lambda: None)  # wakes the thread from a delay's wait

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="rnn-lab-store-writer", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        waiting: list[tuple] = []  # (fn, args, key, on_error, not_before) in the order they were queued
        while True:
            chosen = self._next(waiting)
            if chosen is None:  # nothing ready: wait for a new write or the first delay to pass
                timeout = min(item[4] for item in waiting) - time.monotonic() if waiting else None
                try:
                    waiting.append(self._queue.get(timeout=None if timeout is None else max(0.0, timeout)))
                except queue.Empty:
                    pass
                while True:
                    try:
                        waiting.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                continue
            fn, args, key, on_error, _, _ = waiting.pop(chosen)
            self._run(fn, args, key, on_error)

    def _next(self, waiting: list[tuple]) -> int | None:
        """The first queued write that may run now: its delay passed (or the process is exiting) and no earlier
        write of the same run still waits (a run's writes keep their order; a delayed one holds back no other
        run's)."""
        now, held = time.monotonic(), set()
        for i, (_, _, key, _, not_before, seq) in enumerate(waiting):
            if key is not None and key in held:
                continue
            if not_before <= now or self.hurry.is_set() or seq < self._expedited.get(key, -1):
                return i
            if key is not None:
                held.add(key)
        return None

    def _run(self, fn, args, key, on_error) -> None:
        try:
            fn(*args)
        except BaseException as err:  # noqa: BLE001 - kept by the job that queued it; the thread goes on
            if on_error is not None:
                try:
                    on_error(err)
                except Exception:  # noqa: BLE001
                    log.exception("store writer: on_error failed")
            else:
                log.exception("store writer: a write failed")
        finally:
            with self._done:
                self._pending[key] -= 1
                if self._pending[key] <= 0:
                    del self._pending[key]
                    self._expedited.pop(key, None)
                self._done.notify_all()

    def pending(self, key: str | None = None) -> int:
        with self._done:
            return sum(self._pending.values()) if key is None else self._pending.get(key, 0)

    def wait(self, key: str | None = None, timeout: float | None = None) -> bool:
        """Wait until the writes queued under ``key`` (every write when None) are done; False on a timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._done:
            while (sum(self._pending.values()) if key is None else self._pending.get(key, 0)) > 0:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._done.wait(left)
        return True


_WRITER = Writer()


def writer() -> Writer:
    """The process's writer."""
    return _WRITER


def _flush_at_exit() -> None:
    if not _WRITER.pending():
        return
    _WRITER.hurry.set()
    _WRITER.submit(lambda: None)  # wakes the thread from a delay's wait
    if not _WRITER.wait(timeout=EXIT_WAIT):
        log.error("store writer: %d writes not done at exit", _WRITER.pending())


atexit.register(_flush_at_exit)
