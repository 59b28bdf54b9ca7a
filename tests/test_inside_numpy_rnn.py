"""The NumPy cells against Keras (micrograd style: an independent implementation, an explicit tolerance)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnn_lab.inside import numpy_rnn as nr

TOL = 1e-5  # float64 NumPy vs float32 Keras
SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

CELLS = st.sampled_from(
    [("SimpleRNN", {}), ("LSTM", {}), ("GRU", {"reset_after": True}), ("GRU", {"reset_after": False})]
)


def _outputs(out) -> list[np.ndarray]:
    return [np.asarray(o, dtype=np.float64) for o in (out if isinstance(out, (list, tuple)) else [out])]


def _random_bias(layer, rng):
    """Initial biases are zeros (LSTM: ones for f); give them random values so the bias layout is tested too."""
    cells = [layer.forward_layer.cell, layer.backward_layer.cell] if hasattr(layer, "forward_layer") else [layer.cell]
    for cell in cells:
        if cell.bias is not None:
            cell.bias.assign(rng.normal(0, 0.5, cell.bias.shape).astype("float32"))


@SETTINGS
@given(
    cell=CELLS,
    units=st.integers(1, 6),
    features=st.integers(1, 4),
    steps=st.integers(1, 8),
    batch=st.integers(1, 3),
    return_sequences=st.booleans(),
    use_bias=st.booleans(),
    seed=st.integers(0, 10_000),
)
def test_layer_matches_keras(keras, cell, units, features, steps, batch, return_sequences, use_bias, seed):
    """Sequences or last output, plus every final state (return_state=True), within 1e-5."""
    name, kwargs = cell
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, steps, features)).astype("float32")
    layer = getattr(keras.layers, name)(
        units, return_sequences=return_sequences, return_state=True, use_bias=use_bias, seed=seed, **kwargs
    )
    layer.build((batch, steps, features))
    _random_bias(layer, rng)
    expected = _outputs(layer(x))
    run = nr.run_rnn_layer(layer, x)
    got = [run.output, *run.states]
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g.shape == e.shape
        np.testing.assert_allclose(g, e, atol=TOL, rtol=0)


@SETTINGS
@given(
    cell=CELLS,
    merge_mode=st.sampled_from(["concat", "sum", "ave", "mul", None]),
    return_sequences=st.booleans(),
    return_state=st.booleans(),
    units=st.integers(1, 5),
    steps=st.integers(1, 7),
    seed=st.integers(0, 10_000),
)
def test_bidirectional_matches_keras(keras, cell, merge_mode, return_sequences, return_state, units, steps, seed):
    """Every merge mode; forward states then backward states as Keras orders them."""
    name, kwargs = cell
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, steps, 3)).astype("float32")
    inner = getattr(keras.layers, name)(
        units, return_sequences=return_sequences, return_state=return_state, seed=seed, **kwargs
    )
    layer = keras.layers.Bidirectional(inner, merge_mode=merge_mode)
    layer.build((2, steps, 3))
    _random_bias(layer, rng)
    expected = _outputs(layer(x))
    run = nr.run_rnn_layer(layer, x)
    got = list(run.output) if merge_mode is None else [run.output]
    if return_state:
        got += run.states
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g.shape == e.shape
        np.testing.assert_allclose(g, e, atol=TOL, rtol=0)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cell=st.sampled_from(["SimpleRNN", "LSTM", "GRU"]),
    units=st.lists(st.integers(1, 6), min_size=1, max_size=3),
    bidirectional=st.booleans(),
    merge_mode=st.sampled_from(["concat", "sum", "mul", "ave"]),
    return_sequences=st.booleans(),
    return_state=st.booleans(),
    dense=st.sampled_from([None, 1, 3]),
    steps=st.integers(1, 6),
    features=st.integers(1, 3),
    seed=st.integers(0, 1000),
)
def test_stacked_models_match_keras(
    keras, cell, units, bidirectional, merge_mode, return_sequences, return_state, dense, steps, features, seed
):
    """Whole models from the Architecture page's builder (stacked, bidirectional, return_state, Dense head)."""
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.arch.keras_model import build_model

    cfg = ArchConfig(
        cell=cell,
        units=tuple(units),
        bidirectional=bidirectional,
        merge_mode=merge_mode,
        return_sequences=return_sequences,
        return_state=return_state,
        timesteps=steps,
        features=features,
        dense_units=dense,
        dropout=0.2,
    )
    model = build_model(cfg, seed=seed)
    x = np.random.default_rng(seed).normal(size=(2, steps, features)).astype("float32")
    run = nr.run_model(model, x)
    expected = _outputs(model(x))
    np.testing.assert_allclose(run.output, expected[0], atol=TOL, rtol=0)
    assert nr.max_abs_diff(model, x, run) < TOL
    assert len(run.recurrent_layers) == len(units)
    assert not run.keras_layers  # everything was rewritten in NumPy
    if return_state:  # the last recurrent layer's states are the model's extra outputs
        for g, e in zip(run.recurrent_layers[-1].states, expected[1:], strict=True):
            np.testing.assert_allclose(g, e, atol=TOL, rtol=0)


