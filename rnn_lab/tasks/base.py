"""The task protocol: what every task (forecast a number, classify a sequence, predict the next token) answers.

A task is one object (a subclass of :class:`Task`, one module per task in this package). The library, the command
line and the pages ask it instead of comparing its name: the metric a run is ranked by and which way is better, the
scores a run's summary and Compare row show, which labels it learns (``label_kind``), whether its runs draw a
forecast, which test numbers an export keeps. A second, smaller axis is the data's, not the task's: numbers in or
token ids in (:func:`inputs_of`).

Rule for where code goes: this package holds what a task *is* and the plain data it decides (no Keras, no pandas,
no Streamlit); the stages (``rnn_lab.data``, ``rnn_lab.train``, ``rnn_lab.inside``) do the work and ask the task;
the pages (``ui/``) draw. Stage first, task second: a new figure goes into its stage's module (e.g.
``rnn_lab.train.text_views`` for the Train page's token views), and the stage picks it by the task's attributes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class Task:
    """One task. The fields are its data; the class attributes and methods its behaviour (subclasses set them)."""

    name: str
    losses: tuple[str, ...]  # losses that fit the head; the first is the default
    head_activation: str  # "linear" (regression) | "softmax" (class probabilities)
    return_sequences: bool  # the last recurrent layer must return every step (many-to-many)
    metrics: tuple[str, ...]  # test metrics, in the order pages and the CLI show them
    baseline: str  # the model every run is compared with
    source_kinds: tuple[str, ...]  # values of data_source_kind that can feed this task
    default_source: dict  # data_ settings applied when the task is chosen (like ui.data.apply_source_defaults)
    label_dtype: str  # "float32" (regression target) | "int32" (class index / token id)

    # What the model's labels are: "number" (a regression target), "class" (one class per sequence) or "token"
    # (a token id at every step). Exports, the result views and the CLI's report pick their pieces by it.
    label_kind: ClassVar[str] = ""
    # The one test number Compare ranks runs by, and whether lower is better.
    rank_metric: ClassVar[str] = ""
    lower_is_better: ClassVar[bool] = True
    # The score a class's leaderboard ranks by (rnn_lab.store.board): a forecast's skill over the naive forecast,
    # else the accuracy (beside the baseline's).
    board_metric: ClassVar[str] = "accuracy"
    # Whether a run draws a forecast past the data's end (only a number series continues in time).
    forecasts: ClassVar[bool] = False
    # The baseline's key in a run's metrics (the forecast's naive model keeps its original key "naive").
    baseline_key: ClassVar[str] = "baseline"
    # Test-metric keys an export or the Train page shows for the model and for the baseline (None: all of them).
    shown_model_metrics: ClassVar[tuple[str, ...] | None] = None
    shown_baseline_metrics: ClassVar[tuple[str, ...] | None] = None

    @property
    def default_loss(self) -> str:
        return self.losses[0]

    @property
    def is_classification(self) -> bool:
        """Softmax over classes (or tokens): cross-entropy loss, accuracy, int labels."""
        return self.head_activation == "softmax"

    @property
    def sequence_labels(self) -> bool:
        """Labelled sequences (digits, the toy, text) rather than windows cut from one number series; their
        splits are exact (an export keeps them in an .npz)."""
        return self.label_kind != "number"

    def rank_value(self, metrics: dict) -> float:
        """The number a run is ranked by, from its ``metrics``."""
        return float(metrics["model"][self.rank_metric])

    def best(self, runs: list):
        """The best of ``runs`` (all of this task) by :attr:`rank_metric`; None if none has a finite score."""
        scored = [r for r in runs if math.isfinite(self.rank_value(r.metrics))]
        if not scored:
            return None
        pick = min if self.lower_is_better else max
        return pick(scored, key=lambda r: self.rank_value(r.metrics))

    def summary_scores(self, metrics: dict) -> dict:
        """A run summary's test scores beside the baseline's (plain numbers)."""
        raise NotImplementedError

    def compare_scores(self, metrics: dict) -> dict:
        """A Compare row's test scores beside the baseline's."""
        raise NotImplementedError

    def summary_head(self, task: str, family: str) -> dict:
        """Keys a summary adds after id and name (the task and the model family)."""
        return {"task": task, "family": family}

    def shown_metrics(self, metrics: dict, plain) -> dict:
        """The numbers the Train page and an export show: split, model and baseline metrics (``plain`` turns a
        value into plain JSON data)."""
        keys = ("split", "model", self.baseline_key, *self.extra_metric_keys)
        out = {k: plain(metrics.get(k)) for k in keys}
        if self.shown_model_metrics is not None:
            out["model"] = {k: out["model"][k] for k in self.shown_model_metrics}
        if self.shown_baseline_metrics is not None:
            out[self.baseline_key] = {k: out[self.baseline_key][k] for k in self.shown_baseline_metrics}
        return out

    extra_metric_keys: ClassVar[tuple[str, ...]] = ()


def inputs_of(data) -> str:
    """The second axis, the data's: ``"tokens"`` (token ids into an Embedding) or ``"numbers"`` (values)."""
    return "tokens" if getattr(data, "input_kind", "values") == "tokens" else "numbers"
