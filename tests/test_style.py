"""rnn_lab.style: the styled figure is the same figure whichever way its template is set."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from rnn_lab import style
from rnn_lab.style import TEMPLATE, style_figure


def _figure() -> go.Figure:
    fig = go.Figure()
    fig.add_scatter(x=[1, 2, 3], y=[0.5, 0.7, 0.2], mode="lines+markers", name="a", line={"color": "#0072B2"})
    fig.add_heatmap(z=[[1, 2], [3, 4]])
    fig.add_shape(type="line", x0=2, x1=2, yref="paper", y0=0, y1=1)
    fig.update_layout(title="t", xaxis_title="x", yaxis_title="y")
    return fig


@pytest.mark.parametrize("projection", [False, True])
def test_unvalidated_template_gives_the_same_figure_as_plotly_validating_it(projection, monkeypatch):
    fast = style_figure(_figure(), projection=projection).to_dict()
    monkeypatch.setattr(style, "_set_template", lambda fig, name: fig.update_layout(template=name))
    validated = style_figure(_figure(), projection=projection).to_dict()
    assert fast == validated
    assert fast["layout"]["template"] == pio.templates[TEMPLATE].to_plotly_json()


def test_a_styled_figure_owns_its_copy_of_the_template():
    fig = style_figure(_figure())
    fig.layout.template.layout.font.size = 99  # a page changing its figure's template
    assert pio.templates[TEMPLATE].layout.font.size != 99
    assert style_figure(_figure()).layout.template.layout.font.size != 99
