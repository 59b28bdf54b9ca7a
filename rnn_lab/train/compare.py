"""Compare view: SimpleRNN, LSTM, GRU, Conv1D and Dense trained on the same split with the same budget (a language
model: the three recurrent cells; on text each model reads through the same Embedding).

A :class:`CompareJob` is a :class:`~rnn_lab.train.runs.TrainJob` whose work trains the models one after another:
it waits in the same queue (one place for the whole comparison), is polled and stopped the same way, and its
finished runs land in the session's run list like any other.
"""

from __future__ import annotations

import threading

from rnn_lab.tasks import task_of_data
from rnn_lab.train.runs import COMPARE_MODELS, Run, TrainJob, compare_arch, execute, training_arch
from rnn_lab.train.settings import TrainConfig

RECURRENT_MODELS = ("SimpleRNN", "LSTM", "GRU")


def compare_names(prepared) -> tuple[str, ...]:
    """The models a comparison on ``prepared`` trains. A language model (next_token) predicts at every step, which
    only the recurrent stacks do here (Conv1D and Dense end in Flatten: one answer per sample); any other task
    compares all five. On token ids every model reads through the same Embedding (``training_arch``)."""
    if task_of_data(prepared).return_sequences:
        return RECURRENT_MODELS
    return COMPARE_MODELS


def compare_plan(prepared, base, names=COMPARE_MODELS) -> tuple[list[tuple[str, object]], list[tuple[str, ValueError]]]:
    """The architectures a comparison trains and the models left out with the reason (e.g. a kernel too long):
    the error itself, so the page can say it in the reader's language (``i18n.error_text``).

    ``base`` is the explored config: every row keeps its sizes (units, filters, kernel, hidden Dense) and changes
    only the cell or the family, then takes the data's window, features and head.
    """
    plan, skipped = [], []
    for name in names:
        try:
            plan.append((name, training_arch(compare_arch(name, base), prepared)))
        except ValueError as err:
            skipped.append((name, err))
    return plan, skipped


class CompareJob(TrainJob):
    """The comparison as one queued job; ``runs`` grows model by model (the job never touches Streamlit)."""

    def __init__(self, prepared, base, cfg: TrainConfig, names=None, live: bool = True, **queue):
        names = compare_names(prepared) if names is None else names
        self.plan, self.skipped = compare_plan(prepared, base, names)
        self.runs: list[Run] = []
        self.current = ""  # the model being trained
        self.index = 0  # its place in the plan, 0-based
        super().__init__(prepared, base, cfg, live=live, **queue)

    def _work(self, prepared, base, stop: threading.Event) -> None:
        try:
            for i, (name, arch) in enumerate(self.plan):
                if stop.is_set():
                    break
                with self._lock:
                    self.index, self.current, self.epoch = i, name, 0
                    self.history = {"loss": [], "val_loss": []}
                run = execute(prepared, arch, self.cfg, progress=self._progress, stop=stop)
                with self._lock:
                    self.runs.append(run)
            self._state = "done"
        except Exception as err:  # noqa: BLE001 - reported in the page as a plain message; finished runs are kept
            self.error = err
            self._state = "error"

    def snapshot(self) -> dict:
        snap = super().snapshot()
        with self._lock:
            snap.update(
                model=self.current,
                model_index=self.index,
                models=len(self.plan),
                done=len(self.runs),
                skipped=list(self.skipped),
            )
        return snap
