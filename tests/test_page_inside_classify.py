"""The Inside page with task=classify: a digit read row by row, the hidden state, the decision forming over t."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

PAGE = "app_pages/inside.py"
DIGITS = {
    "task": "classify",
    "data_source_kind": "digits",
    "data_digits_limit": 100,
    "data_val_frac": 0.1,
    "arch_timesteps": 28,
    "arch_features": 28,
    "arch_dense_units": 10,
    "arch_units_1": 8,
}


def _values(values) -> np.ndarray:
    """Plotly 6 sends arrays as {"dtype", "bdata"} (base64); plain lists otherwise."""
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values)


def _charts(at) -> dict[str, dict]:
    return {el.proto.id: json.loads(el.proto.spec) for el in at.get("plotly_chart")}


def _titles(at) -> list[str]:
    return [c["layout"].get("title", {}).get("text", "") for c in _charts(at).values()]


def _chart(at, key: str) -> dict:
    (chart,) = [json.loads(el.proto.spec) for el in at.get("plotly_chart") if key in el.proto.id]
    return chart


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_digit_step_through_with_decision(keras, app_test, lang):
    at = app_test(page=PAGE, lang=lang, inside_split="test", inside_window=3, **DIGITS)
    assert not at.exception, at.exception
    assert not at.error
    assert not any("forecasting" in i.value for i in at.info)
    label = at.number_input(key="inside_window").label
    assert label.startswith("Sample number" if lang == "en" else "샘플 번호")
    from rnn_lab import i18n

    # a digit is a sample read as a sequence, not a window: the headings say so
    assert i18n.t("inside.time_title_sample", lang) in [h.value for h in at.subheader]
    assert i18n.t("inside.time_title", lang) not in [h.value for h in at.subheader]
    decision = _chart(at, "inside_fig_decision")
    assert (
        len(decision["data"]) == 10 and len(_values(decision["data"][0]["y"])) == 28
    )  # one line per class, t = 1 .. 28
    probs = np.array([_values(trace["y"]) for trace in decision["data"]]).T  # (T, K)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-9)
    # t = T is the Keras model's own answer
    from rnn_lab.inside.numpy_rnn import keras_output

    key = next(k for k in at.session_state["inside_traces"])
    entry = at.session_state["inside_traces"][key]
    model = at.session_state["inside_models"][key[0]]
    x = at.session_state["prepared"].X("test")[3]
    np.testing.assert_allclose(probs[-1], keras_output(model, x)[0], atol=1e-5)
    assert entry["decision"]["delta"] < 1e-5
    row = _chart(at, "inside_fig_row")  # the image, row t = 1 boxed
    assert row["layout"]["shapes"][0]["y0"] == 0.5  # rows labelled by their step t = 1 .. 28
    titles = " ".join(_titles(at))
    assert ("t = 1" in titles) and (("If the sequence stopped" in titles) == (lang == "en"))
    if lang == "ko":
        assert "클래스별 확률" in titles
    assert any(("Predicted class" if lang == "en" else "예측 클래스") in m.label for m in at.metric)
    # the step moves (a link, a lesson, or the browser slider): the row box and the bars follow
    at.session_state["inside_step"] = 28
    at.run()
    assert not at.exception, at.exception
    row = _chart(at, "inside_fig_row")
    assert row["layout"]["shapes"][0]["y0"] == 27.5  # the last row, read at t = 28
    bars = _chart(at, "inside_fig_probs")
    np.testing.assert_allclose(_values(bars["data"][0]["y"]), probs[-1], atol=1e-12)
    assert any("|Δ|" in c.value for c in at.caption)


def test_classification_toy_shows_the_sequence_with_t_marked(keras, app_test):
    """The first-vs-last toy has no picture: the sequence itself with the value read at t marked."""
    at = app_test(
        page=PAGE, task="classify", data_source_kind="toy", arch_dense_units=2, arch_cell="LSTM", arch_units_1=4
    )
    assert not at.exception, at.exception
    p = at.session_state["prepared"]
    assert p.source == "toy:first_vs_last"
    decision = _chart(at, "inside_fig_decision")
    assert len(decision["data"]) == 2 and len(_values(decision["data"][0]["y"])) == p.window
    row = _chart(at, "inside_fig_row")
    assert row["data"][0]["type"] == "scatter"


def test_non_recurrent_family_is_said_plainly(keras, app_test):
    at = app_test(page=PAGE, arch_family="conv1d", **DIGITS)
    assert not at.exception, at.exception
    assert any("Conv1D" in i.value and "no recurrent cell" in i.value for i in at.info)


def test_bidirectional_is_stepped_but_has_no_decision(keras, app_test):
    at = app_test(page=PAGE, lang="ko", arch_bidirectional=True, **DIGITS)
    assert not at.exception, at.exception
    assert any("양방향" in i.value for i in at.info)
    assert not [el for el in at.get("plotly_chart") if "inside_fig_decision" in el.proto.id]


def test_a_trained_classify_run_is_opened_and_forecast_runs_are_not(keras, app_test):
    """The last classify run from the Train page is opened (its own digits); a forecasting run is not offered here."""
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.data.digits import prepare_digits
    from rnn_lab.data.prepare import prepare
    from rnn_lab.data.toys import make_toy
    from rnn_lab.inside.decision import decision_through_time
    from rnn_lab.inside.numpy_rnn import keras_output
    from rnn_lab.train.engine import TrainConfig
    from rnn_lab.train.runs import execute

    digits = prepare_digits(limit=100, val_frac=0.1)
    cfg = TrainConfig(epochs=2, learning_rate=0.01, seed=3, loss="sparse_categorical_crossentropy")
    arch = ArchConfig(cell="GRU", units=(6,), timesteps=28, features=28, dense_units=10, head_activation="softmax")
    digit_run = execute(digits, arch, cfg, name="digits-gru", jit=False)
    sine = prepare(make_toy("sine", length=60), "value", window=5, val_frac=0.2, test_frac=0.1)
    forecast_arch = ArchConfig(cell="SimpleRNN", units=(3,), timesteps=5, features=1)
    sine_run = execute(sine, forecast_arch, TrainConfig(epochs=1, seed=0), name="sine", jit=False)
    at = app_test(
        page=PAGE,
        runs=[digit_run, sine_run],
        inside_split="test",
        inside_window=5,
        inside_section="before_after",
        **DIGITS,
    )
    assert not at.exception, at.exception
    assert not at.error
    assert at.session_state["inside_source"] == "run" and at.session_state["inside_run"] == "digits-gru"
    assert at.selectbox(key="inside_run").options == ["digits-gru"]
    x = digits.X("test")[5]
    probs = decision_through_time(digit_run.model, x)
    np.testing.assert_allclose(probs[-1], keras_output(digit_run.model, x)[0], atol=1e-5)
    predicted = digits.class_names[int(np.argmax(probs[-1]))]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Prediction with the trained weights"].startswith(f"{predicted} (")
    assert "Prediction with the initial weights" in metrics
