"""Plotly margins set before the browser draws a chart, so that Plotly's automargin does not draw it twice.

``style_figure`` (rnn_lab/style.py) leaves 10 px margins and lets automargin widen them to fit the tick labels,
axis titles and legend. Plotly then draws the chart, finds they do not fit, and draws everything again with the
wider margins: about half of a line chart's drawing time in Chromium (issue 22, a CPU profile of the Train page's
results). :func:`preset_margins` guesses margins about as wide as those need; automargin keeps them when they are
wide enough, so the chart is drawn once. automargin stays on: a guess too small only costs the second drawing, as
before, and one too large leaves a few pixels more beside the plot.
"""

from __future__ import annotations

import math

import numpy as np

from rnn_lab.style import NORMAL, PROJECTION


def _text_px(text: str, font: int) -> float:
    """About how wide ``text`` is drawn at ``font`` px: a Hangul or CJK character 0.8 of the font, a Latin one 0.55."""
    return sum(0.8 * font if ord(c) >= 0x1100 else 0.55 * font for c in str(text))


def _y_tick_chars(fig) -> int | None:
    """About how many characters the y axis's longest tick label has (Plotly's ~6 round ticks over the data's
    range), or None when that is hard to tell (thousands, a format of its own): then no guess."""
    values = []
    for trace in fig.data:
        if trace.y is not None:
            try:
                values.extend(float(v) for v in np.ravel(np.asarray(trace.y, dtype=np.float64)) if np.isfinite(v))
            except (TypeError, ValueError):  # labels, not numbers: a category axis
                return None
    if not values:
        return None
    low, high = min(values + [0.0] * bool(fig.layout.shapes)), max(values)
    if max(abs(low), abs(high)) >= 1000 or fig.layout.yaxis.tickformat:
        return None
    step = (high - low) / 6 or 1.0
    decimals = max(0, -math.floor(math.log10(step)))
    return max(len(f"{v:.{decimals}f}") for v in (low, high))


def preset_margins(fig, projection: bool = False):
    """A styled line chart (scatter traces only; any other figure is returned as it is) with margins about as wide
    as its y tick labels, axis titles and legend need (module docstring), in place. Only the margins change, and
    only wider: the data, axes, legend and hover are the same."""
    if not fig.data or any(trace.type != "scatter" for trace in fig.data):
        return fig  # heat maps, bars, images: their colour bars and labels are not guessed here
    size = PROJECTION if projection else NORMAL
    font = size["font"]
    margin = fig.layout.margin
    chars = _y_tick_chars(fig)
    # calibrated on the toy's charts in Chromium (14 px: 72-80 px left, 67 px below; projection's 22 px: 101-113, 93)
    left = None if chars is None else math.ceil(chars * 0.6 * font + 2.2 * font + 20)
    bottom = math.ceil(3.25 * font + 24)
    names = [tr.name for tr in fig.data if tr.name and tr.showlegend is not False]
    shown = len(names) > 1 or any(tr.showlegend for tr in fig.data)
    right = math.ceil(max(_text_px(n, font) for n in names) + 2 * font + 35) if shown and names else None
    fig.update_layout(
        margin={
            "l": max(margin.l or 0, left or 0),
            "b": max(margin.b or 0, bottom),
            "r": max(margin.r or 0, right or 0),
        }
    )
    return fig
