"""Classification scores in NumPy (no scikit-learn): accuracy, the confusion matrix, per-class precision and
recall, the majority-class baseline and a plain-words verdict.

The majority baseline is the classification twin of the naive forecast: always answer the class that is most
frequent in the TRAINING split. A model is only useful if it beats it.
"""

from __future__ import annotations

import numpy as np

ACCURACY_TIE = 0.02  # within 2 accuracy points of the baseline: "about as good as"
MAX_MISTAKES = 200  # misclassified samples kept per run (enough for a page of pictures)


def confusion_matrix(y_true, y_pred, n_classes: int) -> np.ndarray:
    """int64 (K, K): entry [t, p] counts the samples of true class t predicted as p (rows true, columns predicted)."""
    y_true = np.asarray(y_true, np.int64)
    y_pred = np.asarray(y_pred, np.int64)
    return np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def precision_recall(cm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per class: precision = TP / predicted as that class (column sum), recall = TP / truly that class (row sum).

    NaN where the denominator is 0 (a class never predicted, or absent from the labels).
    """
    cm = np.asarray(cm, np.float64)
    tp = np.diag(cm)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(cm.sum(axis=0) > 0, tp / cm.sum(axis=0), np.nan)
        recall = np.where(cm.sum(axis=1) > 0, tp / cm.sum(axis=1), np.nan)
    return precision, recall


def accuracy(y_true, y_pred) -> float:
    y_true = np.asarray(y_true)
    if len(y_true) == 0:
        raise ValueError("no labels to score")
    return float(np.mean(y_true == np.asarray(y_pred)))


def class_verdict(model_accuracy: float, baseline_accuracy: float) -> str:
    """``beats`` | ``ties`` | ``loses`` (catalogue train.class_verdict.*): the model against the majority class."""
    if model_accuracy > baseline_accuracy + ACCURACY_TIE:
        return "beats"
    if model_accuracy < baseline_accuracy - ACCURACY_TIE:
        return "loses"
    return "ties"


def _nan_to_none(values) -> list:
    return [None if not np.isfinite(v) else float(v) for v in values]


def score_classes(y_true, probs, majority: int, split: str, index=None) -> dict:
    """Scores of class probabilities ``probs`` (n, K) against ``y_true`` (n,) on ``split``.

    Returns plain data (JSON-ready; undefined precision/recall are None)::

        {"split", "model": {"accuracy", "loss", "precision": [K], "recall": [K]},
         "baseline": {"accuracy", "class"}, "confusion": [[K x K]], "verdict",
         "mistakes": {"index": [...], "true": [...], "predicted": [...], "probabilities": [[K], ...]}}

    ``loss`` is the mean cross-entropy -log p(true class) (probabilities clipped to 1e-7, as Keras does);
    ``index`` names each sample (e.g. its MNIST image number) in ``mistakes``; the first MAX_MISTAKES are kept.
    """
    y_true = np.asarray(y_true, np.int64)
    probs = np.asarray(probs, np.float64)
    k = probs.shape[1]
    pred = probs.argmax(axis=1)
    cm = confusion_matrix(y_true, pred, k)
    precision, recall = precision_recall(cm)
    p_true = np.clip(probs[np.arange(len(y_true)), y_true], 1e-7, 1.0 - 1e-7)
    base_acc = accuracy(y_true, np.full_like(y_true, majority))
    model_acc = accuracy(y_true, pred)
    wrong = np.flatnonzero(pred != y_true)[:MAX_MISTAKES]
    index = np.arange(len(y_true)) if index is None else np.asarray(index)
    return {
        "split": split,
        "model": {
            "accuracy": model_acc,
            "loss": float(np.mean(-np.log(p_true))),
            "precision": _nan_to_none(precision),
            "recall": _nan_to_none(recall),
        },
        "baseline": {"accuracy": base_acc, "class": int(majority)},
        "confusion": cm.tolist(),
        "verdict": class_verdict(model_acc, base_acc),
        "mistakes": {
            "position": wrong.tolist(),  # row in the split's arrays (X(split)[position])
            "index": [int(i) for i in index[wrong]],
            "true": y_true[wrong].tolist(),
            "predicted": pred[wrong].tolist(),
            "probabilities": probs[wrong].round(6).tolist(),
        },
    }


def perplexity_verdict(model_perplexity: float, baseline_perplexity: float) -> str:
    """``beats`` | ``ties`` | ``loses`` (the catalogue's train.class_verdict.*): lower perplexity is better; within
    1% of the unigram baseline is a tie."""
    if not np.isfinite(model_perplexity):
        return "loses"
    if model_perplexity < baseline_perplexity * 0.99:
        return "beats"
    if model_perplexity > baseline_perplexity * 1.01:
        return "loses"
    return "ties"


def score_next_tokens(y_true, probs, unigram, split: str) -> dict:
    """Scores of a language model's per-step probabilities ``probs`` (n, T, V) against the next tokens ``y_true``
    (n, T) on ``split``, over the steps that hold a real next token (y != 0, i.e. not [PAD]).

    Returns plain data::

        {"split", "n_tokens", "model": {"accuracy", "loss", "perplexity"},
         "baseline": {"accuracy", "loss", "perplexity", "token"}, "verdict"}

    ``loss`` is the mean cross-entropy -log p(next token) (probabilities clipped to 1e-7, as Keras does);
    perplexity = exp(loss): "as unsure as a fair choice among that many tokens". The unigram baseline predicts
    ``unigram`` (the training split's token frequencies) at every step, whatever came before; its accuracy is
    that of always answering the most frequent token.
    """
    y_true = np.asarray(y_true, np.int64)
    probs = np.asarray(probs, np.float64)
    valid = y_true != 0
    y = y_true[valid]  # (N,) the real next tokens
    if len(y) == 0:
        raise ValueError("no next tokens to score")
    p = probs[valid]  # (N, V)
    p_true = np.clip(p[np.arange(len(y)), y], 1e-7, 1.0 - 1e-7)
    loss = float(np.mean(-np.log(p_true)))
    unigram = np.asarray(unigram, np.float64)
    base_loss = float(np.mean(-np.log(np.clip(unigram[y], 1e-7, 1.0 - 1e-7))))
    top = int(np.argmax(unigram))
    model_ppl, base_ppl = float(np.exp(loss)), float(np.exp(base_loss))
    return {
        "split": split,
        "n_tokens": int(len(y)),
        "model": {"accuracy": accuracy(y, p.argmax(axis=1)), "loss": loss, "perplexity": model_ppl},
        "baseline": {
            "accuracy": accuracy(y, np.full_like(y, top)),
            "loss": base_loss,
            "perplexity": base_ppl,
            "token": top,
        },
        "verdict": perplexity_verdict(model_ppl, base_ppl),
    }
