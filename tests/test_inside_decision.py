"""decision_through_time: the head on h_t of the last recurrent layer, NumPy only, equal to Keras at t = T."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_lab.inside.decision import decision_through_time
from rnn_lab.inside.numpy_rnn import keras_output

TOL = 1e-5


def _classifier(keras, cells, units, steps, features, classes, seed=0, hidden=None):
    layers = [keras.Input((steps, features))]
    for i, (cell, u) in enumerate(zip(cells, units, strict=True)):
        last = i == len(cells) - 1
        layers.append(getattr(keras.layers, cell)(u, return_sequences=not last, seed=seed + i))
    if hidden:
        layers += [keras.layers.Dropout(0.3), keras.layers.Dense(hidden, activation="relu", name="hidden")]
    layers.append(keras.layers.Dense(classes, activation="softmax", name="head"))
    model = keras.Sequential(layers)
    rng = np.random.default_rng(seed)
    for w in model.weights:  # random biases too, so their layout is checked
        w.assign(rng.normal(0, 0.5, w.shape).astype("float32"))
    return model


@pytest.mark.parametrize(
    ("cells", "units", "hidden"),
    [
        (("SimpleRNN",), (8,), None),
        (("LSTM",), (6,), None),
        (("GRU",), (5,), None),
        (("LSTM", "GRU"), (7, 4), None),  # stacked: the lower layer returns its sequence
        (("SimpleRNN", "SimpleRNN"), (6, 6), 5),  # and a Dense + Dropout between the last layer and the head
    ],
)
def test_last_step_equals_keras_and_rows_are_probabilities(keras, cells, units, hidden):
    steps, features, classes = 12, 7, 10
    model = _classifier(keras, cells, units, steps, features, classes, hidden=hidden)
    x = np.random.default_rng(1).random((steps, features)).astype("float32")
    probs = decision_through_time(model, x)
    assert probs.shape == (steps, classes)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-12)
    assert (probs >= 0).all()
    np.testing.assert_allclose(probs[-1], keras_output(model, x)[0], atol=TOL, rtol=0)


def test_every_step_is_the_model_on_the_cut_sequence(keras):
    """Exact for a many-to-one model: row t-1 is what Keras answers for x_1 .. x_t alone."""
    steps, features = 6, 3
    model = _classifier(keras, ("GRU", "LSTM"), (5, 4), None, features, 3)
    x = np.random.default_rng(2).random((steps, features)).astype("float32")
    probs = decision_through_time(model, x)
    for t in range(1, steps + 1):
        np.testing.assert_allclose(probs[t - 1], keras_output(model, x[:t])[0], atol=TOL, rtol=0)


def test_the_apps_classifier(keras):
    """The model the Train page builds for digits (training_variant of the explorer's settings)."""
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.arch.keras_model import build_model

    arch = ArchConfig(cell="LSTM", units=(8,), timesteps=28, features=28, dense_units=10, head_activation="softmax")
    model = build_model(arch, seed=3)
    x = np.random.default_rng(3).random((28, 28)).astype("float32")
    probs = decision_through_time(model, x[None])  # a batch of one is fine too
    np.testing.assert_allclose(probs[-1], keras_output(model, x)[0], atol=TOL, rtol=0)


def test_undefined_cases_are_plain_value_errors(keras):
    x = np.zeros((5, 2), dtype="float32")
    bi = keras.Sequential(
        [keras.Input((5, 2)), keras.layers.Bidirectional(keras.layers.GRU(3)), keras.layers.Dense(2, "softmax")]
    )
    with pytest.raises(ValueError, match="Bidirectional"):
        decision_through_time(bi, x)
    regression = keras.Sequential([keras.Input((5, 2)), keras.layers.SimpleRNN(3), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="softmax"):
        decision_through_time(regression, x)
    dense = keras.Sequential([keras.Input((5, 2)), keras.layers.Flatten(), keras.layers.Dense(2, "softmax")])
    with pytest.raises(ValueError, match="no recurrent layer"):
        decision_through_time(dense, x)
    with pytest.raises(ValueError, match="one sequence"):
        decision_through_time(regression, np.zeros((2, 5, 2)))
