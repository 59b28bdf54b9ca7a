"""Issue 22: a run's results are computed once inside its job with compiled inference (``Run.results``), and they
are the same numbers the pages computed at render time before (the eager engine calls, kept here as the reference).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rnn_lab.arch.config import ArchConfig
from rnn_lab.inside.settings import SECTIONS
from rnn_lab.train.engine import FORECAST_STEPS, TrainConfig

RTOL = 1e-5  # float32 round-off: a compiled graph adds in another order than the eager calls


def _close(actual, desired):
    """Equal to ``RTOL`` of the values' scale (an entry near zero differs by float32 round-off of its scale)."""
    desired = np.asarray(desired, np.float64)
    np.testing.assert_allclose(actual, desired, rtol=RTOL, atol=RTOL * float(np.max(np.abs(desired))))


def _forecast_run(cell="SimpleRNN", units=(6,), epochs=4):
    from rnn_lab.data.prepare import prepare
    from rnn_lab.data.toys import make_toy
    from rnn_lab.train.runs import execute

    prepared = prepare(make_toy("sine"), "value", window=8, val_frac=0.2, test_frac=0.2, scaling="minmax")
    return execute(prepared, ArchConfig(cell=cell, units=units), TrainConfig(epochs=epochs, seed=3))


@pytest.mark.parametrize("cell", ["SimpleRNN", "LSTM"])
def test_forecast_results_equal_the_eager_render_time_computation(keras, cell):
    from rnn_lab.train import runs as R

    run = _forecast_run(cell)
    res = run.results
    assert set(res) == {"params", "forecast", "forecast_reason", "worst"}
    assert res["params"] == run.model.count_params() and res["worst"] is None and res["forecast_reason"] is None
    assert isinstance(res["forecast"], pd.Series) and len(res["forecast"]) == FORECAST_STEPS
    # the old way: the engine's eager predict on every split, and 20 eager calls for the forecast
    eager_pred = R.predictions_frame(run.model, run.prepared)
    _close(run.predictions["predicted"], eager_pred["predicted"])
    old, reason = R._forecast(run.prepared, 20, R._eager_forecast_fn(run.model, 20))
    new, new_reason = R.forecast(run, 20)  # what the Train page shows: the first 20 of the job's forecast
    assert reason is None and new_reason is None and len(new) == 20
    _close(new.to_numpy(), old.to_numpy())
    assert list(new.index) == list(old.index)
    assert np.std(old.to_numpy()) > 0  # a real forecast, not a constant that would match anything flat


def test_a_multivariate_run_keeps_its_reason_and_a_run_without_results_still_forecasts(keras):
    from rnn_lab.data.prepare import prepare
    from rnn_lab.train import runs as R

    run = _forecast_run(epochs=2)
    run.results = {}  # e.g. a run saved before results existed: computed on demand, eagerly, the same numbers
    series, reason = R.forecast(run, 7)
    assert reason is None and len(series) == 7
    steps = np.arange(80)
    frame = pd.DataFrame({"a": np.sin(steps / 5), "b": np.cos(steps / 7)})
    prepared = prepare(frame, "a", features=("a", "b"), window=5, val_frac=0.2, test_frac=0.2)
    multi = R.execute(prepared, ArchConfig(cell="GRU", units=(3,)), TrainConfig(epochs=1))
    assert multi.results["forecast"] is None and multi.results["forecast_reason"] == "multivariate"
    assert R.forecast(multi, 20) == (None, "multivariate")


