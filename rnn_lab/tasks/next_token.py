"""Predict the next token: a language model over a text's token ids, a softmax over the vocabulary at every step;
accuracy and perplexity beside the unigram model."""

from __future__ import annotations

from dataclasses import dataclass

from rnn_lab.tasks.base import Task


@dataclass(frozen=True)
class NextToken(Task):
    label_kind = "token"
    rank_metric = "perplexity"
    lower_is_better = True
    shown_model_metrics = ("accuracy", "perplexity")
    shown_baseline_metrics = ("accuracy", "perplexity")

    def summary_scores(self, metrics: dict) -> dict:
        return {
            "accuracy": metrics["model"]["accuracy"],
            "perplexity": metrics["model"]["perplexity"],
            "baseline_perplexity": metrics["baseline"]["perplexity"],
        }

    def compare_scores(self, metrics: dict) -> dict:
        return {
            "perplexity": metrics["model"]["perplexity"],
            "accuracy": metrics["model"]["accuracy"],
            "baseline_perplexity": metrics["baseline"]["perplexity"],
        }


NEXT_TOKEN = NextToken(
    name="next_token",
    losses=("sparse_categorical_crossentropy",),
    head_activation="softmax",
    return_sequences=True,
    metrics=("accuracy", "perplexity"),
    baseline="unigram",
    source_kinds=("text",),
    default_source={"data_source_kind": "text", "data_text": "tiny-en"},
    label_dtype="int32",
)
