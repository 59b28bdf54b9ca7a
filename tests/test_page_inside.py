"""AppTest of the Inside-the-cell page: both languages, the slider, trained runs, bad input, the experiment."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

PAGE = "app_pages/inside.py"


def _delta(at) -> float:
    metric = next(m for m in at.metric if "Δ" in m.label)
    return float(metric.value)


def _latex(at) -> str:
    return "\n".join(el.value for el in at.latex)


def _charts(at) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def _chart_keys(at) -> list[str]:
    """The keys of the Plotly charts on the page (their element ids end with the key)."""
    return ["inside_fig_" + el.proto.id.split("inside_fig_")[-1] for el in at.get("plotly_chart")]


def _numpy_code(at) -> list[str]:
    """The NumPy rewrite's source shown on the page (the sidebar's link boxes are code elements too)."""
    return [c.value for c in at.code if c.language == "python"]


def _step_view(at) -> dict:
    """The data the browser-side step view got (every step's values, and the step to open at)."""
    (view,) = [el for el in at.get("bidi_component") if el.proto.component_name == "rnn_lab_inside_step"]
    return json.loads(view.proto.json)


def _row(direction: dict, name: str) -> dict:
    return next(row for row in direction["rows"] if row["name"] == name)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_page_renders_and_numpy_matches_keras(keras, app_test, lang):
    at = app_test(page=PAGE, lang=lang)
    assert not at.exception, at.exception
    assert not at.error
    assert _delta(at) < 1e-5  # computed live on the chosen window
    assert r"\tanh" in _latex(at)  # the SimpleRNN equation with its shapes
    assert r"\underbrace{W}_{1\times 10}" in _latex(at)  # counting toy: 1 feature, 10 units (the tutorial)
    view = _step_view(at)
    assert view["steps"] == 5 and view["step"] == 1  # window of 5 steps
    titles = " ".join(at.title[i].value for i in range(len(at.title)))
    assert ("셀 내부" in titles) == (lang == "ko") and "Inside the cell" in titles
    assert view["labels"]["step"] == ("Time step t" if lang == "en" else "시간 단계 t")
    # below the step view one section at a time (issue 22): the NumPy code when the page opens (no figure besides the
    # heat maps over the window), the others on request
    assert at.radio(key="inside_section").value == "code"
    assert [k for k in _chart_keys(at) if not k.startswith("inside_fig_time")] == []
    assert any("def simple_rnn_forward" in c for c in _numpy_code(at))  # the library source itself
    assert not any(b.key == "btn_inside_experiment" for b in at.button)
    seen = {
        "charts": _charts(at),
        "captions": [c.value for c in at.caption],
        "markdown": [m.value for m in at.markdown],
    }
    for section in ("weights", "before_after", "grad", "experiment", "code"):
        at.radio(key="inside_section").set_value(section).run()
        assert not at.exception, at.exception
        weights = [k for k in _chart_keys(at) if k == "inside_fig_weights"]
        assert weights == (["inside_fig_weights"] if section == "weights" else [])  # both matrices, one chart
        assert bool(_numpy_code(at)) == (section == "code")
        assert ("inside_fig_conn" in _chart_keys(at)) == (section == "grad")
        assert any(b.key == "btn_inside_experiment" for b in at.button) == (section == "experiment")
        seen["charts"] += _charts(at)
        seen["captions"] += [c.value for c in at.caption]
        seen["markdown"] += [m.value for m in at.markdown]
        if section == "code":
            assert any("def simple_rnn_forward" in c for c in _numpy_code(at))  # the library source itself
    # The window label is evaluated (issue: "0 ~ 10 - 1"): the training split of the counting toy has 10 windows.
    label = at.number_input(key="inside_window").label
    assert label == ("Window number (0 to 9)" if lang == "en" else "윈도우 번호 (0 ~ 9)")
    # Issue 14: a SimpleRNN has no cell state and no gates, and no symbol is shown as raw LaTeX.
    figures = [json.dumps(c["layout"], ensure_ascii=False) for c in seen["charts"]] + [
        json.dumps(view, ensure_ascii=False)
    ]
    about_this_cell = " ".join([*seen["captions"], *figures])  # every section's captions and figures, the step view
    assert "c_t" not in about_this_cell and "c<sub>t</sub>" not in about_this_cell and "(와" not in about_this_cell
    assert "gate" not in about_this_cell.lower() and "게이트" not in about_this_cell
    shown = " ".join([*seen["markdown"], about_this_cell])
    assert "h_{t-1}" not in re.sub(r"\$[^$]*\$", "", shown)  # only inside $...$ (KaTeX)


def test_step_view_gets_every_step_and_opens_at_the_session_step(keras, app_test):
    """Counting toy window 0 is [0.0, 0.1, 0.2, 0.3, 0.4]: the browser gets x_t of every step, opens at inside_step."""
    at = app_test(page=PAGE)
    view = _step_view(at)
    (forward,) = view["directions"]
    assert _row(forward, "x")["values"] == [[0.0], [0.1], [0.2], [0.3], [0.4]]
    h = _row(forward, "h")["stats"]  # 10 units > 8: norm, min, max, mean per step
    assert len(h) == 5 and all(len(s) == 4 for s in h)
    assert _row(forward, "h_prev")["stats"][0] == [0.0, 0.0, 0.0, 0.0]  # h_0 = 0
    assert _row(forward, "h_prev")["stats"][3] == h[2]  # h_{t-1} of step 4 is h_t of step 3
    assert forward["heading"] == "<b>Forward pass</b>, step t = {t} of 5"
    bars = forward["bars"]
    assert [s["name"] for s in bars["series"]] == ["h_prev", "h"]  # no c_t for a SimpleRNN
    assert bars["title"] == "h<sub>t-1</sub> and h<sub>t</sub> per unit at t = {t}"
    at.session_state["inside_step"] = 4  # a link or a lesson
    at.run()
    assert not at.exception
    assert _step_view(at)["step"] == 4
    at.session_state["inside_step"] = 99  # out of range: clamped to the window
    at.run()
    assert _step_view(at)["step"] == 5 and at.session_state["inside_step"] == 5


def test_lstm_bidirectional_stacked_shows_gates_and_both_directions(keras, app_test):
    at = app_test(
        page=PAGE,
        arch_cell="LSTM",
        arch_bidirectional=True,
        arch_layers=2,
        arch_units_1=3,
        arch_units_2=2,
        inside_layer=2,
        inside_section="weights",  # the gate blocks of the weight matrices (the page opens on the NumPy code)
    )
    assert not at.exception, at.exception
    assert _delta(at) < 1e-5
    view = _step_view(at)
    forward, backward = view["directions"]
    assert "Forward pass" in forward["heading"] and "Backward pass" in backward["heading"]
    assert [row["name"] for row in forward["rows"]] == ["x", "h_prev", "c_prev", "i", "f", "g", "o", "c", "h"]
    assert len(_row(forward, "x")["values"][0]) == 6  # layer 2 reads the concat of 2 x 3 units
    assert [s["name"] for s in forward["bars"]["series"]] == ["h_prev", "h", "c"]
    assert "c<sub>t</sub>" in forward["bars"]["title"]
    latex = _latex(at)
    assert r"c_t = f_t \odot c_{t-1} + i_t \odot g_t" in latex
    assert r"\underbrace{W_f}_{6\times 2}" in latex
    layouts = json.dumps([c["layout"] for c in _charts(at)])
    assert "f<sub>t</sub> forget gate" in layouts and "f: forget gate" in layouts  # gate bands, weight blocks
    assert "Backward pass: state and gates" in layouts


def test_gru_page_in_korean_labels_weight_blocks(keras, app_test):
    at = app_test(page=PAGE, lang="ko", arch_cell="GRU", inside_section="weights")
    assert not at.exception
    layouts = json.dumps([c["layout"] for c in _charts(at)], ensure_ascii=False)
    assert "z: 업데이트 게이트 (update gate)" in layouts and "r<sub>t</sub> 리셋 게이트 (reset gate)" in layouts
    assert "$\\tilde h_t$" in " ".join(c.value for c in at.caption)  # the bands' caption names GRU's candidate
    assert "c_t" not in " ".join(c.value for c in at.caption)


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
    at = app_test(
        page=PAGE, runs=[run], inside_source="run", inside_split="test", inside_window=2, inside_section="before_after"
    )
    assert not at.exception, at.exception
    assert not at.error
    assert _delta(at) < 1e-5
    # "0.4123 · scaled 0.5311": the value in the target's units, then the scaled one the model computes (issue 27)
    values = {m.label: float(m.value.split("scaled ")[-1]) for m in at.metric if m.label.startswith("Prediction with")}
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


def _finished_job(at, timeout: float = 600):
    job = at.session_state["inside_exp_job"]
    job.join(timeout)
    assert not job.running
    at.run()
    assert not at.exception, at.exception
    return job


def test_experiment_runs_in_the_background_and_shows_curves_and_a_conclusion(keras, app_test):
    at = app_test(page=PAGE, inside_section="experiment", inside_exp_lag=8, inside_exp_units=3, inside_exp_epochs=2)
    at.button(key="btn_inside_experiment").click().run()
    assert not at.exception, at.exception
    assert at.button(key="btn_inside_experiment").disabled  # one experiment at a time
    _finished_job(at)
    assert at.success and "validation MSE" in at.success[0].value
    assert not at.warning  # ran to the end
    result = at.session_state["inside_experiment"]
    assert [r.cell for r in result.results] == ["SimpleRNN", "LSTM", "GRU"] and not result.stopped
    assert all(len(r.val_loss) == 2 and r.connectivity.shape == (8,) for r in result.results)
    assert all(r.model is None for r in result.results)  # the session keeps the curves, not three models
    best = min(result.results, key=lambda r: r.val_loss[-1])
    assert f"{best.cell} reached the lowest validation MSE ({best.val_loss[-1]:.3f})" in at.success[0].value
    assert not at.button(key="btn_inside_experiment").disabled


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_stop_keeps_the_cells_already_finished(keras, app_test, lang):
    import time

    at = app_test(
        page=PAGE, lang=lang, inside_section="experiment", inside_exp_lag=8, inside_exp_units=3, inside_exp_epochs=60
    )
    at.button(key="btn_inside_experiment").click().run()
    job = at.session_state["inside_exp_job"]
    deadline = time.monotonic() + 600
    while job.running and job.snapshot()["cell"] in (None, "SimpleRNN") and time.monotonic() < deadline:
        time.sleep(0.05)  # wait until SimpleRNN is finished and LSTM is training
    at.button(key="btn_inside_exp_stop").click().run()  # the Stop button of the live progress
    job = _finished_job(at)
    result = at.session_state["inside_experiment"]
    done = [r.cell for r in result.results]
    assert result.stopped and done in (["SimpleRNN"], ["SimpleRNN", "LSTM"])
    assert result.missing == ["SimpleRNN", "LSTM", "GRU"][len(done) :]
    assert all(len(r.val_loss) == 60 for r in result.results)  # finished cells keep their whole budget
    warning = at.warning[0].value
    assert ", ".join(done) in warning and ", ".join(result.missing) in warning
    assert ("Stopped before the end" in warning) == (lang == "en")
    assert at.success  # the conclusion of the finished cells
    figure = next(
        c
        for c in _charts(at)
        if c["layout"]["title"]["text"] in ("Validation loss per epoch", "에포크별 검증 손실 (val_loss)")
    )
    assert [trace["name"] for trace in figure["data"]] == done


def test_page_opens_the_run_just_trained_unless_the_user_picks_otherwise(keras, app_test):
    """Issue 14: right after training, the page shows the trained run, not the untrained model."""
    prepared = _sine()
    first = _run(prepared, epochs=2, name="first")
    at = app_test(page=PAGE, runs=[first])
    assert not at.exception, at.exception
    assert at.session_state["inside_source"] == "run" and at.session_state["inside_run"] == "first"
    assert any("**Model**: first" in m.value for m in at.markdown)
    at.radio(key="inside_source").set_value("untrained").run()  # the user's pick stays
    at.run()
    assert at.session_state["inside_source"] == "untrained"
    assert any("untrained (seed 0)" in m.value for m in at.markdown)
    second = _run(prepared, epochs=1, name="second")
    at.session_state["runs"] = [first, second]  # trained on the Train page meanwhile
    at.run()
    assert at.session_state["inside_source"] == "run" and at.session_state["inside_run"] == "second"


def test_a_second_session_opens_the_untrained_model_without_building_it_or_calling_keras(keras, app_test, monkeypatch):
    """Issue 22: an untrained model and its analysis depend only on (architecture, seed, window), so they are shared
    by every session of the server process: the next student's first visit to the page builds no model and makes no
    Keras call, and shows the same numbers."""
    from ui import inside as ui_inside

    first = app_test(page=PAGE, inside_seed=123)
    assert not first.exception, first.exception
    calls = {"build": 0, "keras": 0}
    build, call = ui_inside.build_model, keras.Layer.__call__

    def counted_build(*args, **kwargs):
        calls["build"] += 1
        return build(*args, **kwargs)

    def counted_call(self, *args, **kwargs):
        calls["keras"] += 1
        return call(self, *args, **kwargs)

    monkeypatch.setattr(ui_inside, "build_model", counted_build)
    monkeypatch.setattr(keras.Layer, "__call__", counted_call)
    second = app_test(page=PAGE, inside_seed=123)
    assert not second.exception, second.exception
    assert calls == {"build": 0, "keras": 0}
    assert _delta(second) == _delta(first) and _step_view(second) == _step_view(first)
    other = app_test(page=PAGE, inside_seed=124)  # another seed: other weights, built and checked against Keras
    assert not other.exception, other.exception
    assert calls["build"] == 1 and calls["keras"] > 0
    assert _step_view(other)["directions"] != _step_view(first)["directions"]


def test_lessons_open_the_inside_page_on_their_section(app_test, keras):
    """The lessons' steps on the Inside page: "Why LSTM?" opens the experiment (its text runs it there), every other
    one the page's default, the NumPy code below the step view; the step view and its heat maps are there either way."""
    from rnn_lab import lessons
    from rnn_lab.settings import all_settings

    settings = all_settings()
    opened = {
        (lesson.id, i): lessons.start_values(lesson, i, {}, settings)["inside_section"]
        for lesson in lessons.LESSONS.values()
        for i, step in enumerate(lesson.steps)
        if step.page == lessons.INSIDE
    }
    assert opened and opened[("why_lstm", 1)] == "experiment"
    assert {key: section for key, section in opened.items() if key[0] != "why_lstm"} == {
        key: "code" for key in opened if key[0] != "why_lstm"
    }
    at = app_test(page="app_pages/lessons.py")
    at.button(key="btn_lesson_start_why_lstm").click().run()
    at.button(key="btn_lesson_next").click().run()  # step 2: the Inside page
    assert not at.exception, at.exception
    assert at.session_state["_page_path"] == "inside"
    assert any(b.key == "btn_inside_experiment" for b in at.button)
    assert _step_view(at)["steps"] == 40 and "inside_fig_time_forward" in _chart_keys(at)
    assert "inside_fig_weights" not in _chart_keys(at)


def test_the_weight_matrices_are_one_chart_with_the_same_numbers_as_each_alone(keras, app_test):
    """Issue 22: kernel and recurrent_kernel in one figure (one chart for the browser), each subplot with the
    numbers, gate blocks and title it had as a figure of its own; projection mode stacks them."""
    from rnn_lab.inside import views

    at = app_test(page=PAGE, arch_cell="LSTM", inside_section="weights")
    assert not at.exception, at.exception
    (chart,) = [c for c, k in zip(_charts(at), _chart_keys(at), strict=True) if k == "inside_fig_weights"]
    entry = next(iter(at.session_state["inside_traces"].values()))
    trace = entry["run"].recurrent_layers[0].directions[0]
    assert trace.weights["kernel"].shape == (1, 40) and trace.weights["recurrent_kernel"].shape == (10, 40)
    for heat, which in zip(chart["data"], ("kernel", "recurrent_kernel"), strict=True):
        alone = views.weight_figure(trace, which, "en")
        assert np.allclose(np.asarray(alone.data[0].z, dtype=float), trace.weights[which])  # 40 columns: no stride
        assert np.allclose(_z(heat), np.asarray(alone.data[0].z, dtype=float))
    texts = [a["text"] for a in chart["layout"]["annotations"]]
    assert texts[:2] == ["<b>kernel (1 x 40)</b>", "<b>recurrent_kernel (10 x 40)</b>"]
    assert texts[2:] == ["<b>i</b>", "<b>f</b>", "<b>c</b>", "<b>o</b>"] * 2  # each block by its letter ...
    hover = [a.get("hovertext") for a in chart["layout"]["annotations"][2:]]
    assert hover.count("f: forget gate") == 2  # ... and its full name on hover
    assert len(chart["layout"]["shapes"]) == 6  # 3 block borders in each matrix
    stacked = views.weights_figure(trace, "en", short_labels=True, stacked=True)
    assert stacked.layout.xaxis2.anchor == "y2" and stacked.layout.yaxis.domain[0] > stacked.layout.yaxis2.domain[1]
    assert [a.text for a in stacked.layout.annotations][2:6] == ["<b>i</b>", "<b>f</b>", "<b>c</b>", "<b>o</b>"]


def _z(heat: dict) -> list:
    """A heat map's z from the chart's JSON (Plotly may send it as a typed array)."""
    z = heat["z"]
    if isinstance(z, dict):  # {"dtype": ..., "bdata": ..., "shape": ...}
        import base64

        flat = np.frombuffer(base64.b64decode(z["bdata"]), dtype=np.dtype(z["dtype"]))
        z = flat.reshape([int(n) for n in str(z["shape"]).split(",")])
    return np.asarray(z, dtype=float).tolist()
