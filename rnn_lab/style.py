"""One styling function for every Plotly figure.

Pages build figures with plain Plotly and pass them through :func:`style_figure`,
so projection mode can enlarge fonts, lines and markers everywhere at once.
Colours follow the Okabe-Ito palette (safe for colour-blind viewers), one colour
per role, used the same way on every page.

Margins: a line chart gets margins about as wide as its tick labels, axis titles and legend need
(:func:`_preset_margins`), so Plotly's automargin keeps them and Chromium draws the chart once, not twice (issue 22:
the second drawing was about half of a line chart's drawing time).
"""

from __future__ import annotations

import math

import numpy as np

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}

# Role -> colour. Train/validation/test, model/baseline keep their colour on every page.
ROLE_COLORS = {
    "actual": OKABE_ITO["black"],
    "train": OKABE_ITO["blue"],
    "validation": OKABE_ITO["orange"],
    "test": OKABE_ITO["green"],
    "model": OKABE_ITO["vermillion"],
    "baseline": OKABE_ITO["sky_blue"],
    "forecast": OKABE_ITO["purple"],
    "highlight": OKABE_ITO["yellow"],
}
COLORWAY = [OKABE_ITO[c] for c in ("blue", "orange", "green", "vermillion", "sky_blue", "purple", "yellow", "black")]

FONT_FAMILY = "Noto Sans, Noto Sans CJK KR, Malgun Gothic, Apple SD Gothic Neo, sans-serif"

NORMAL = {"font": 14, "title": 18, "line": 2.0, "marker": 6, "height": 420}
PROJECTION = {"font": 22, "title": 28, "line": 4.0, "marker": 11, "height": 520}


def color(role: str) -> str:
    """The colour of a role (train, validation, test, model, baseline, ...)."""
    return ROLE_COLORS[role]


def _top_margin(fig, size: dict) -> int:
    """Room above the plot for the title and for subplot titles (annotations above the paper), line by line."""
    top = 20
    title = fig.layout.title.text
    if title:
        top = 60 + (title.count("<br>")) * round(size["title"] * 1.3)
    for note in fig.layout.annotations or ():
        if note.yref == "paper" and note.y is not None and note.y >= 0.99 and note.text:
            top = max(top, 20 + (note.text.count("<br>") + 1) * round(size["font"] * 1.6))
    return top


TEMPLATE = "plotly_white"


def _set_template(fig, name: str) -> None:
    """``fig.layout.template = name`` without Plotly's validation of the template's few hundred properties, the way
    Plotly itself assigns its default template (``BaseFigure._initialize_layout_template``): a registered template
    is valid already. The same figure either way (a copy of the template, the same ``to_dict()``); validating it
    was most of the styling's time (~17 ms of ~35 ms a figure on an idle core, issue 22)."""
    import plotly.io as pio

    layout = fig._layout_obj
    if not fig._allow_disable_validation:
        fig.update_layout(template=name)
        return
    layout._validate = False
    try:
        layout.template = pio.templates[name]
    finally:
        layout._validate = fig._validate


def style_figure(fig, projection: bool = False, height: int | None = None):
    """Apply the app's palette, fonts and sizes to a Plotly figure (in place) and return it."""
    size = PROJECTION if projection else NORMAL
    _set_template(fig, TEMPLATE)
    fig.update_layout(
        colorway=COLORWAY,
        font={"family": FONT_FAMILY, "size": size["font"], "color": "#111111"},
        title_font={"size": size["title"]},
        legend={"font": {"size": size["font"]}},
        height=height or fig.layout.height or size["height"],
        margin={"l": 10, "r": 10, "t": _top_margin(fig, size), "b": 10},
        hoverlabel={"font_size": size["font"]},
    )
    fig.update_xaxes(title_font={"size": size["font"]}, tickfont={"size": size["font"]}, automargin=True)
    fig.update_yaxes(title_font={"size": size["font"]}, tickfont={"size": size["font"]}, automargin=True)
    for trace in fig.data:
        kind = trace.type
        if kind in ("scatter", "scattergl"):
            if trace.line is not None:
                width = trace.line.width
                trace.line.width = (
                    max(width or 0, size["line"]) if not projection else max((width or 0) * 2, size["line"])
                )
            if trace.marker is not None:
                msize = trace.marker.size
                if msize is None or isinstance(msize, (int, float)):
                    trace.marker.size = (
                        size["marker"] if msize is None else max(msize, size["marker"]) if projection else msize
                    )
    if projection:
        fig.update_annotations(font_size=size["font"])
        _fit_colorbars(fig, size["font"])
    _preset_margins(fig, size)
    return fig


def _text_px(text: str, font: int) -> float:
    """About how wide ``text`` is drawn at ``font`` px: a Hangul or CJK character 0.8 of the font, a Latin one 0.55."""
    return sum(0.8 * font if ord(c) >= 0x1100 else 0.55 * font for c in str(text))


