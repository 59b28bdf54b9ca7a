"""Projection mode layout rules that screenshots showed broken: colorbar labels on short heatmaps, over-wide
rows of the Inside page's step vectors, gate names running into each other over the weight blocks."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from rnn_lab.inside import views
from rnn_lab.style import NORMAL, PROJECTION, style_figure


def _heatmap(height: int, z=None, **trace) -> go.Figure:
    z = np.linspace(-0.44, 0.44, 50).reshape(5, 10) if z is None else z
    fig = go.Figure(go.Heatmap(z=z, colorbar={"len": 0.9}, **trace))
    fig.update_layout(title="t", height=height)
    return fig


def test_short_colorbar_in_projection_labels_only_its_two_ends():
    fig = style_figure(_heatmap(210, zmin=-0.44, zmax=0.44), projection=True)  # the one-band h_t heatmap
    bar = fig.data[0].colorbar
    assert list(bar.tickvals) == [-0.44, 0.44] and list(bar.ticktext) == ["-0.44", "0.44"]
    assert bar.tickfont.size == PROJECTION["font"]
    # Without zmin/zmax the ends come from the data.
    bar = style_figure(_heatmap(210, z=np.array([[-1.0, 2.0]])), projection=True).data[0].colorbar
    assert list(bar.tickvals) == [-1.0, 2.0]


def test_tall_colorbar_keeps_plotly_ticks_but_no_more_than_fit():
    bar = style_figure(_heatmap(520), projection=True).data[0].colorbar
    assert bar.tickvals is None
    usable = (520 - 60 - 10 - 3 * PROJECTION["font"]) * 0.9  # plot height minus the x axis, times len
    assert bar.nticks == int(usable // (2 * PROJECTION["font"])) >= 4


def test_colorbars_untouched_in_normal_mode_and_hidden_scales_skipped():
    bar = style_figure(_heatmap(210), projection=False).data[0].colorbar
    assert bar.tickvals is None and bar.nticks is None and NORMAL["font"] < PROJECTION["font"]
    bar = style_figure(_heatmap(210, showscale=False), projection=True).data[0].colorbar
    assert bar.tickvals is None and bar.nticks is None
    style_figure(go.Figure(go.Scatter(y=[1, 2])), projection=True)  # no colorbar: nothing to do, no error


def test_step_view_puts_long_vectors_in_one_table_of_statistics():
    """The step view (an HTML table that wraps with the projection font, not a one-line LaTeX summary per vector):
    short vectors written out, long ones as norm, min, max, mean columns under one header."""
    long = np.array([3.0, -4.0, 0.0, 1.0, 2.0, -1.0, 0.5, 0.25, -0.75, 1.5])  # 10 > SMALL values
    stats = views.vector_stats(long[None])[0]
    assert np.allclose(stats, [np.linalg.norm(long), long.min(), long.max(), long.mean()])
    assert views.vector_stats(np.ones((7, 3, 10))).shape == (7, 3, 4)  # per step, any leading shape


def test_weight_blocks_get_short_labels_in_projection_with_the_full_name_on_hover():
    from rnn_lab.inside.numpy_rnn import DirectionTrace

    U = 3
    weights = {"kernel": np.ones((1, 3 * U)), "recurrent_kernel": np.ones((U, 3 * U)), "bias": None}
    trace = DirectionTrace(direction="forward", cell="gru", units=U, weights=weights, values={})
    short = views.weight_figure(trace, "kernel", "ko", short_labels=True)
    full = views.weight_figure(trace, "kernel", "ko")
    assert [a.text for a in short.layout.annotations] == ["<b>z</b>", "<b>r</b>", "<b>h</b>"]
    assert [a.hovertext for a in short.layout.annotations] == [a.text for a in full.layout.annotations]
    assert full.layout.annotations[0].text == "z: 업데이트 게이트 (update gate)"
    assert tuple(full.layout.xaxis.range) == (-0.5, 3 * U - 0.5)


def test_tables_use_the_projection_font_in_projection_mode(app_test):
    """st.dataframe is a canvas that ignores the projection CSS; projection mode shows HTML tables instead."""
    normal = app_test(page="app_pages/architecture.py")
    assert not normal.exception and len(normal.dataframe) >= 1 and len(normal.table) == 0
    projected = app_test(page="app_pages/architecture.py", projection=True)
    assert not projected.exception, projected.exception
    assert len(projected.dataframe) == 0 and len(projected.table) >= 1
    summary = projected.table[0].value  # same content as the interactive table: SimpleRNN(10) on (5, 1) = 120
    assert 120 in summary.iloc[:, -1].tolist() or "120" in summary.astype(str).to_numpy().ravel().tolist()
