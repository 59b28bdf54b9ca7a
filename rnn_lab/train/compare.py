"""Compare view: SimpleRNN, LSTM, GRU, Conv1D and Dense trained on the same split with the same budget.

A :class:`CompareJob` trains the models one after another in a background thread and offers the same interface as
``runs.TrainJob`` (``running``, ``state``, ``snapshot()``, ``stop()``), so the Train page polls and stops it the
same way; its finished runs land in the session's run list like any other.
"""

from __future__ import annotations

import threading
import time

from rnn_lab.train.runs import COMPARE_MODELS, Run, compare_arch, execute, training_arch
from rnn_lab.train.settings import TrainConfig


def compare_plan(prepared, base, names=COMPARE_MODELS) -> tuple[list[tuple[str, object]], list[tuple[str, str]]]:
    """The architectures a comparison trains and the models left out with the reason (e.g. a kernel too long).

    ``base`` is the explored config: every row keeps its sizes (units, filters, kernel, hidden Dense) and changes
    only the cell or the family, then takes the data's window, features and head.
    """
    plan, skipped = [], []
    for name in names:
        try:
            plan.append((name, training_arch(compare_arch(name, base), prepared)))
        except ValueError as err:
            skipped.append((name, str(err)))
    return plan, skipped


class CompareJob:
    """The comparison in a background thread; ``runs`` grows model by model (the thread never touches Streamlit)."""

    def __init__(self, prepared, base, cfg: TrainConfig, names=COMPARE_MODELS, live: bool = True):
        self.cfg = cfg
        self.live = live
        self.plan, self.skipped = compare_plan(prepared, base, names)
        self.stop_event = threading.Event()
        self.runs: list[Run] = []
        self.current = ""  # the model being trained
        self.index = 0  # its place in the plan, 0-based
        self.history: dict[str, list[float]] = {"loss": [], "val_loss": []}
        self.epoch = 0
        self.elapsed = 0.0
        self.eta = float("nan")
        self.state = "running"
        self.run = None  # TrainJob's single-run slot: a comparison has several, see ``runs``
        self.error: Exception | None = None
        self.started = time.time()
        self.consumed = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._work, args=(prepared,), daemon=True, name="rnn-lab-compare")
        self._thread.start()

    def _progress(self, epoch: int, logs: dict, elapsed: float, eta: float) -> None:
        with self._lock:
            self.epoch, self.elapsed, self.eta = epoch, elapsed, eta
            for k, v in logs.items():
                self.history.setdefault(k, []).append(v)

    def _work(self, prepared) -> None:
        try:
            for i, (name, arch) in enumerate(self.plan):
                if self.stop_event.is_set():
                    break
                with self._lock:
                    self.index, self.current, self.epoch = i, name, 0
                    self.history = {"loss": [], "val_loss": []}
                run = execute(prepared, arch, self.cfg, progress=self._progress, stop=self.stop_event)
                with self._lock:
                    self.runs.append(run)
            self.state = "done"
        except Exception as err:  # noqa: BLE001 - reported in the page as a plain message; finished runs are kept
            self.error = err
            self.state = "error"

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "epoch": self.epoch,
                "epochs": self.cfg.epochs,
                "elapsed": self.elapsed,
                "eta": self.eta,
                "history": {k: list(v) for k, v in self.history.items()},
                "state": self.state,
                "model": self.current,
                "model_index": self.index,
                "models": len(self.plan),
                "done": len(self.runs),
                "skipped": list(self.skipped),
            }

    def stop(self) -> None:
        self.stop_event.set()

    @property
    def running(self) -> bool:
        return self.state == "running"

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)