def _y_tick_chars(fig) -> int | None:
    """About how many characters the y axis's longest tick label has (Plotly's ~6 round ticks over the data's
    range), or None when that is hard to tell (thousands, a format of its own): then no guess."""
    finite = []
    for trace in fig.data:
        if trace.y is not None:
            try:
                y = np.ravel(np.asarray(trace.y, dtype=np.float64))
            except (TypeError, ValueError):  # labels, not numbers: a category axis
                return None
            finite.append(y[np.isfinite(y)])
    values = np.concatenate(finite) if finite else np.zeros(0)
    if not values.size:
        return None
    low, high = float(values.min()), float(values.max())
    if fig.layout.shapes:  # a zero line (residuals) or bands: Plotly's range reaches them
        low = min(low, 0.0)
    if max(abs(low), abs(high)) >= 1000 or fig.layout.yaxis.tickformat:
        return None
    step = (high - low) / 6 or 1.0
    decimals = max(0, -math.floor(math.log10(step)))
    return max(len(f"{v:.{decimals}f}") for v in (low, high))


def _preset_margins(fig, size: dict) -> None:
    """Margins about as wide as a line chart's y tick labels, axis titles and legend need, in place (only scatter
    traces; any other figure keeps the margins above). Plotly's automargin stays on: it keeps margins that are wide
    enough, so the chart is drawn once; a guess too small only costs the second drawing, as without one, and one
    too large leaves a few pixels more beside the plot. Only the margins change, and only wider."""
    if not fig.data or any(trace.type != "scatter" for trace in fig.data):
        return  # heat maps, bars, images: their colour bars and labels are not guessed here
    font = size["font"]
    margin = fig.layout.margin
    chars = _y_tick_chars(fig)
    # calibrated on the toy's charts in Chromium (14 px: 72-80 px left, 67 px below; projection's 22 px: 101-113, 93),
    # each with its axis titles; an axis without a title needs its tick labels' room only
    y_title = 2.2 * font if fig.layout.yaxis.title.text else 0.0
    left = None if chars is None else math.ceil(chars * 0.6 * font + y_title + 20)
    bottom = math.ceil(3.25 * font + 24) if fig.layout.xaxis.title.text else math.ceil(1.75 * font + 20)
    if fig.layout.xaxis.rangeslider.visible:  # the slider under the axis: its height is Plotly's to work out
        bottom = 0
    names = [tr.name for tr in fig.data if tr.name and tr.showlegend is not False]
    legend = fig.layout.legend
    beside = legend.orientation != "h" and (legend.x is None or legend.x >= 1)  # Plotly's place: right of the plot
    shown = fig.layout.showlegend is not False and (len(names) > 1 or any(tr.showlegend for tr in fig.data))
    right = math.ceil(max(_text_px(n, font) for n in names) + 2 * font + 40) if shown and names and beside else None
    fig.update_layout(
        margin={
            "l": max(margin.l or 0, left or 0),
            "b": max(margin.b or 0, bottom),
            "r": max(margin.r or 0, right or 0),
        }
    )


COLORBAR_TRACES = ("heatmap", "contour", "histogram2d", "histogram2dcontour")


def _fit_colorbars(fig, font: int) -> None:
    """Fewer colorbar ticks when the bar is short: big projection labels must not overlap (a one-band heatmap
    of ~200 px leaves the bar ~70 px, room for two labels at 22 px, while Plotly would place five)."""
    margin = fig.layout.margin
    below = 3 * font  # x tick labels and axis title under the plot (automargin adds them inside the height)
    plot_px = fig.layout.height - (margin.t or 0) - (margin.b or 0) - below
    for trace in fig.data:
        if trace.type not in COLORBAR_TRACES or trace.showscale is False:
            continue
        bar = trace.colorbar
        if bar.lenmode == "pixels":
            bar_px = bar.len or plot_px
        else:
            bar_px = plot_px * (1.0 if bar.len is None else bar.len)
        fit = int(bar_px // (2 * font))  # a label and a gap as tall as a label
        bar.update(tickfont={"size": font})
        if fit >= 4 or bar.tickvals is not None:
            bar.update(nticks=min(bar.nticks or fit, fit))
            continue
        # Too short for Plotly's round steps (nticks=2 often leaves a lone "0"): label the two ends of the range.
        z = np.asarray(trace.z, dtype=np.float64) if trace.z is not None else np.zeros(1)
        low = trace.zmin if trace.zmin is not None else float(np.nanmin(z))
        high = trace.zmax if trace.zmax is not None else float(np.nanmax(z))
        if np.isfinite(low) and np.isfinite(high) and high > low:
            bar.update(tickvals=[low, high], ticktext=[f"{low:.2g}", f"{high:.2g}"])
