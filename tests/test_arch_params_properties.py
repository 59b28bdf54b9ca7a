"""Property tests: for random configurations the analytic counts and shapes equal the real Keras model's."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnn_lab.arch.config import CELLS, MERGE_MODES, ArchConfig
from rnn_lab.arch.params import (
    keras_output_string,
    layer_formulas,
    shape_flow,
    total_params,
)

configs = st.builds(
    ArchConfig,
    cell=st.sampled_from(CELLS),
    units=st.lists(st.integers(1, 12), min_size=1, max_size=3).map(tuple),
    bidirectional=st.booleans(),
    merge_mode=st.sampled_from(MERGE_MODES),
    return_sequences=st.booleans(),
    return_state=st.booleans(),
    dropout=st.sampled_from([0.0, 0.3]),
    recurrent_dropout=st.sampled_from([0.0, 0.2]),
    timesteps=st.integers(1, 9),
    features=st.integers(1, 5),
    batch_size=st.none() | st.integers(1, 8),
    dense_units=st.none() | st.integers(1, 4),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cfg=configs)
def test_formulas_and_shapes_equal_keras(keras, cfg):
    from rnn_lab.arch.keras_model import build_model, summary_rows

    model = build_model(cfg)
    rows = summary_rows(model)
    formulas = layer_formulas(cfg)
    flow = {s.name: s for s in shape_flow(cfg)}
    assert [r["name"] for r in rows["layers"]] == [f.name for f in formulas]
    for row, f in zip(rows["layers"], formulas, strict=True):
        assert row["params"] == f.params, (row, f)
        assert row["type"] == f.type
        assert row["output_shape"] == keras_output_string(flow[f.name]), row
    assert rows["total_params"] == total_params(cfg) == model.count_params()
    # The model's actual outputs have the shapes the flow promises.
    expected = [flow[formulas[-1].name].output]
    last_rnn = flow[formulas[-1 if cfg.dense_units is None else -2].name]
    expected += [shape for _, shape in last_rnn.states]
    outputs = model.outputs
    assert [tuple(o.shape) for o in outputs] == [tuple(e) for e in expected]


@st.composite
def feedforward_configs(draw):
    """conv1d / dense families with valid sizes (the kernel and the pool fit the window)."""
    family = draw(st.sampled_from(["conv1d", "dense"]))
    timesteps = draw(st.integers(1, 12))
    kernel = draw(st.integers(1, timesteps))
    pool = draw(st.integers(1, timesteps - kernel + 1))
    return ArchConfig(
        family=family,
        timesteps=timesteps,
        features=draw(st.integers(1, 6)),
        filters=draw(st.integers(1, 8)),
        kernel_size=kernel,
        pool_size=pool,
        dense_hidden=draw(st.none() | st.integers(1, 6)),
        dense_units=draw(st.none() | st.integers(1, 5)),
        head_activation=draw(st.sampled_from(["linear", "softmax"])),
        batch_size=draw(st.none() | st.integers(1, 8)),
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cfg=feedforward_configs())
def test_conv1d_and_dense_formulas_and_shapes_equal_keras(keras, cfg):
    """Conv1D k*d*f + f, pooling and Flatten 0, Dense D_in*n + n: equal to Keras layer by layer, and the code
    generator builds the same model."""
    from rnn_lab.arch.codegen import keras_code
    from rnn_lab.arch.keras_model import build_model, summary_rows

    model = build_model(cfg)
    rows = summary_rows(model)
    formulas = layer_formulas(cfg)
    flow = {s.name: s for s in shape_flow(cfg)}
    assert [r["name"] for r in rows["layers"]] == [f.name for f in formulas]
    for row, f in zip(rows["layers"], formulas, strict=True):
        assert (row["params"], row["type"]) == (f.params, f.type), (row, f)
        assert row["output_shape"] == keras_output_string(flow[f.name]), row
    assert rows["total_params"] == total_params(cfg) == model.count_params()
    namespace = {}
    exec(keras_code(cfg).replace("model.summary()", ""), namespace)  # the generated code, run as a user would
    generated = namespace["model"]
    assert [(w.name, tuple(w.shape)) for w in generated.weights] == [(w.name, tuple(w.shape)) for w in model.weights]
    if cfg.dense_units is not None:
        assert model.get_layer("dense").activation.__name__ == cfg.head_activation


any_configs = st.builds(
    ArchConfig,
    cell=st.sampled_from(CELLS),
    units=st.lists(st.integers(1, 1024), min_size=1, max_size=4).map(tuple),
    bidirectional=st.booleans(),
    merge_mode=st.sampled_from(MERGE_MODES),
    return_sequences=st.booleans(),
    return_state=st.booleans(),
    timesteps=st.integers(1, 1000),
    features=st.integers(1, 64),
    batch_size=st.none() | st.integers(1, 4096),
    dense_units=st.none() | st.integers(1, 1024),
)


@settings(max_examples=60, deadline=None)
@given(cfg=any_configs, lang=st.sampled_from(["en", "ko"]))
def test_every_allowed_configuration_gets_a_diagram_code_and_formulas(cfg, lang):
    """No TensorFlow here: whatever the controls allow, the page's other sections render."""
    from rnn_lab.arch.codegen import keras_code
    from rnn_lab.arch.diagram import shown_steps, unrolled_figure

    fig = unrolled_figure(cfg, lang)
    n_steps = len([s for s in shown_steps(cfg.timesteps) if s is not None])
    rows = cfg.n_layers * (2 if cfg.bidirectional else 1)
    assert len(fig.data[0].x) == rows * n_steps  # one labelled box per (row, shown step)
    assert f"shape=({cfg.timesteps}, {cfg.features})" in keras_code(cfg)
    assert total_params(cfg) == sum(f.params for f in layer_formulas(cfg)) > 0


