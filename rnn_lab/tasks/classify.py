"""Classify a sequence: one class per sequence (a digit read row by row, the toy, a review); accuracy beside the
majority class."""

from __future__ import annotations

from dataclasses import dataclass

from rnn_lab.tasks.base import Task


@dataclass(frozen=True)
class Classify(Task):
    label_kind = "class"
    rank_metric = "accuracy"
    lower_is_better = False
    shown_model_metrics = ("accuracy",)

    def summary_scores(self, metrics: dict) -> dict:
        return {"accuracy": metrics["model"]["accuracy"], "baseline_accuracy": metrics["baseline"]["accuracy"]}

    def compare_scores(self, metrics: dict) -> dict:
        return self.summary_scores(metrics)


CLASSIFY = Classify(
    name="classify",
    losses=("sparse_categorical_crossentropy",),
    head_activation="softmax",
    return_sequences=False,
    metrics=("accuracy", "precision", "recall"),
    baseline="majority",
    source_kinds=("digits", "toy", "text"),  # "toy": the classification toy (data_class_toy); "text": NSMC
    default_source={"data_source_kind": "digits"},
    label_dtype="int32",
)
