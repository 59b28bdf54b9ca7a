"""Architecture library: the config, its settings, the analytic formulas and the tutorials' exact cases."""

import random

import numpy as np
import pytest

from rnn_lab.arch.config import ArchConfig, training_variant
from rnn_lab.arch.params import (
    format_shape,
    gru_params,
    keras_output_string,
    layer_formulas,
    lstm_params,
    shape_flow,
    simple_rnn_params,
    total_params,
)
from rnn_lab.arch.settings import SETTINGS, config_from_values


def test_defaults_are_the_classic_tutorial():
    cfg = ArchConfig()
    assert (cfg.cell, cfg.units, cfg.timesteps, cfg.features, cfg.dense_units) == ("SimpleRNN", (10,), 5, 1, 1)
    assert config_from_values({}) == cfg


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"cell": "RNN"}, "SimpleRNN, LSTM, GRU"),
        ({"units": ()}, "1 to 4"),
        ({"units": (10,) * 5}, "1 to 4"),
        ({"units": (0,)}, "1 to 1024"),
        ({"units": (2000,)}, "1 to 1024"),
        ({"merge_mode": "max"}, "concat, sum, mul, ave"),
        ({"dropout": 1.0}, "0 <= dropout < 1"),
        ({"recurrent_dropout": -0.1}, "0 <= recurrent_dropout < 1"),
        ({"timesteps": 0}, "1 to 1000"),
        ({"features": 65}, "1 to 64"),
        ({"batch_size": 0}, "batch_size"),
        ({"dense_units": 0}, "dense_units"),
    ],
)
def test_invalid_config_names_what_is_allowed(kwargs, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        ArchConfig(**kwargs)


def test_config_from_values_reads_every_key():
    values = {
        "arch_cell": "GRU",
        "arch_layers": 3,
        "arch_units_1": 4,
        "arch_units_2": 5,
        "arch_units_3": 6,
        "arch_units_4": 99,
        "arch_bidirectional": True,
        "arch_merge_mode": "sum",
        "arch_return_sequences": True,
        "arch_return_state": True,
        "arch_dropout": 0.25,
        "arch_recurrent_dropout": 0.5,
        "arch_timesteps": 7,
        "arch_features": 3,
        "arch_fixed_batch": True,
        "arch_batch_size": 16,
        "arch_dense": False,
        "arch_dense_units": 3,
        "arch_family": "rnn",
        "arch_filters": 8,
        "arch_kernel_size": 5,
        "arch_pool": 3,
        "arch_dense_hidden": 12,
        "arch_embedding": False,
        "arch_embedding_vocab": 300,
        "arch_embedding_dim": 6,
        "arch_mask_zero": True,
    }
    assert {s.key for s in SETTINGS} == set(values)
    cfg = config_from_values(values)
    assert cfg == ArchConfig(
        cell="GRU",
        units=(4, 5, 6),
        bidirectional=True,
        merge_mode="sum",
        return_sequences=True,
        return_state=True,
        dropout=0.25,
        recurrent_dropout=0.5,
        timesteps=7,
        features=3,
        batch_size=16,
        dense_units=None,
        filters=8,
        kernel_size=5,
        pool_size=3,
        dense_hidden=12,
        embedding_dim=6,
        mask_zero=True,  # kept for when an Embedding is turned on
    )
    with pytest.raises(ValueError, match="arch_units_2"):
        config_from_values({**values, "arch_units_2": 0})


def test_training_variant_keeps_the_stack_and_fits_the_data():
    cfg = ArchConfig(
        cell="LSTM",
        units=(8, 4),
        bidirectional=True,
        return_sequences=True,
        return_state=True,
        batch_size=8,
        dense_units=None,
        dropout=0.1,
    )
    out = training_variant(cfg, timesteps=30, features=3, horizon_outputs=5)
    assert (out.cell, out.units, out.bidirectional, out.dropout) == ("LSTM", (8, 4), True, 0.1)
    assert (out.return_sequences, out.return_state, out.batch_size) == (False, False, None)
    assert (out.timesteps, out.features, out.dense_units) == (30, 3, 5)


def test_formulas_by_hand():
    # SimpleRNN(10) on (5, 1): 10*10 + 10*1 + 10 = 120 (the classic tutorial)
    assert simple_rnn_params(10, 1) == 120
    assert lstm_params(10, 1) == 4 * 120
    assert gru_params(10, 1) == 3 * (100 + 10 + 20)  # reset_after=True: two biases per block
    (f,) = layer_formulas(ArchConfig(dense_units=None))
    assert f.substituted == r"D_h\cdot D_h + D_h\cdot d + D_h = 10\cdot10 + 10\cdot1 + 10 = 120"
    assert f.plain == "10*10 + 10*1 + 10 = 120"


def test_stacked_bidirectional_input_width():
    cfg = ArchConfig(units=(4, 6), bidirectional=True, merge_mode="concat", dense_units=2)
    first, second, dense = layer_formulas(cfg)
    assert (first.input_dim, second.input_dim, dense.input_dim) == (1, 8, 12)
    assert second.params == 2 * simple_rnn_params(6, 8)
    assert dense.params == 12 * 2 + 2
    summed = layer_formulas(ArchConfig(units=(4, 6), bidirectional=True, merge_mode="sum", dense_units=2))
    assert (summed[1].input_dim, summed[2].input_dim) == (4, 6)


def test_shape_flow_states():
    cfg = ArchConfig(cell="LSTM", units=(3,), bidirectional=True, return_state=True, batch_size=8, dense_units=None)
    step = shape_flow(cfg)[-1]
    assert [label for label, _ in step.states] == ["forward_h", "forward_c", "backward_h", "backward_c"]
    assert keras_output_string(step) == "[(8, 6), (8, 3), (8, 3), (8, 3), (8, 3)]"
    assert format_shape((None, 5, 1)) == "(None, 5, 1)"


# The tutorials' cases, checked against the real Keras model.
TUTORIAL = [
    (ArchConfig(units=(3,), timesteps=2, features=10, dense_units=None), 42, "(None, 3)"),
    (ArchConfig(units=(3,), timesteps=2, features=10, dense_units=None, batch_size=8), 42, "(8, 3)"),
    (
        ArchConfig(units=(3,), timesteps=2, features=10, dense_units=None, batch_size=8, return_sequences=True),
        42,
        "(8, 2, 3)",
    ),
    (ArchConfig(units=(10,), timesteps=5, features=1, dense_units=None), 120, "(None, 10)"),
    (ArchConfig(units=(10,), timesteps=5, features=1, dense_units=None, return_sequences=True), 120, "(None, 5, 10)"),
]


@pytest.mark.parametrize(("cfg", "params", "shape"), TUTORIAL)
def test_tutorial_cases_exact(keras, cfg, params, shape):
    from rnn_lab.arch.keras_model import build_model, summary_rows

    rows = summary_rows(build_model(cfg))
    assert rows["total_params"] == params == total_params(cfg)
    assert rows["layers"][0]["output_shape"] == shape == keras_output_string(shape_flow(cfg)[-1])


def test_seeded_weights_are_reproducible_without_global_rng(keras):
    from rnn_lab.arch.keras_model import build_model

    cfg = ArchConfig(cell="GRU", units=(4, 3), bidirectional=True, dropout=0.2)
    np_state, py_state = np.random.get_state()[1].copy(), random.getstate()
    a, b, c = build_model(cfg, seed=1), build_model(cfg, seed=1), build_model(cfg, seed=2)
    assert all(np.array_equal(x, y) for x, y in zip(a.get_weights(), b.get_weights(), strict=True))
    assert not all(np.array_equal(x, y) for x, y in zip(a.get_weights(), c.get_weights(), strict=True))
    bi = a.get_layer("bidirectional_1")
    assert not np.allclose(bi.forward_layer.get_weights()[0], bi.backward_layer.get_weights()[0])
    assert np.array_equal(np.random.get_state()[1], np_state) and random.getstate() == py_state
    names = [layer.name for layer in a.layers]
    assert names == ["bidirectional_1", "bidirectional_2", "dense"]


def test_conv1d_and_dense_on_a_digit_by_hand():
    """Conv1D(16, 3) on 28 rows of 28 pixels: 3*28*16 + 16 = 1,360; 26 steps, pooled by 2 to 13, 13*16 = 208 flat."""
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.arch.params import layer_formulas, shape_flow, total_params

    cfg = ArchConfig(family="conv1d", timesteps=28, features=28, filters=16, kernel_size=3, dense_units=10)
    assert [(f.name, f.params) for f in layer_formulas(cfg)] == [
        ("conv1d", 1360),
        ("max_pooling1d", 0),
        ("flatten", 0),
        ("dense", 208 * 10 + 10),
    ]
    assert [s.output for s in shape_flow(cfg)][1:] == [(None, 26, 16), (None, 13, 16), (None, 208), (None, 10)]
    dense = ArchConfig(family="dense", timesteps=28, features=28, dense_hidden=32, dense_units=10)
    assert total_params(dense) == 784 * 32 + 32 + 32 * 10 + 10


def test_kernel_longer_than_the_window_is_refused_in_plain_words():
    import pytest

    from rnn_lab.arch.config import ArchConfig

    with pytest.raises(ValueError, match="must not exceed timesteps"):
        ArchConfig(family="conv1d", timesteps=5, kernel_size=7)
    with pytest.raises(ValueError, match="family must be one of"):
        ArchConfig(family="transformer")


def test_training_variant_follows_the_dataset_task():
    from rnn_lab.arch.config import ArchConfig, training_variant
    from rnn_lab.data.digits import prepare_class_toy

    data = prepare_class_toy(n=40, length=9)
    cfg = training_variant(ArchConfig(cell="LSTM", return_state=True, batch_size=8), data)
    assert (cfg.dense_units, cfg.head_activation, cfg.timesteps, cfg.features) == (2, "softmax", 9, 1)
    assert not cfg.return_state and cfg.batch_size is None and cfg.cell == "LSTM"
    assert training_variant(ArchConfig(), 7, 2, 1) == ArchConfig(timesteps=7, features=2)  # the forecast form


def test_arch_settings_build_the_family_and_the_task_head():
    from rnn_lab.arch.settings import config_from_values

    values = {"task": "classify", "arch_family": "conv1d", "arch_timesteps": 28, "arch_features": 28}
    cfg = config_from_values({**values, "arch_dense_units": 10})
    assert (cfg.family, cfg.head_activation, cfg.dense_hidden) == ("conv1d", "softmax", None)
    with pytest.raises(ValueError, match="one unit per class"):  # Dense(1, softmax) would always say 1.0
        config_from_values(values)
    assert config_from_values({}).head_activation == "linear"


def test_embedding_settings_give_an_embedding_and_a_text_dataset_sets_vocabulary_and_head():
    from rnn_lab.arch.config import training_variant
    from rnn_lab.arch.params import embedding_params
    from rnn_lab.arch.settings import config_from_values
    from rnn_lab.data.text import prepare_text

    cfg = config_from_values(
        {"arch_embedding": True, "arch_embedding_vocab": 120, "arch_embedding_dim": 4, "arch_features": 7}
    )
    assert (cfg.embedding_vocab, cfg.embedding_dim, cfg.features) == (120, 4, 1)
    assert embedding_params(120, 4) == 480 == layer_formulas(cfg)[0].params
    assert config_from_values({}).embedding_vocab is None
    lm = prepare_text("tiny-en", "char", maxlen=20)
    trained = training_variant(ArchConfig(cell="GRU", units=(8,), embedding_dim=5, mask_zero=True), lm)
    assert trained.embedding_vocab == lm.vocab_size == trained.dense_units
    assert trained.return_sequences and trained.head_activation == "softmax" and trained.mask_zero
    assert shape_flow(trained)[-1].output == (None, 20, lm.vocab_size)
    with pytest.raises(ValueError, match="needs recurrent layers"):
        training_variant(ArchConfig(family="dense"), lm)
    with pytest.raises(ValueError, match="features must be 1"):
        ArchConfig(embedding_vocab=10, features=3)
