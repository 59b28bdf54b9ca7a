"""The training engine against Keras' own fit, its reproducibility, Stop, divergence, and the metrics by hand."""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest
from helpers import counting

from rnn_lab.train import metrics as M
from rnn_lab.train.engine import (
    TrainConfig,
    batch_orders,
    effective_batch_size,
    epoch_schedule,
)

TOL = 1e-6  # same config + seed -> same history


def walk(n=300, window=10, seed=1):
    rng = np.random.default_rng(seed)
    s = np.cumsum(rng.normal(size=n + window)).astype("float32")
    s = (s - s.mean()) / s.std()
    X = np.stack([s[i : i + window] for i in range(n)])[..., None]  # (n, window, 1)
    return X, s[window : window + n]


def model(cell="SimpleRNN", units=(4,), timesteps=10, seed=0):
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.arch.keras_model import build_model

    return build_model(ArchConfig(cell=cell, units=units, timesteps=timesteps), seed=seed)


def train(m, X, y, Xv=None, yv=None, **kw):
    from rnn_lab.train import engine

    jit = kw.pop("jit", None)
    return engine.train(m, X, y, Xv, yv, TrainConfig(**kw), jit=jit)


def test_loss_decreases_on_counting(keras):
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.train.runs import execute

    run = execute(counting(), ArchConfig(), TrainConfig(epochs=50, learning_rate=0.01))
    loss = run.history["loss"]
    assert len(loss) == 50 and run.batch_size == 10 and run.full_batch
    assert loss[-1] < 0.2 * loss[0]
    assert np.mean(loss[-10:]) < np.mean(loss[:10])


@pytest.mark.parametrize(("cell", "jit"), [("GRU", False), ("SimpleRNN", True)])
def test_engine_matches_keras_fit_with_the_same_batches(keras, cell, jit):
    """Independent check: Keras' own fit on the engine's batch order gives the same losses."""
    import tensorflow as tf

    X, y = walk()
    Xv, yv = X[:40], y[:40]
    cfg = {"epochs": 3, "batch_size": 32, "seed": 3}
    ours = train(model(cell), X, y, Xv, yv, jit=jit, **cfg).history
    orders = batch_orders(len(X), 32, 3, seed=3)
    parts = [tf.data.Dataset.from_tensor_slices((X[np.concatenate(e)], y[np.concatenate(e)])).batch(32) for e in orders]
    ds = parts[0].concatenate(parts[1]).concatenate(parts[2])
    ref = model(cell)
    ref.compile(keras.optimizers.Adam(0.001), "mse")
    fit = ref.fit(
        ds,
        epochs=3,
        steps_per_epoch=len(orders[0]),
        validation_data=(Xv, yv),
        verbose=0,
        shuffle=False,
    ).history
    np.testing.assert_allclose(ours["loss"], fit["loss"], rtol=1e-5)
    np.testing.assert_allclose(ours["val_loss"], fit["val_loss"], rtol=1e-5)


def test_same_seed_same_history_and_other_seed_differs(keras):
    X, y = walk()
    a = train(model(seed=5), X, y, epochs=4, batch_size=16, seed=5).history["loss"]
    b = train(model(seed=5), X, y, epochs=4, batch_size=16, seed=5).history["loss"]
    c = train(model(seed=6), X, y, epochs=4, batch_size=16, seed=6).history["loss"]
    np.testing.assert_allclose(a, b, rtol=0, atol=TOL)
    assert np.max(np.abs(np.array(a) - np.array(c))) > 1e-4


