"""Issue 22: the Train page's result charts leave Plotly margins wide enough for their labels and legend, so
Chromium draws each chart once (``ui.margins.preset_margins``). Only the margins change: the data, axes,
legend and every other part of each figure are the ones drawn before (the browser test checks the drawing)."""

from __future__ import annotations

import copy

import pytest

from rnn_lab.arch.config import ArchConfig
from rnn_lab.train.engine import TrainConfig


@pytest.fixture(scope="module")
def toy_run(keras):
    from rnn_lab.data.prepare import prepare
    from rnn_lab.data.toys import make_toy
    from rnn_lab.train.runs import execute

    prepared = prepare(make_toy("counting"), "value", window=3, val_frac=0.2, test_frac=0.2, scaling="none")
    return execute(prepared, ArchConfig(cell="SimpleRNN", units=(4,)), TrainConfig(epochs=3, seed=0))


def _figures(run):
    from rnn_lab.train.runs import forecast
    from ui.train_results import loss_figure, predictions_figure, residual_figure

    return {
        "loss": loss_figure(run.history, run.train.loss),
        "predictions": predictions_figure(run, forecast(run, 20)[0]),
        "residuals": residual_figure(run),
    }


@pytest.mark.parametrize("projection", [False, True])
def test_only_the_margins_change_and_only_wider(toy_run, projection):
    from rnn_lab.style import style_figure
    from ui.margins import preset_margins

    for name, fig in _figures(toy_run).items():
        styled = style_figure(fig, projection=projection)
        before = copy.deepcopy(styled.to_dict())
        after = preset_margins(styled, projection).to_dict()
        old, new = before["layout"].pop("margin"), after["layout"].pop("margin")
        assert after == before, name  # the same data, axes, legend, title, hover: only the margins differ
        assert all(new[k] >= old[k] for k in "lrb") and new["t"] == old["t"], (name, old, new)
        assert new["l"] > old["l"] and new["b"] > old["b"], (name, new)  # room for the tick labels and titles
    legend = preset_margins(style_figure(_figures(toy_run)["predictions"], projection=projection), projection)
    assert legend.layout.margin.r > 100  # the predictions chart's legend (actual, predicted, forecast) at its right


def test_no_guess_for_thousands_and_the_wider_text_of_korean():
    import plotly.graph_objects as go

    from ui.margins import _text_px, _y_tick_chars, preset_margins

    prices = go.Figure(go.Scatter(y=[45_298.0, 51_000.0]))
    assert _y_tick_chars(prices) is None  # "45k" or "45,298 원": the unit's own format, left to Plotly
    assert preset_margins(prices).layout.margin.l in (None, 0)  # no guess: automargin widens it as before
    assert _y_tick_chars(go.Figure(go.Scatter(y=[-0.2, 0.15]))) in (4, 5)  # "-0.2" (or "-0.20": on the safe side)
    assert _text_px("예측값 (학습)", 14) > _text_px("predicted", 14)  # Hangul is about twice as wide
    assert _y_tick_chars(go.Figure(go.Scatter(y=["a", "b"]))) is None  # categories, not numbers
    heat = go.Figure(go.Heatmap(z=[[1, 2], [3, 4]]))
    assert preset_margins(heat).to_dict() == go.Figure(go.Heatmap(z=[[1, 2], [3, 4]])).to_dict()  # left as it is