def test_every_intermediate_step_matches_keras_prefixes(keras):
    """h_t and c_t recorded at EVERY step equal Keras's final states on the window cut after step t."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(1, 6, 2)).astype("float32")
    layer = keras.layers.LSTM(4, return_state=True, seed=1)
    layer.build((1, 6, 2))
    _random_bias(layer, rng)
    trace = nr.run_rnn_layer(layer, x).directions[0]
    for t in range(1, 7):
        _, h, c = layer(x[:, :t])
        np.testing.assert_allclose(trace.values["h"][:, t - 1], np.asarray(h), atol=TOL, rtol=0)
        np.testing.assert_allclose(trace.values["c"][:, t - 1], np.asarray(c), atol=TOL, rtol=0)
    v = trace.values  # the recorded gates satisfy the cell's own equations
    c_prev = np.concatenate([np.zeros((1, 1, 4)), v["c"][:, :-1]], axis=1)
    np.testing.assert_allclose(v["c"], v["f"] * c_prev + v["i"] * v["g"], atol=1e-12)
    assert ((v["i"] > 0) & (v["i"] < 1)).all() and ((v["f"] > 0) & (v["f"] < 1)).all()


def test_backward_trace_is_in_original_time_order(keras):
    """The backward pass is stored so that step t of both directions belongs to x_t."""
    x = np.random.default_rng(0).normal(size=(1, 5, 2)).astype("float32")
    layer = keras.layers.Bidirectional(keras.layers.GRU(3, return_sequences=True, seed=2), merge_mode=None)
    _, y_rev = layer(x)
    bwd = nr.run_rnn_layer(layer, x).directions[1]
    assert bwd.direction == "backward"
    np.testing.assert_allclose(bwd.values["h"], np.asarray(y_rev), atol=TOL, rtol=0)
    # the backward pass reads x_T first: its value at the LAST step comes from x_T alone (h_0 = 0)
    alone = nr.gru_forward(x[:, -1:], **bwd.weights)["h"][:, 0]
    np.testing.assert_allclose(bwd.values["h"][:, -1], alone, atol=1e-12)


def test_activations_and_hard_sigmoid_match_keras(keras):
    z = np.linspace(-5, 5, 41)
    np.testing.assert_allclose(nr.hard_sigmoid(z), np.asarray(keras.activations.hard_sigmoid(z)), atol=1e-6)
    np.testing.assert_allclose(nr.sigmoid(z), 1 / (1 + np.exp(-z)), atol=1e-12)
    assert np.isfinite(nr.sigmoid(np.array([-1000.0, 1000.0]))).all()
    with pytest.raises(ValueError, match="tanh"):
        nr.activation_fn("swishy")


def test_relu_simple_rnn_and_unknown_layers(keras):
    """A non-default activation is read from the layer; a layer NumPy does not rewrite is run by Keras and named."""
    model = keras.Sequential(
        [
            keras.Input((4, 2)),
            keras.layers.SimpleRNN(3, activation="relu", return_sequences=True),
            keras.layers.LayerNormalization(),
            keras.layers.GRU(2),
            keras.layers.Dense(1),
        ]
    )
    x = np.random.default_rng(1).normal(size=(2, 4, 2)).astype("float32")
    run = nr.run_model(model, x)
    assert run.keras_layers == [model.layers[1].name]
    np.testing.assert_allclose(run.output, np.asarray(model(x)), atol=TOL, rtol=0)