def test_two_threads_at_once_match_their_solo_runs(keras):
    X, y = walk()
    solo = {s: train(model(seed=s), X, y, epochs=3, batch_size=16, seed=s, jit=True).history["loss"] for s in (1, 2)}
    out, barrier = {}, threading.Barrier(2)

    def work(s):
        m = model(seed=s)
        barrier.wait()
        out[s] = train(m, X, y, epochs=3, batch_size=16, seed=s, jit=True).history["loss"]

    threads = [threading.Thread(target=work, args=(s,)) for s in (1, 2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    for s in (1, 2):
        np.testing.assert_allclose(out[s], solo[s], rtol=0, atol=TOL)


def test_stop_keeps_the_partial_history_and_model(keras):
    from rnn_lab.train import engine

    X, y = walk(n=2000)
    m = model()
    before = [np.array(w) for w in m.get_weights()]
    stop, seen = threading.Event(), []

    def progress(epoch, logs, elapsed, eta):
        seen.append((epoch, logs["loss"]))
        assert elapsed >= 0 and eta >= 0
        if epoch == 2:
            stop.set()

    r = engine.train(m, X, y, cfg=TrainConfig(epochs=200, batch_size=8), progress=progress, stop=stop)
    assert r.stop_reason == "user"
    assert 2 <= r.epochs_run < 200
    assert r.history["loss"] == [loss for _, loss in seen]  # every completed epoch reported and kept
    assert any(np.abs(np.array(w) - b).max() > 0 for w, b in zip(m.get_weights(), before))  # trained weights kept


def test_divergence_stops_with_a_reason_and_finite_weights(keras):
    X, y = walk()
    m = model()
    r = train(
        m,
        X,
        y * 1e4,
        epochs=30,
        batch_size=300,
        optimizer="sgd",
        learning_rate=5.0,
        jit=False,
    )
    assert r.stop_reason == "diverged"
    assert r.epochs_run < 30
    assert all(math.isfinite(v) for v in r.history["loss"])
    assert all(np.all(np.isfinite(w)) for w in m.get_weights())


def test_early_stopping_restores_the_best_epoch(keras):
    X, y = walk()
    Xv, yv = (
        X[:30],
        -y[:30],
    )  # validation labels the model cannot fit: its loss soon rises
    r = train(
        model(),
        X,
        y,
        Xv,
        yv,
        epochs=60,
        batch_size=32,
        early_stopping=True,
        patience=2,
        learning_rate=0.01,
        jit=False,
    )
    assert r.stop_reason == "early_stopping"
    assert r.best_epoch == int(np.argmin(r.history["val_loss"])) + 1
    assert r.epochs_run == r.best_epoch + 2


def test_batch_schedule_covers_every_window_once_per_epoch():
    rng = np.random.default_rng(0)
    idx, w = epoch_schedule(rng, 10, 4)  # 3 batches: 4 + 4 + 2 (padded)
    assert idx.shape == (3, 4) and w.sum() == 10
    assert sorted(idx[w > 0].tolist()) == list(range(10))
    assert effective_batch_size(64, 10) == (10, True) and effective_batch_size(8, 10) == (8, False)
    with pytest.raises(ValueError, match="no training windows"):
        effective_batch_size(8, 0)
    with pytest.raises(ValueError, match="optimizer"):
        TrainConfig(optimizer="adagrad").validate()


def test_metrics_by_hand():
    actual = [2.0, 4.0, 0.0, 5.0]
    model = [1.0, 5.0, 1.0, 5.0]  # errors 1, -1, -1, 0
    naive = [0.0, 2.0, 4.0, 0.0]  # errors 2, 2, -4, 5
    out = M.compare(actual, model, naive)
    assert out["model"]["mse"] == pytest.approx(3 / 4)
    assert out["model"]["rmse"] == pytest.approx(math.sqrt(3 / 4))
    assert out["model"]["mae"] == pytest.approx(3 / 4)
    assert math.isnan(out["model"]["mape"]) and out["mape_note"] == "near_zero"  # a zero label: no MAPE
    assert out["naive"]["mse"] == pytest.approx((4 + 4 + 16 + 25) / 4)
    assert out["skill"] == pytest.approx(1 - math.sqrt(3 / 4) / math.sqrt(49 / 4))
    assert out["verdict"] == "beats"
    assert M.verdict(-0.5) == "loses" and M.verdict(0.0) == "ties" and M.verdict(float("nan")) == "undefined"
    assert math.isnan(M.mape([0.0, 0.0], [1.0, 2.0]))


def test_mape_only_where_it_means_something():
    """MAPE by hand on labels away from zero; none (NaN, with the reason) on a series that crosses zero or has a
    label near zero relative to its size, where single errors would blow up to thousands of percent."""
    out = M.compare([2.0, 4.0, 5.0], [1.0, 5.0, 5.0], [2.0, 2.0, 4.0])
    assert out["model"]["mape"] == pytest.approx(100 * (1 / 2 + 1 / 4 + 0) / 3) and out["mape_note"] is None
    assert out["naive"]["mape"] == pytest.approx(100 * (0 + 2 / 4 + 1 / 5) / 3)
    crossing = np.sin(np.linspace(0, 6, 50)) + 0.01  # a sine: labels change sign (none exactly zero)
    out = M.compare(crossing, crossing + 0.1, np.roll(crossing, 1))
    assert math.isnan(out["model"]["mape"]) and math.isnan(out["naive"]["mape"])
    assert out["mape_note"] == "crosses_zero" and math.isfinite(out["model"]["rmse"])
    assert M.mape_unfit([100.0, 50.0, 1.0]) == "near_zero"  # 1 % of the largest label
    assert M.mape_unfit([-100.0, -50.0, -10.0]) is None  # all negative, away from zero: MAPE is fine
    assert M.mape_unfit([45_000.0, 52_000.0, 61_000.0]) is None


def test_naive_baseline_on_a_hand_made_series():
    """Persistence on a hand-made series: the value `horizon` steps before each label."""
    import pandas as pd

    from rnn_lab.data.prepare import prepare

    series = pd.DataFrame({"v": [1.0, 2.0, 4.0, 7.0, 11.0, 16.0, 22.0, 29.0]})
    p = prepare(series, "v", window=2, horizon=2, val_frac=0.0, test_frac=0.5, scaling="minmax")
    # windows (labels at rows 3..7); test rows are 4..7 -> labels 11, 16, 22, 29; naive = 2 steps back
    assert list(p.actual("test")) == [11.0, 16.0, 22.0, 29.0]
    assert list(p.naive("test")) == [4.0, 7.0, 11.0, 16.0]
    out = M.compare(p.actual("test"), p.actual("test") - 1.0, p.naive("test"))
    assert out["naive"]["rmse"] == pytest.approx(math.sqrt((49 + 81 + 121 + 169) / 4))
    assert out["model"]["rmse"] == pytest.approx(1.0)
    assert M.metrics_split(p.split_sizes) == "test"
    assert M.metrics_split({"train": 10, "val": 0, "test": 0}) == "train"


def test_recursive_forecast_feeds_predictions_back():
    last = np.array([[1.0], [2.0], [3.0]])
    out = M.recursive_forecast(lambda x: x[:, -1, 0] + x[:, -1, 0] - x[:, -2, 0], last, 4)  # linear extrapolation
    assert list(out) == [4.0, 5.0, 6.0, 7.0]
    assert M.can_forecast(("a", "b"), "a", 1) == "multivariate" and M.can_forecast(("a",), "a", 3) == "horizon"


def digit_classifier(family="rnn", seed=0):
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.arch.keras_model import build_model

    cfg = ArchConfig(
        cell="LSTM", units=(8,), family=family, timesteps=28, features=28, dense_units=10, head_activation="softmax"
    )
    return build_model(cfg, seed=seed)


@pytest.mark.parametrize(("family", "jit"), [("rnn", False), ("conv1d", True)])
def test_classification_loss_and_accuracy_match_keras_fit(keras, family, jit):
    """Sparse categorical cross-entropy and accuracy per epoch equal fit's on the same batches (loss to 1e-5)."""
    import tensorflow as tf

    from rnn_lab.data.digits import prepare_digits

    d = prepare_digits(limit=300, val_frac=0.2)
    X, y, Xv, yv = d.X_train, d.y_train, d.X_val, d.y_val
    cfg = {"epochs": 3, "batch_size": 32, "seed": 5, "loss": "sparse_categorical_crossentropy"}
    result = train(digit_classifier(family), X, y, Xv, yv, jit=jit, **cfg)
    ours = result.history
    assert set(ours) == {"loss", "val_loss", "accuracy", "val_accuracy"}
    orders = batch_orders(len(X), 32, 3, seed=5)
    parts = [tf.data.Dataset.from_tensor_slices((X[np.concatenate(e)], y[np.concatenate(e)])).batch(32) for e in orders]
    ds = parts[0].concatenate(parts[1]).concatenate(parts[2])
    ref = digit_classifier(family)
    ref.compile(keras.optimizers.Adam(0.001), "sparse_categorical_crossentropy", metrics=["accuracy"])
    fit = ref.fit(ds, epochs=3, steps_per_epoch=len(orders[0]), validation_data=(Xv, yv), verbose=0, shuffle=False)
    fit = fit.history
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(ours[key], fit[key], rtol=1e-5)
    for key in ("accuracy", "val_accuracy"):
        np.testing.assert_allclose(ours[key], fit[key], atol=1e-5)
    from rnn_lab.train.engine import predict_outputs

    m = digit_classifier(family)
    train(m, X, y, Xv, yv, jit=jit, **cfg)
    probs = predict_outputs(m, d.X_test[:50])
    assert probs.shape == (50, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(probs, ref.predict(d.X_test[:50], verbose=0), atol=1e-5)  # same seed, same weights


def test_classification_labels_out_of_range_are_refused_in_plain_words(keras):
    X = np.zeros((6, 28, 28), np.float32)
    with pytest.raises(ValueError, match="from 0 to 9"):
        train(digit_classifier(), X, np.array([0, 1, 2, 3, 4, 12]), loss="sparse_categorical_crossentropy", epochs=1)
