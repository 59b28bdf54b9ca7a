"""The generated Keras 3 code builds the same model, and the old-notation box shows Keras 3's real messages."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnn_lab.arch.codegen import broken_stack_error, keras_code, legacy_notations
from rnn_lab.arch.config import CELLS, MERGE_MODES, ArchConfig

configs = st.builds(
    ArchConfig,
    cell=st.sampled_from(CELLS),
    units=st.lists(st.integers(1, 8), min_size=1, max_size=3).map(tuple),
    bidirectional=st.booleans(),
    merge_mode=st.sampled_from(MERGE_MODES),
    return_sequences=st.booleans(),
    return_state=st.booleans(),
    dropout=st.sampled_from([0.0, 0.25]),
    recurrent_dropout=st.sampled_from([0.0, 0.1]),
    timesteps=st.integers(1, 6),
    features=st.integers(1, 4),
    batch_size=st.none() | st.integers(1, 8),
    dense_units=st.none() | st.integers(1, 3),
)


def _run(code: str):
    namespace: dict = {}
    exec(code.replace("model.summary()\n", ""), namespace)  # noqa: S102 - the code shown to users, run as they would
    return namespace["model"]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cfg=configs)
def test_generated_code_builds_the_same_summary(keras, cfg):
    from rnn_lab.arch.keras_model import build_model, summary_rows, summary_text

    code = keras_code(cfg)
    assert ("keras.Model(" in code) == cfg.return_state and ("keras.Sequential(" in code) != cfg.return_state
    ours, theirs = build_model(cfg), _run(code)
    assert summary_rows(theirs) == summary_rows(ours)
    assert summary_text(theirs) == summary_text(ours)


def test_classic_tutorial_code():
    code = keras_code(ArchConfig())
    assert 'keras.Input(shape=(5, 1), name="input")' in code
    assert 'layers.SimpleRNN(10, name="simple_rnn_1")' in code
    assert 'layers.Dense(1, name="dense")' in code
    fixed = keras_code(ArchConfig(units=(3,), timesteps=2, features=10, batch_size=8, dense_units=None))
    assert "keras.Input(shape=(2, 10), batch_size=8" in fixed


def test_old_notations_and_what_keras_3_says(keras):
    shape, length_dim, batch = legacy_notations()
    assert "input_shape=[5, 1]" in shape.old and "keras.Input(shape=(5, 1))" in shape.new
    assert not shape.raises and "input_shape" in shape.keras_says  # accepted with a UserWarning
    for item in (length_dim, batch):
        assert item.raises
        assert "Unrecognized keyword arguments" in item.keras_says
    assert "batch_size=8" in batch.new and "batch_input_shape" in batch.keras_says
    assert "expected ndim=3, found ndim=2" in broken_stack_error()


def test_classifier_code_names_the_softmax_head():
    from rnn_lab.arch.codegen import keras_code
    from rnn_lab.arch.config import ArchConfig

    code = keras_code(
        ArchConfig(cell="LSTM", units=(32,), timesteps=28, features=28, dense_units=10, head_activation="softmax")
    )
    assert 'layers.Dense(10, activation="softmax", name="dense")' in code
    conv = keras_code(ArchConfig(family="conv1d", timesteps=28, features=28, dense_units=10, head_activation="softmax"))
    assert 'layers.Conv1D(16, 3, padding="valid", activation="relu", name="conv1d")' in conv
    assert "layers.MaxPooling1D(2" in conv and "layers.Flatten(" in conv
