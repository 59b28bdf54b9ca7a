"""A run in training and after: its progress saved every few seconds with checkpoints of its weights
(:class:`ProgressSaver`), so a killed process leaves "interrupted after epoch k", and the way on from there
(:func:`resume`, :func:`checkpoint_start`): "train N more epochs" of a finished run, or the epochs left of an
interrupted one."""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from collections.abc import Mapping
from typing import Any

from rnn_lab.arch.config import ArchConfig
from rnn_lab.store.errors import StoreUnavailable
from rnn_lab.store.pack import checkpoint_bytes, checkpoint_from_bytes, weights_from_bytes
from rnn_lab.store.records import (
    RESTORABLE,
    _known,
    finish_record,
    load_run,
    prepare_from_values,
    settings_values,
    start_record,
    values_for,
)
from rnn_lab.train.engine import OPTIMIZER_STATES, TrainConfig, epoch_weights
from rnn_lab.train.runs import build, execute, layers_label


@dataclasses.dataclass
class ResumePoint:
    """Where an interrupted run goes on from: its model (``start``, the weights after epoch ``epoch`` with the
    optimizer's state registered for the engine), architecture, training config, history up to ``epoch`` and
    prepared data; ``epochs_left`` of its ``train.epochs`` remain."""

    arch: Any
    train: Any
    history: dict
    prepared: Any
    start: Any
    epoch: int
    epochs_left: int


def resumable(rec: Mapping[str, Any]) -> bool:
    """Whether a record (a summary is enough) is an unfinished run with saved weights: "resume from epoch k"."""
    return rec.get("state") in ("interrupted", "failed") and bool(rec.get("checkpoint_epoch"))


def checkpoint_start(rec: Mapping[str, Any]) -> ResumePoint:
    """The :class:`ResumePoint` of an interrupted (or failed) run's record read with its blobs (its checkpoint)."""

    arch = ArchConfig(**_known(ArchConfig, rec["arch"]))
    train_cfg = TrainConfig(**_known(TrainConfig, rec["train"]))
    k = int(rec["checkpoint_epoch"])
    history = {key: list(v[:k]) for key, v in (rec["history"] or {}).items()}
    prepared = prepare_from_values(settings_values(rec["settings"]), rec.get("data_bytes"))
    weights, optimizer = checkpoint_from_bytes(rec["checkpoint"])
    start = build(arch, train_cfg.seed)
    start.set_weights(weights)
    if optimizer:
        OPTIMIZER_STATES[start] = optimizer
    total = int(rec.get("epochs_total") or train_cfg.epochs)
    return ResumePoint(arch, train_cfg, history, prepared, start, k, max(0, total - k))


def resume(store, token: str, run_id: str, epochs: int, progress=None, name: str | None = None):
    """ "Train N more epochs": a new record (parent ``run_id``, kind "resume") trained from the saved run's weights
    and optimizer state for ``epochs`` more epochs; its history continues the parent's. An interrupted (or failed)
    run resumes from its last checkpoint: the weights after epoch ``checkpoint_epoch``, its history cut there.
    ``(run id, number, Run)``; None when the run is not found in this workspace or has no weights."""
    import dataclasses as dc

    rec = store.run_record(token, run_id, blobs_too=True)
    if rec is None:
        return None
    parent = load_run(store, token, run_id)
    if parent is not None and parent.model is not None:
        arch, train_cfg, history, prepared = parent.arch, parent.train, parent.history, parent.prepared
        start = parent.model
        if rec.get("optimizer_state"):
            OPTIMIZER_STATES[start] = weights_from_bytes(rec["optimizer_state"])
    elif rec.get("checkpoint") and rec["state"] not in RESTORABLE:
        point = checkpoint_start(rec)
        arch, train_cfg, history, prepared, start = point.arch, point.train, point.history, point.prepared, point.start
    else:
        return None
    cfg = dc.replace(train_cfg, epochs=int(epochs))
    values = values_for(settings_values(rec["settings"]), arch, train_cfg)
    label = name or f"{layers_label(arch)} {cfg.optimizer} lr={cfg.learning_rate:g} +{epochs}"
    new_id, number = start_record(
        store,
        token,
        values,
        arch,
        cfg,
        rec.get("data_bytes"),
        "#{number} " + label,
        int(epochs),
        parent=(run_id, "resume"),
    )
    saver = ProgressSaver(store, new_id, then=progress)
    try:
        run = execute(prepared, arch, cfg, name=f"#{number} {label}", progress=saver, start=start)
    except BaseException as err:
        store.fail_run(new_id, f"{type(err).__name__}: {err}", epochs_done=saver.epoch)
        raise
    run.id = number
    run.history = {k: list(history.get(k, [])) + list(v) for k, v in run.history.items()}  # the curve goes on
    finish_record(store, new_id, run)
    run.store_id = new_id
    return new_id, number, run