def test_classify_results_equal_the_eager_render_time_computation(keras):
    from rnn_lab.data.digits import prepare_class_toy
    from rnn_lab.train import runs as R

    prepared = prepare_class_toy(n=120, length=6, val_frac=0.2, test_frac=0.2, seed=2)
    cfg = TrainConfig(loss="sparse_categorical_crossentropy", epochs=3, batch_size=16, seed=1, learning_rate=0.01)
    run = R.execute(prepared, ArchConfig(cell="GRU", units=(4,)), cfg)
    eager = R.class_predictions_frame(run.model, prepared)
    probs = [c for c in eager.columns if c.startswith("p_")]
    _close(run.predictions[probs], eager[probs])
    assert (run.predictions["predicted"] == eager["predicted"]).all()
    assert run.metrics["confusion"] == R.score_classify(eager, prepared)["confusion"]
    assert run.results["forecast"] is None and run.results["forecast_reason"] == "not_forecast"
    worst = run.results["worst"]
    assert isinstance(worst, pd.DataFrame) and len(worst) == R.WORST_N
    pd.testing.assert_frame_equal(R.most_wrong(run, 5), R._most_wrong("classify", "test", eager, prepared, 5))


def test_next_token_results_equal_the_eager_render_time_computation(keras):
    from rnn_lab.data.text import prepare_next_token, tiny_corpus
    from rnn_lab.train import runs as R

    prepared = prepare_next_token(tiny_corpus("tiny-en"), "text:own", "char", maxlen=12, val_frac=0.25, seed=2)
    arch = ArchConfig(cell="LSTM", units=(8,), embedding_dim=4, mask_zero=True)
    cfg = TrainConfig(epochs=2, batch_size=16, loss="sparse_categorical_crossentropy", learning_rate=0.01)
    run = R.execute(prepared, arch, cfg)
    eager, scores = R.token_predictions_frame(run.model, prepared)
    _close(run.predictions["loss"], eager["loss"])
    assert run.metrics["model"]["perplexity"] == pytest.approx(scores["model"]["perplexity"], rel=RTOL)
    worst = R.most_wrong(run, 10)
    expected = R._most_wrong("next_token", run.metrics["split"], eager, prepared, 10)
    assert list(worst["position"]) == list(expected["position"])
    _close(worst["loss"], expected["loss"])
    # generation on the page runs on the compiled copy: the same distributions as the eager model, step by step
    from rnn_lab.train.engine import Inference
    from rnn_lab.train.generate import generate

    eager_text = generate(run.model, prepared, "th", length=8, temperature=0.0)
    with Inference(run.model, prepared.X_train[:1]) as compiled:
        compiled_text = generate(compiled, prepared, "th", length=8, temperature=0.0)
    assert compiled_text.ids == eager_text.ids
    for a, b in zip(compiled_text.steps, eager_text.steps, strict=True):
        _close([t["p"] for t in a["top"]], [t["p"] for t in b["top"]])


class _Counter:
    """Counts the calls of real functions (the functions still run): every way a page could reach Keras."""

    def __init__(self, monkeypatch):
        import keras

        from rnn_lab.train import engine

        self.calls: dict[str, int] = {}
        targets = [
            (keras.Layer, "__call__"),  # any layer or model called, eagerly or traced
            (keras.Model, "predict"),
            (keras.Model, "count_params"),
            (engine, "predict"),
            (engine, "predict_outputs"),
            (engine.Inference, "__enter__"),
        ]
        for owner, name in targets:
            monkeypatch.setattr(
                owner, name, self._wrap(f"{owner.__name__.rsplit('.', 1)[-1]}.{name}", getattr(owner, name))
            )

    def _wrap(self, label, fn):
        def counted(*args, **kwargs):
            self.calls[label] = self.calls.get(label, 0) + 1
            return fn(*args, **kwargs)

        return counted


def _train_on_page(at):
    at.button(key="btn_train_start").click().run()
    job = at.session_state["job_train"]
    job.join(timeout=180)
    assert job.state == "done", job.error
    at.run()
    assert not at.exception, at.exception
    return at.session_state["runs"][-1]


def _forecast_trace(at) -> list:
    import json

    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        if spec["layout"].get("title", {}).get("text", "").startswith("Predictions"):
            return [tr for tr in spec["data"] if tr.get("line", {}).get("dash") == "dot"]
    raise AssertionError("no predictions chart")


