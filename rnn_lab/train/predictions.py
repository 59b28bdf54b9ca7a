"""A finished run's predictions and their scores: the predictions frame of every split (a number per window
beside the naive forecast, class probabilities, or the next token's cross-entropy per line), the test metrics
computed from it, and the samples the model gets most wrong. :func:`rnn_lab.train.runs.execute` picks the frame and
the scoring by the task's ``label_kind``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rnn_lab.tasks import get_task
from rnn_lab.train import engine  # engine.predict at call time: tests count its calls
from rnn_lab.train import metrics as M

SPLITS = ("train", "val", "test")
WORST_N = 10  # samples kept in Run.results["worst"] (the pages show the first rnn_lab.train.text_views.SHOWN_LINES)


def predictions_frame(model, prepared, predict=None) -> pd.DataFrame:
    """Predictions of every split in original units, with the actual values and the naive baseline.
    ``predict(X) -> (n,)``: the engine's eager :func:`~rnn_lab.train.engine.predict` of ``model`` by default,
    the compiled :class:`~rnn_lab.train.engine.Inference` inside a job."""
    if predict is None:

        def predict(X):
            return engine.predict(model, X)

    parts = []
    for split in SPLITS:
        if len(prepared.y(split)) == 0:
            continue
        pred = prepared.inverse_y(predict(prepared.X(split)))
        parts.append(
            pd.DataFrame(
                {
                    "split": split,
                    "index": prepared.index_labels(split),
                    "actual": prepared.actual(split),
                    "predicted": pred,
                    "naive": prepared.naive(split),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _outputs_of(model, outputs):
    """``outputs(X)``, or the engine's eager :func:`~rnn_lab.train.engine.predict_outputs` of ``model``."""
    if outputs is not None:
        return outputs
    return lambda X: engine.predict_outputs(model, X)


def class_predictions_frame(model, prepared, outputs=None) -> pd.DataFrame:
    """Every split's samples: split, position (row in X(split)), index (sample number in the source), actual and
    predicted class, and the probability of each class (columns ``p_<class>``). ``outputs``: as in
    :func:`token_predictions_frame`."""
    outputs = _outputs_of(model, outputs)
    parts = []
    for split in SPLITS:
        if len(prepared.y(split)) == 0:
            continue
        probs = outputs(prepared.X(split))  # (n, K)
        frame = pd.DataFrame(
            {
                "split": split,
                "position": np.arange(len(probs)),
                "index": prepared.idx(split),
                "actual": prepared.y(split),
                "predicted": probs.argmax(axis=1),
            }
        )
        probs_frame = pd.DataFrame(probs, columns=[f"p_{k}" for k in range(probs.shape[1])])
        parts.append(pd.concat([frame, probs_frame], axis=1))
    return pd.concat(parts, ignore_index=True)


def token_predictions_frame(model, prepared, outputs=None) -> tuple[pd.DataFrame, dict]:
    """A language model on every split: one row per sample (split, position, index = line number, text, tokens =
    real next tokens, accuracy and mean cross-entropy over them), and the probabilities of the metrics split
    scored against the unigram baseline (the scores dict). ``outputs(X)``: the model's full output (the engine's
    eager ``predict_outputs`` by default, the compiled :class:`~rnn_lab.train.engine.Inference` inside a job)."""
    from rnn_lab.train.class_metrics import score_next_tokens  # lazy: not on the home page's path

    outputs = _outputs_of(model, outputs)

    split = M.metrics_split(prepared.split_sizes)
    parts, scores = [], None
    for s in SPLITS:
        y = prepared.y(s)
        if len(y) == 0:
            continue
        probs = outputs(prepared.X(s))  # (n, T, V)
        valid = y != 0
        p_true = np.clip(np.take_along_axis(probs, y[..., None].astype(np.int64), axis=-1)[..., 0], 1e-7, 1.0)
        right = probs.argmax(axis=-1) == y
        n_tok = valid.sum(axis=1)
        parts.append(
            pd.DataFrame(
                {
                    "split": s,
                    "position": np.arange(len(y)),
                    "index": prepared.idx(s),
                    "text": prepared.texts(s),
                    "tokens": n_tok,
                    "accuracy": (right & valid).sum(axis=1) / np.maximum(n_tok, 1),
                    "loss": (-np.log(p_true) * valid).sum(axis=1) / np.maximum(n_tok, 1),
                }
            )
        )
        if s == split:
            scores = score_next_tokens(y, probs, prepared.unigram(), split)
    return pd.concat(parts, ignore_index=True), scores