class ProgressSaver:
    """A training's ``progress`` callback that saves epochs done and the history at most every ``every`` seconds
    (``RNN_LAB_SAVE_EVERY``, default 2; and at the first epoch), so a crash leaves "interrupted after epoch k". The weights and optimizer state
    (:func:`rnn_lab.train.engine.epoch_weights`) go with them at the first epoch end it can get them once the
    training has run ``checkpoint_every`` seconds, and then at most every ``checkpoint_every`` seconds
    (``RNN_LAB_CHECKPOINT_EVERY``, default 5; 0: never), as the record's ``checkpoint`` after ``checkpoint_epoch``.
    ``background``: the writes are queued to the store writer (:mod:`rnn_lab.store.writer`), not done in the
    training's thread, and the first progress is saved once the training has run ``every`` seconds (a shorter
    training is written once, finished: the app's way). A failed save is remembered in :attr:`error` and training goes on; ``then`` is called with
    every epoch (e.g. the CLI's own progress)."""

    def __init__(
        self,
        store,
        run_id: str,
        every: float | None = None,
        then=None,
        checkpoint_every: float | None = None,
        background: bool = False,
    ):
        if every is None:
            every = float(os.environ.get("RNN_LAB_SAVE_EVERY", "2") or 2)
        if checkpoint_every is None:
            checkpoint_every = float(os.environ.get("RNN_LAB_CHECKPOINT_EVERY", "5") or 5)
        self.store, self.run_id, self.every, self.then = store, run_id, every, then
        self.checkpoint_every = checkpoint_every
        self.history: dict[str, list[float]] = {}
        self.epoch = 0
        self.saved_epoch = 0
        self.checkpoint_epoch = 0
        self.error: StoreUnavailable | None = None
        self.background = background  # written by the store writer, not the training's thread
        self._last = 0.0
        self._last_checkpoint = 0.0
        self._lock = threading.Lock()

    def __call__(self, epoch: int, logs: dict, elapsed: float, eta: float) -> None:
        with self._lock:
            self.epoch = epoch
            for k, v in logs.items():
                self.history.setdefault(k, []).append(float(v))
            if self.saved_epoch == 0:  # in the background the first save waits as long as the next ones
                due = elapsed >= self.every if self.background else True
            else:
                due = time.monotonic() - self._last >= self.every
            checkpoint = None
            if self.error is None and self._checkpoint_due(elapsed):
                checkpoint = epoch_weights()  # None: not at this epoch; the engine stops its next call at an epoch end
            if (due or checkpoint is not None) and self.error is None:
                self.flush(checkpoint)
        if self.then is not None:
            self.then(epoch, logs, elapsed, eta)

    def _checkpoint_due(self, elapsed: float) -> bool:
        """The first checkpoint once the training has run ``checkpoint_every`` seconds (a shorter training keeps
        none: a crash loses less than that, and asking for the weights costs the engine a call), then at most
        every ``checkpoint_every`` seconds."""
        if self.checkpoint_every <= 0:
            return False
        if self.checkpoint_epoch == 0:
            return elapsed >= self.checkpoint_every
        return time.monotonic() - self._last_checkpoint >= self.checkpoint_every

    def flush(self, checkpoint: tuple | None = None) -> None:
        """Save the epochs done and the history now (with ``checkpoint`` = ``(weights, optimizer variables)`` of
        :func:`rnn_lab.train.engine.epoch_weights`); in the background: queued to the store writer."""
        epoch, history = self.epoch, {k: list(v) for k, v in self.history.items()}
        self.saved_epoch = epoch
        self._last = time.monotonic()
        if checkpoint is not None:
            self.checkpoint_epoch = epoch
            self._last_checkpoint = self._last
        if self.background:
            from rnn_lab.store.writer import writer

            writer().submit(self._write, epoch, history, checkpoint, key=self.run_id, on_error=self._failed)
        else:
            try:
                self._write(epoch, history, checkpoint)
            except StoreUnavailable as err:
                self._failed(err)

    def _write(self, epoch: int, history: dict, checkpoint: tuple | None) -> None:
        packed = None if checkpoint is None else checkpoint_bytes(*checkpoint)
        self.store.update_progress(self.run_id, epoch, history, checkpoint=packed, checkpoint_epoch=epoch)

    def _failed(self, err: BaseException) -> None:
        if not isinstance(err, StoreUnavailable):
            err = StoreUnavailable("failed", where=self.store.where, reason=f"{type(err).__name__}: {err}")
        self.error = err
