"""Classification runs: scores by hand, the majority baseline, reproducibility, and runs of two tasks side by side."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_lab.train.class_metrics import class_verdict, confusion_matrix, precision_recall, score_classes


def test_confusion_precision_recall_by_hand():
    y = np.array([0, 0, 0, 1, 1, 2])
    p = np.array([0, 1, 0, 1, 1, 1])
    cm = confusion_matrix(y, p, 3)
    assert cm.tolist() == [[2, 1, 0], [0, 2, 0], [0, 1, 0]]
    precision, recall = precision_recall(cm)
    np.testing.assert_allclose(precision[:2], [1.0, 0.5])
    assert np.isnan(precision[2])  # class 2 never predicted
    np.testing.assert_allclose(recall, [2 / 3, 1.0, 0.0])


def test_score_classes_baseline_verdict_and_mistakes():
    y = np.array([0, 0, 0, 1, 1, 2])
    probs = np.array(
        [[0.9, 0.1, 0], [0.2, 0.7, 0.1], [0.6, 0.3, 0.1], [0.1, 0.8, 0.1], [0.3, 0.6, 0.1], [0.2, 0.5, 0.3]]
    )
    s = score_classes(y, probs, majority=0, split="test", index=np.arange(100, 106))
    assert s["model"]["accuracy"] == pytest.approx(4 / 6)
    assert s["baseline"] == {"accuracy": pytest.approx(3 / 6), "class": 0}
    assert s["verdict"] == "beats"
    assert s["model"]["precision"][2] is None
    expected_loss = -np.mean(np.log([0.9, 0.2, 0.6, 0.8, 0.6, 0.3]))
    assert s["model"]["loss"] == pytest.approx(expected_loss)
    assert s["mistakes"]["index"] == [101, 105] and s["mistakes"]["true"] == [0, 2]
    assert s["mistakes"]["predicted"] == [1, 1] and s["mistakes"]["probabilities"][0] == [0.2, 0.7, 0.1]
    assert class_verdict(0.5, 0.51) == "ties" and class_verdict(0.3, 0.5) == "loses"


def toy():
    from rnn_lab.data.digits import prepare_class_toy

    return prepare_class_toy(n=200, length=6, val_frac=0.2, test_frac=0.2, seed=2)


def test_classification_run_scores_against_the_majority_class(keras):
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.train.engine import TrainConfig
    from rnn_lab.train.runs import best_run, execute, runs_by_task

    cfg = TrainConfig(loss="sparse_categorical_crossentropy", epochs=3, batch_size=16, seed=1, learning_rate=0.01)
    a = execute(toy(), ArchConfig(cell="GRU", units=(4,)), cfg)
    b = execute(toy(), ArchConfig(cell="GRU", units=(4,)), cfg)
    assert a.task == "classify" and a.metric_name == "accuracy" and a.class_names == ("first <= last", "first > last")
    assert set(a.history) == {"loss", "val_loss", "accuracy", "val_accuracy"}
    assert a.history == b.history  # same seed, same history
    m = a.metrics
    assert m["split"] == "test" and m["baseline"]["accuracy"] == pytest.approx(0.5)
    assert np.sum(m["confusion"]) == 40 and len(m["model"]["recall"]) == 2
    assert a.arch.head_activation == "softmax" and a.arch.dense_units == 2
    test = a.predictions[a.predictions["split"] == "test"]
    assert m["model"]["accuracy"] == pytest.approx(np.mean(test["actual"] == test["predicted"]))
    np.testing.assert_allclose(test[["p_0", "p_1"]].sum(axis=1), 1.0, atol=1e-5)
    summary = a.summary()
    assert summary["task"] == "classify" and "accuracy" in summary and "rmse" not in summary
    # a forecasting run beside it: grouped apart, each ranked by its own metric
    from rnn_lab.data.prepare import prepare
    from rnn_lab.data.toys import make_toy

    f = execute(
        prepare(make_toy("counting"), "value", window=5, val_frac=0, test_frac=0, scaling="none"),
        ArchConfig(),
        TrainConfig(epochs=2),
    )
    assert f.task == "forecast" and f.metric_name == "rmse"
    groups = runs_by_task([a, f, b])
    assert [r.id for r in groups["classify"]] == [a.id, b.id] and [r.id for r in groups["forecast"]] == [f.id]
    assert best_run([a, f, b]).task == "classify" and best_run([a, b, f]) is f
    assert best_run([a, f], task="classify") is a


def test_conv1d_and_dense_families_train_on_digits(keras):
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.data.digits import prepare_digits
    from rnn_lab.train.engine import TrainConfig
    from rnn_lab.train.runs import execute

    d = prepare_digits(limit=200, val_frac=0.1)
    cfg = TrainConfig(loss="sparse_categorical_crossentropy", epochs=1, batch_size=32)
    for arch, label in (
        (ArchConfig(family="conv1d"), "Conv1D(16, 3)"),
        (ArchConfig(family="dense", dense_hidden=16), "Dense(16)"),
    ):
        run = execute(d, arch, cfg)
        assert label in run.name and run.arch.timesteps == 28 and run.arch.dense_units == 10
        assert len(run.metrics["confusion"]) == 10 and run.n["test"] == 2000


def test_misfit_loss_and_single_class_are_plain_messages(keras):
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.train.engine import TrainConfig
    from rnn_lab.train.runs import TrainError, check_before, execute, forecast

    data = toy()
    with pytest.raises(TrainError, match="does not fit the task classify"):
        execute(data, ArchConfig(), TrainConfig(loss="mse", epochs=1))
    data.y_train = np.zeros_like(data.y_train)
    with pytest.raises(TrainError, match="at least two classes"):
        check_before(data, ArchConfig(timesteps=6), TrainConfig(loss="sparse_categorical_crossentropy"))
    run = execute(toy(), ArchConfig(), TrainConfig(loss="sparse_categorical_crossentropy", epochs=1))
    assert forecast(run, 5) == (None, "not_forecast")
