"""What the step view is sent: every step's vectors, right for each cell and direction, and nothing it cannot show."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import numpy_trace as _trace

from rnn_lab.inside import numpy_rnn as nr
from rnn_lab.inside import views


@pytest.mark.parametrize("direction", ["forward", "backward"])
@pytest.mark.parametrize("cell", ["simple_rnn", "lstm", "gru"])
def test_step_arrays_follow_the_equations_at_every_step(cell, direction):
    trace, x = _trace(cell, units=3, features=2, steps=6, direction=direction)
    arrays = dict(views.step_arrays(trace, x))
    h, h_prev = arrays["h"], arrays["h_prev"]
    first = -1 if direction == "backward" else 0  # the first step the pass processes starts from h_0 = 0
    np.testing.assert_array_equal(h_prev[first], 0.0)
    if direction == "forward":
        np.testing.assert_allclose(h_prev[1:], h[:-1])  # h_{t-1}
    else:
        np.testing.assert_allclose(h_prev[:-1], h[1:])  # the backward pass's previous step is t+1
    np.testing.assert_allclose(arrays["x"], x)
    if cell == "simple_rnn":
        np.testing.assert_allclose(np.tanh(arrays["a"]), h, atol=1e-12)  # h_t = tanh(x_t W + h_{t-1} U + b)
    elif cell == "lstm":
        c = arrays["f"] * arrays["c_prev"] + arrays["i"] * arrays["g"]
        np.testing.assert_allclose(c, arrays["c"], atol=1e-12)
        np.testing.assert_allclose(arrays["o"] * np.tanh(arrays["c"]), h, atol=1e-12)
    else:
        np.testing.assert_allclose(arrays["z"] * h_prev + (1 - arrays["z"]) * arrays["hh"], h, atol=1e-12)
    for t in range(1, 7):  # one step is a slice of all steps
        for (name, v), (name2, all_steps) in zip(views.step_values(trace, x, t), arrays.items(), strict=True):
            assert name == name2
            np.testing.assert_array_equal(v, all_steps[t - 1])


def _layer(traces, x):
    return nr.LayerRun(name="layer", kind=traces[0].cell, x=x[None], output=None, directions=traces)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_step_view_data_for_a_small_lstm(lang):
    trace, x = _trace("lstm", units=3, features=2, steps=5)
    data = views.step_view_data(_layer([trace], x), lang, step=9, projection=True, signature="s")
    json.dumps(data)  # it goes to the browser as JSON
    assert data["steps"] == 5 and data["step"] == 5 and data["projection"] and data["signature"] == "s"
    (d,) = data["directions"]
    rows = {row["name"]: row for row in d["rows"]}
    assert list(rows) == ["x", "h_prev", "c_prev", "i", "f", "g", "o", "c", "h"]
    np.testing.assert_allclose(rows["c"]["values"], trace.values["c"][0], atol=5e-5)  # every number, 4 decimals
    assert rows["x"]["size"] == 2 and len(rows["x"]["values"][0]) == 2
    assert [s["name"] for s in d["bars"]["series"]] == ["h_prev", "h", "c"]
    assert "{t}" in d["bars"]["title"] and "c<sub>t</sub>" in d["bars"]["title"]
    assert "{t}" in d["heading"] and "<b>" in d["heading"] and "**" not in d["heading"]
    h = np.abs(trace.values["h"][0]).max()
    c = np.abs(trace.values["c"][0]).max()
    tops = {s["name"]: s["top"] for s in d["bars"]["series"]}  # each quantity on its own range (issue 27)
    assert tops["h_prev"] == tops["h"] == d["bars"]["top"] and h <= tops["h"] <= 1.1 * h + 1e-9
    assert c <= tops["c"] <= 1.1 * c + 1e-9 and {s["axis"] for s in d["bars"]["series"]} == {"h", "c"}
    assert all("<sub>" in row["label"] for row in d["rows"])  # symbols as subscripts, not raw h_{t-1}


@pytest.mark.parametrize("cell", ["simple_rnn", "gru"])
def test_step_view_texts_without_a_cell_state(cell):
    """SimpleRNN and GRU have no c_t: no c row, no c bars, no 'and c_t' in the titles."""
    trace, x = _trace(cell, units=2, features=1, steps=3)
    for lang in ("en", "ko"):
        (d,) = views.step_view_data(_layer([trace], x), lang, step=1)["directions"]
        assert "c" not in {row["name"] for row in d["rows"]} and "c_prev" not in {row["name"] for row in d["rows"]}
        assert [s["name"] for s in d["bars"]["series"]] == ["h_prev", "h"]
        assert "c<sub>" not in d["bars"]["title"] and "c_t" not in d["bars"]["title"]


def test_step_view_data_summarises_a_large_bidirectional_layer():
    units, steps = 100, 40
    fwd, x = _trace("gru", units=units, features=12, steps=steps, seed=1)
    bwd, _ = _trace("gru", units=units, features=12, steps=steps, direction="backward", seed=1)
    data = views.step_view_data(_layer([fwd, bwd], x), "en", step=0)
    assert data["step"] == 1  # clamped into 1..T
    forward, backward = data["directions"]
    assert "Backward pass" in backward["heading"]
    for d, trace in ((forward, fwd), (backward, bwd)):
        rows = {row["name"]: row for row in d["rows"]}
        assert all("stats" in row and "values" not in row for row in rows.values())  # 12 and 100 values > 8
        h = trace.values["h"][0]
        np.testing.assert_allclose(rows["h"]["stats"], views.vector_stats(h), atol=5e-5)
        assert len(d["bars"]["units"]) == views.MAX_BAR_UNITS  # the most active units only
        assert np.shape(d["bars"]["series"][1]["values"]) == (steps, views.MAX_BAR_UNITS)
    assert len(json.dumps(data)) < 200_000  # sent once per model and window
