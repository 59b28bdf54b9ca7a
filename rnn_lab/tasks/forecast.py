"""Forecast a number: windows of a series in, the next value(s) out; RMSE beside the naive (last value) forecast."""

from __future__ import annotations

from dataclasses import dataclass

from rnn_lab.tasks.base import Task


@dataclass(frozen=True)
class Forecast(Task):
    label_kind = "number"
    rank_metric = "rmse"
    lower_is_better = True
    forecasts = True
    board_metric = "skill"
    baseline_key = "naive"
    extra_metric_keys = ("skill", "left_out", "mape_note")

    def summary_head(self, task: str, family: str) -> dict:
        return {}  # forecast summaries keep their original keys (no task, no family)

    def summary_scores(self, metrics: dict) -> dict:
        return {"rmse": metrics["model"]["rmse"], "naive_rmse": metrics["naive"]["rmse"], "skill": metrics["skill"]}

    def compare_scores(self, metrics: dict) -> dict:
        return {"rmse": metrics["model"]["rmse"], "naive_rmse": metrics["naive"]["rmse"]}


FORECAST = Forecast(
    name="forecast",
    losses=("mse", "mae", "huber"),
    head_activation="linear",
    return_sequences=False,
    metrics=("rmse", "mae", "mape"),
    baseline="naive",
    source_kinds=("toy", "bundled", "upload"),
    default_source={"data_source_kind": "toy", "data_toy": "counting"},
    label_dtype="float32",
)