@st.composite
def embedding_configs(draw):
    """Token-id models: an Embedding(V, d_e, mask_zero) in front of a recurrent stack or a conv1d/dense model."""
    family = draw(st.sampled_from(["rnn", "rnn", "conv1d", "dense"]))
    timesteps = draw(st.integers(2, 10))
    kernel = draw(st.integers(1, timesteps))
    return ArchConfig(
        family=family,
        cell=draw(st.sampled_from(CELLS)),
        units=tuple(draw(st.lists(st.integers(1, 8), min_size=1, max_size=2))),
        bidirectional=draw(st.booleans()),
        return_sequences=draw(st.booleans()),
        return_state=draw(st.booleans()) if family == "rnn" else False,
        timesteps=timesteps,
        kernel_size=kernel,
        pool_size=draw(st.integers(1, timesteps - kernel + 1)),
        filters=draw(st.integers(1, 6)),
        embedding_vocab=draw(st.integers(2, 3000)),
        embedding_dim=draw(st.integers(1, 12)),
        mask_zero=draw(st.booleans()) if family == "rnn" else False,
        dense_units=draw(st.none() | st.integers(2, 1500)),
        head_activation="softmax",
        batch_size=draw(st.none() | st.integers(1, 6)),
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cfg=embedding_configs())
def test_embedding_formula_and_shapes_equal_keras(keras, cfg):
    """Embedding V*d_e, (batch, T) -> (batch, T, d_e) whatever mask_zero is; the layers above read d_e per step;
    the generated code builds the same weights; a model of ids runs on int32 ids."""
    import numpy as np

    from rnn_lab.arch.codegen import keras_code
    from rnn_lab.arch.keras_model import build_model, summary_rows

    model = build_model(cfg)
    rows = summary_rows(model)
    formulas = layer_formulas(cfg)
    flow = {s.name: s for s in shape_flow(cfg)}
    assert flow["input"].output == (cfg.batch_size, cfg.timesteps)
    assert formulas[0].name == "embedding" and formulas[0].params == cfg.embedding_vocab * cfg.embedding_dim
    assert [r["name"] for r in rows["layers"]] == [f.name for f in formulas]
    for row, f in zip(rows["layers"], formulas, strict=True):
        assert (row["params"], row["type"]) == (f.params, f.type), (row, f)
        assert row["output_shape"] == keras_output_string(flow[f.name]), row
    assert rows["total_params"] == total_params(cfg) == model.count_params()
    namespace = {}
    exec(keras_code(cfg).replace("model.summary()", ""), namespace)
    generated = namespace["model"]
    assert [(w.name, tuple(w.shape)) for w in generated.weights] == [(w.name, tuple(w.shape)) for w in model.weights]
    ids = np.zeros((cfg.batch_size or 3, cfg.timesteps), np.int32)
    ids[:, -1] = cfg.embedding_vocab - 1
    out = model(ids)
    first = out[0] if isinstance(out, (list, tuple)) else out
    assert tuple(first.shape)[1:] == flow[formulas[-1].name].output[1:]


@settings(max_examples=20, deadline=None)
@given(cfg=embedding_configs(), lang=st.sampled_from(["en", "ko"]))
def test_embedding_configurations_get_a_diagram_and_code(cfg, lang):
    from rnn_lab.arch.codegen import keras_code
    from rnn_lab.arch.diagram import unrolled_figure

    unrolled_figure(cfg, lang)
    code = keras_code(cfg)
    assert f"shape=({cfg.timesteps},)" in code and "layers.Embedding(" in code
