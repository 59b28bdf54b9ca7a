"""Issue 22: ``style_figure`` (rnn_lab/style.py) leaves a line chart Plotly margins wide enough for its labels and
legend, so Chromium draws each chart once (``_preset_margins``). Only the margins change: the data, axes, legend and
every other part of each figure are the ones drawn before (tests/test_page_train_browser.py checks the drawing)."""

from __future__ import annotations

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


def _styled_both_ways(make, projection: bool, monkeypatch) -> tuple[dict, dict]:
    """The figure ``make()`` styled without the margin guess, then with it (both as dicts)."""
    from rnn_lab import style

    with monkeypatch.context() as patch:
        patch.setattr(style, "_preset_margins", lambda fig, size: None)
        before = style.style_figure(make(), projection=projection).to_dict()
    return before, style.style_figure(make(), projection=projection).to_dict()


@pytest.mark.parametrize("projection", [False, True])
def test_only_the_margins_change_and_only_wider(toy_run, projection, monkeypatch):
    for name in ("loss", "predictions", "residuals"):
        before, after = _styled_both_ways(lambda name=name: _figures(toy_run)[name], projection, monkeypatch)
        old, new = before["layout"].pop("margin"), after["layout"].pop("margin")
        assert after == before, name  # the same data, axes, legend, title, hover: only the margins differ
        assert all(new[k] >= old[k] for k in "lrb") and new["t"] == old["t"], (name, old, new)
        assert new["l"] > old["l"] and new["b"] > old["b"], (name, new)  # room for the tick labels and titles
    from rnn_lab.style import style_figure

    legend = style_figure(_figures(toy_run)["predictions"], projection=projection)
    assert legend.layout.margin.r > 100  # the predictions chart's legend (actual, predicted, forecast) at its right


def test_no_guess_for_thousands_categories_or_other_charts_and_the_wider_text_of_korean(monkeypatch):
    import plotly.graph_objects as go

    from rnn_lab.style import _text_px, _y_tick_chars, style_figure

    prices = go.Figure(go.Scatter(y=[45_298.0, 51_000.0]))
    assert _y_tick_chars(prices) is None  # "45k" or "45,298 원": the unit's own format, left to Plotly
    assert style_figure(prices).layout.margin.l == 10  # no guess: automargin widens it as before
    assert _y_tick_chars(go.Figure(go.Scatter(y=[-0.2, 0.15]))) in (4, 5)  # "-0.2" (or "-0.20": on the safe side)
    assert _y_tick_chars(go.Figure(go.Scatter(y=[0.5, float("nan"), 0.7]))) in (3, 4)  # gaps are not numbers
    assert _text_px("예측값 (학습)", 14) > _text_px("predicted", 14)  # Hangul is about twice as wide
    assert _y_tick_chars(go.Figure(go.Scatter(y=["a", "b"]))) is None  # categories, not numbers
    for make in (lambda: go.Figure(go.Heatmap(z=[[1, 2], [3, 4]])), lambda: go.Figure(go.Bar(y=[1, 2]))):
        before, after = _styled_both_ways(make, False, monkeypatch)
        assert after == before  # heat maps and bars: left as style_figure made them


def test_a_legend_below_the_plot_and_untitled_axes_take_no_room_beside_it():
    import plotly.graph_objects as go

    from rnn_lab.style import style_figure

    two = [go.Scatter(y=[0.1, 0.4], name="training loss"), go.Scatter(y=[0.2, 0.3], name="validation loss")]
    beside = style_figure(go.Figure(two, layout={"xaxis_title": "epoch", "yaxis_title": "loss"}))
    below = style_figure(
        go.Figure(two, layout={"xaxis_title": "epoch", "yaxis_title": "loss", "legend": {"orientation": "h"}})
    )
    untitled = style_figure(go.Figure(two))
    assert beside.layout.margin.r > 100 and below.layout.margin.r == 10  # the legend's room only where it is
    assert untitled.layout.margin.b < beside.layout.margin.b  # tick labels only, no axis title under them
    assert untitled.layout.margin.l < beside.layout.margin.l
