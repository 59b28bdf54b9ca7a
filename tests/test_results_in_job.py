"""Issue 22: a run's results are computed once inside its job with compiled inference (``Run.results``), and they
are the same numbers the pages computed at render time before (the eager engine calls, kept here as the reference).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rnn_lab.arch.config import ArchConfig
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
