"""AppTest of the Inside-the-cell page: both languages, the slider, trained runs, bad input, the experiment."""

from __future__ import annotations

import json

import pytest

PAGE = "app_pages/inside.py"


def _delta(at) -> float:
    metric = next(m for m in at.metric if "Δ" in m.label)
    return float(metric.value)


def _latex(at) -> str:
    return "\n".join(el.value for el in at.latex)


def _charts(at) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_page_renders_and_numpy_matches_keras(keras, app_test, lang):
    at = app_test(page=PAGE, lang=lang)
    assert not at.exception, at.exception
    assert not at.error
    assert _delta(at) < 1e-5  # computed live on the chosen window
    assert r"\tanh" in _latex(at)  # the SimpleRNN equation with its shapes
    assert r"\underbrace{W}_{1\times 10}" in _latex(at)  # counting toy: 1 feature, 10 units (the tutorial)
    assert at.slider(key="inside_step").max == 5  # window of 5 steps
    titles = " ".join(at.title[i].value for i in range(len(at.title)))
    assert ("셀 내부" in titles) == (lang == "ko") and "Inside the cell" in titles
    assert any(("Time step t" if lang == "en" else "시간 단계 t") == s.label for s in at.slider)
    assert any("def simple_rnn_forward" in c.value for c in at.code)  # the library source itself


def test_slider_steps_through_time(keras, app_test):
    """Counting toy window 0 is [0.0, 0.1, 0.2, 0.3, 0.4]: the equation shows x_t of the chosen step."""
    at = app_test(page=PAGE)
    assert r"x_t = \begin{bmatrix} 0.00 \end{bmatrix}" in _latex(at)
    at.slider(key="inside_step").set_value(4).run()
    assert not at.exception
    assert r"x_t = \begin{bmatrix} 0.30 \end{bmatrix}" in _latex(at)
    assert any("t = 4 of 5" in m.value for m in at.markdown)
    bars = _charts(at)[0]  # h_{t-1} and h_t per unit at the chosen step
    assert "t = 4" in bars["layout"]["title"]["text"]
    assert [trace["name"] for trace in bars["data"]] == ["h_{t-1} previous hidden state", "h_t hidden state"]


def test_lstm_bidirectional_stacked_shows_gates_and_both_directions(keras, app_test):
    at = app_test(
        page=PAGE,
        arch_cell="LSTM",
        arch_bidirectional=True,
        arch_layers=2,
        arch_units_1=3,
        arch_units_2=2,
        inside_layer=2,
    )
    assert not at.exception, at.exception
    assert _delta(at) < 1e-5
    text = " ".join(m.value for m in at.markdown)
    assert "Forward pass" in text and "Backward pass" in text
    latex = _latex(at)
    assert r"c_t = f_t \odot c_{t-1} + i_t \odot g_t" in latex
    assert r"\underbrace{W_f}_{6\times 2}" in latex  # layer 2 reads the concat of 2 x 3 units
    layouts = json.dumps([c["layout"] for c in _charts(at)])
    assert "f_t forget gate" in layouts and "f: forget gate" in layouts  # gate bands and labelled weight blocks
    assert "Backward pass: state and gates" in layouts


def test_gru_page_in_korean_labels_weight_blocks(keras, app_test):
    at = app_test(page=PAGE, lang="ko", arch_cell="GRU")
    assert not at.exception
    layouts = json.dumps([c["layout"] for c in _charts(at)], ensure_ascii=False)
    assert "z: 업데이트 게이트 (update gate)" in layouts and "r_t 리셋 게이트 (reset gate)" in layouts


def _run(prepared, cell="LSTM", epochs=2, name=None):
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.train.engine import TrainConfig
    from rnn_lab.train.runs import execute

    arch = ArchConfig(cell=cell, units=(4,), timesteps=prepared.window, features=prepared.n_features)
    return execute(prepared, arch, TrainConfig(epochs=epochs, learning_rate=0.05, seed=3), name=name, jit=False)


def _sine(window=8):
    from rnn_lab.data.prepare import prepare
    from rnn_lab.data.toys import make_toy

    return prepare(make_toy("sine", length=120), "value", window=window, val_frac=0.2, test_frac=0.1)


def test_trained_run_before_and_after(keras, app_test):
    """A trained run: its own data supplies the window, and the untrained twin is its seed's initial weights."""
    from rnn_lab.arch.keras_model import build_model
    from rnn_lab.inside.numpy_rnn import run_model

    prepared = _sine()
    run = _run(prepared, epochs=10)
    at = app_test(page=PAGE, runs=[run], inside_source="run", inside_split="test", inside_window=2)
    assert not at.exception, at.exception
    assert not at.error
    assert _delta(at) < 1e-5
    values = {m.label: float(m.value) for m in at.metric if m.label.startswith("Prediction with")}
    window = prepared.X_test[2]
    after = float(run_model(run.model, window).output[0, 0])
    before = float(run_model(build_model(run.arch, seed=run.train.seed), window).output[0, 0])
    assert values["Prediction with the trained weights"] == pytest.approx(after, abs=1e-4)
    assert values["Prediction with the initial weights"] == pytest.approx(before, abs=1e-4)
    assert abs(after - before) > 1e-3  # training changed something


def test_run_on_other_data_is_a_clear_message(keras, app_test):
    """A run whose data is gone and whose window does not fit the active dataset: a message, no traceback."""
    run = _run(_sine(window=8), epochs=1)
    run.prepared = None
    at = app_test(page=PAGE, runs=[run], inside_source="run")
    assert not at.exception
    assert any("trained on windows of 8 steps" in e.value for e in at.error)


def test_no_runs_falls_back_to_the_untrained_model(keras, app_test):
    at = app_test(page=PAGE, inside_source="run")
    assert not at.exception
    assert at.info and _delta(at) < 1e-5


def test_bad_architecture_settings_are_a_message(keras, app_test):
    at = app_test(page=PAGE, arch_dropout=1.5)
    assert not at.exception
    assert at.error


def test_experiment_button_shows_curves_and_a_conclusion(keras, app_test):
    at = app_test(page=PAGE, inside_exp_lag=8, inside_exp_units=3, inside_exp_epochs=2)
    at.button(key="btn_inside_experiment").click().run()
    assert not at.exception, at.exception
    assert at.success and "validation MSE" in at.success[0].value
    result = at.session_state["inside_experiment"]
    assert [r.cell for r in result.results] == ["SimpleRNN", "LSTM", "GRU"]
    assert all(len(r.val_loss) == 2 and r.connectivity.shape == (8,) for r in result.results)
    best = min(result.results, key=lambda r: r.val_loss[-1])
    assert f"{best.cell} reached the lowest validation MSE ({best.val_loss[-1]:.3f})" in at.success[0].value