def most_wrong(run, n: int = 10) -> pd.DataFrame:
    """The text samples of the metrics split the model gets most wrong (classify: the lowest probability of the true
    class, with the review's text; next_token: the highest cross-entropy per line). Read from ``run.results``
    when the job computed them (up to :data:`WORST_N`)."""
    worst = run.results.get("worst") if run.results else None
    if worst is not None and n <= WORST_N:
        return worst.head(n).reset_index(drop=True)
    return _most_wrong(run.task, run.metrics["split"], run.predictions, run.prepared, n)


def _most_wrong(task: str, split: str, predictions: pd.DataFrame, prepared, n: int) -> pd.DataFrame:
    part = predictions[predictions["split"] == split]
    if get_task(task).label_kind == "token":  # a language model: the lines with the highest cross-entropy
        return part.sort_values("loss", ascending=False).head(n).reset_index(drop=True)
    probs = part[[c for c in part.columns if c.startswith("p_")]].to_numpy()
    out = part[["position", "index", "actual", "predicted"]].copy()
    out["p_true"] = probs[np.arange(len(part)), part["actual"].to_numpy()]
    texts = getattr(prepared, "texts", None)
    if texts is not None:
        out["text"] = [texts(split)[i] for i in part["position"]]
    return out.sort_values("p_true").head(n).reset_index(drop=True)


def score_classify(pred: pd.DataFrame, prepared) -> dict:
    """Accuracy, precision/recall, confusion and mistakes on the test split (else validation, else training),
    beside the majority class of the training split."""
    from rnn_lab.train.class_metrics import score_classes  # lazy: not on the home page's path

    split = M.metrics_split(prepared.split_sizes)
    part = pred[pred["split"] == split]
    probs = part[[c for c in part.columns if c.startswith("p_")]].to_numpy()
    return score_classes(part["actual"].to_numpy(), probs, prepared.majority_class(), split, part["index"].to_numpy())


def mark_filled_labels(pred: pd.DataFrame, prepared) -> pd.DataFrame:
    """``pred`` with a bool column ``filled``: the window's label is a value cleaning filled in (a gap in the file),
    so scoring it would grade the model and the naive baseline on invented labels. :func:`score` leaves them out."""
    label_filled = getattr(prepared, "label_filled", None)
    flags = [label_filled(s) for s in SPLITS if len(prepared.y(s))] if label_filled else []
    out = pred.copy()
    out["filled"] = np.concatenate(flags) if flags else np.zeros(len(pred), dtype=bool)
    return out


def score(pred: pd.DataFrame, sizes: dict[str, int]) -> dict:
    """Model vs naive on the metrics split, over the windows with a real label: those with a filled label (column
    ``filled``, see :func:`mark_filled_labels`) are left out and counted (``left_out``), unless every label is."""
    split = M.metrics_split(sizes)
    part = pred[pred["split"] == split]
    filled = part["filled"].to_numpy(bool) if "filled" in part else np.zeros(len(part), dtype=bool)
    left_out = int(filled.sum()) if not filled.all() else 0
    real = part[~filled] if left_out else part
    out = M.compare(real["actual"], real["predicted"], real["naive"])
    diagnosis = M.diagnose(pred[~pred["filled"]] if "filled" in pred else pred, split, out["verdict"])
    if filled.any():  # said first, whatever the verdict: it changes what the numbers mean
        key = "filled_labels" if left_out else "filled_labels_all"
        found = (key, {"n": int(filled.sum()), "total": len(part), "split": split})
        diagnosis = [found] + [d for d in diagnosis if d[0] != "generic"]
    return {"split": split, **out, "left_out": left_out, "scored": len(real), "diagnosis": diagnosis}
