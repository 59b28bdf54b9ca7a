"""The Inside page keeps its promises (issue 27): the heat maps mark step t, every band has its own colour scale."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import numpy_trace as _trace

from rnn_lab.inside import views


def test_every_band_has_its_own_scale_and_colour_bar():
    """An LSTM with a cell state far beyond +-1: h_t and g_t keep their own range instead of c_t's."""
    trace, _ = _trace("lstm", units=4, features=2, steps=30)
    trace.values["c"] = trace.values["c"] * 12  # c_t reaching about +-12, as the issue saw
    fig = views.time_heatmaps(trace, 7, "en")
    bands = dict(zip(views.TIME_BANDS["lstm"], fig.data, strict=True))
    for name in ("h", "c", "g"):
        top = np.abs(trace.values[name][0]).max()
        heat = bands[name]
        assert heat.zmin == -heat.zmax and top <= heat.zmax <= 1.1 * top  # symmetric, its own largest |value|
        assert heat.showscale is not False
    assert bands["c"].zmax > 5 * bands["h"].zmax  # h_t is not washed out by c_t's scale
    for name in ("i", "f", "o"):
        assert (bands[name].zmin, bands[name].zmax, bands[name].colorscale[0][1]) == (0.0, 1.0, "#440154")
    ys = [heat.colorbar.y for heat in fig.data]  # one colour bar beside each band, top to bottom
    assert ys == sorted(ys, reverse=True) and all(0 < heat.colorbar.len < 0.2 for heat in fig.data)


@pytest.mark.parametrize("cell", ["simple_rnn", "gru"])
def test_the_step_marker_is_drawn(cell):
    trace, _ = _trace(cell, units=3, features=1, steps=10)
    fig = views.time_heatmaps(trace, 4, "ko")
    (line,) = fig.layout.shapes
    assert (line.x0, line.x1, line.line.color) == (4, 4, "black")
    assert views.time_heatmaps(trace, None, "ko").layout.shapes == ()


def test_inside_page_heat_maps_mark_the_current_step(app_test, keras):
    """AppTest: the page's heat map draws the black line at the step the setting (slider, link) says."""
    at = app_test(page="app_pages/inside.py", inside_step=3)
    assert not at.exception
    spec = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if "inside_fig_time_forward" in c.proto.id)
    (line,) = spec["layout"]["shapes"]
    assert line["x0"] == 3 and line["line"]["color"] == "black"
    assert all(tr.get("showscale", True) for tr in spec["data"])