def test_a_rerun_of_the_train_page_with_results_makes_no_keras_call(app_test, keras, monkeypatch):
    from rnn_lab.train.runs import forecast

    at = app_test(page="app_pages/train.py", train_epochs=3)
    run = _train_on_page(at)
    assert run.results["forecast"] is not None
    counter = _Counter(monkeypatch)
    at.run()  # a rerun with the results on the page
    assert not at.exception
    at.number_input(key="train_forecast_steps").set_value(35).run()  # a longer forecast: a prefix of the job's
    assert not at.exception
    assert counter.calls == {}
    (trace,) = _forecast_trace(at)  # the chart follows the new length (a figure kept per length, not the old one)
    from helpers import plotly_values as _values

    assert _values(trace["y"]) == pytest.approx(list(forecast(run, 35)[0]), rel=1e-6)
    assert len(forecast(run, 35)[0]) == 35
    # the counter does count: computing the forecast the old way calls Keras
    from rnn_lab.train import runs as R

    R._forecast(run.prepared, 3, R._eager_forecast_fn(run.model, 3))
    assert counter.calls.get("engine.predict", 0) == 3 and counter.calls.get("Layer.__call__", 0) >= 3


def test_a_rerun_of_the_train_page_with_a_language_model_makes_no_keras_call(app_test, keras, monkeypatch):
    from helpers import next_token_state

    at = app_test(page="app_pages/train.py", **next_token_state("tiny-en", "char"))
    run = _train_on_page(at)
    assert run.task == "next_token" and run.results["worst"] is not None
    counter = _Counter(monkeypatch)
    at.run()
    assert not at.exception
    assert counter.calls == {}


def _live_script():
    import streamlit as st

    from ui import train

    train._draw_progress(st.session_state["snap"], st.session_state["cfg"], True)


def test_the_live_view_builds_its_figure_only_when_a_new_epoch_exists(keras, monkeypatch):
    import json

    from streamlit.testing.v1 import AppTest

    from rnn_lab.data.prepare import prepare
    from rnn_lab.data.toys import make_toy
    from rnn_lab.train.runs import TrainJob
    from ui import train as ui_train

    prepared = prepare(make_toy("counting"), "value", window=5, val_frac=0, test_frac=0, scaling="none")
    job = TrainJob(prepared, ArchConfig(), TrainConfig(epochs=3))
    job.join(180)
    snap = job.snapshot()  # the real progress of a real job: 3 epochs
    built = []
    real = ui_train.loss_figure
    monkeypatch.setattr(ui_train, "loss_figure", lambda *a, **k: built.append(1) or real(*a, **k))
    at = AppTest.from_function(_live_script, default_timeout=60)
    at.session_state["snap"], at.session_state["cfg"] = snap, job.cfg
    at.run()
    first = at.get("plotly_chart")[0].proto.spec
    at.run()  # a poll with nothing new: the same figure, not built again, still on the page
    assert not at.exception and len(built) == 1
    assert at.get("plotly_chart")[0].proto.spec == first
    fewer = {**snap, "epoch": 2, "history": {k: v[:2] for k, v in snap["history"].items()}}
    at.session_state["snap"] = fewer  # another epoch: a new figure
    at.run()
    assert len(built) == 2
    assert len(json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]["y"]) == 2


def test_stepping_and_rerunning_the_inside_page_makes_no_keras_call(app_test, keras, monkeypatch):
    """Per (run, window) the Inside page computes once (NumPy run, Keras check, gradients) and keeps it in the
    session: a rerun and a step of t make no Keras call."""
    run = _forecast_run(epochs=2)
    at = app_test(page="app_pages/inside.py", runs=[run], inside_source="run", inside_split="test", inside_window=1)
    assert not at.exception, at.exception
    for section in SECTIONS:  # every section below the step view once (the gradients, the untrained twin, ...)
        at.session_state["inside_section"] = section
        at.run()
        assert not at.exception, at.exception
    counter = _Counter(monkeypatch)
    for step, section in enumerate(SECTIONS, start=1):
        at.session_state["inside_section"] = section
        at.run()
        at.session_state["inside_step"] = step
        at.run()
        assert not at.exception
    assert counter.calls == {}
