"""The Data page's figures: the series (with spikes, currency units, candlesticks), histograms,
before/after cleaning, one window, and the grid of small multiples."""

from __future__ import annotations

import streamlit as st

from rnn_lab.data.calendar import series_calendar
from rnn_lab.data.clean import spike_mask
from rnn_lab.data.display import value_decimals
from rnn_lab.data.prepare import PreparedData
from rnn_lab.data.reader import Loaded
from rnn_lab.data.units import (
    CURRENCY_CHOICES,
    apply_units,
    axis_title,
    column_currency,
    date_hoverformat,
    unit_decimals,
    unit_label,
    with_choice,
)
from rnn_lab.style import color
from ui.common import lang, projection, t

# ------------------------------------------------------------------------------------------------ drawing helpers
MAX_POINTS = 20_000  # points per line chart; longer series are shown every k-th row (the data are not changed)


def _x_title(loaded_or_frame) -> str:
    index = getattr(loaded_or_frame, "frame", loaded_or_frame).index
    return t("data.look.x_date") if index.__class__.__name__ == "DatetimeIndex" else t("data.look.x_step")


def chart_rows(loaded: Loaded):
    """The rows the series chart shows: every k-th row of very long uploads (the data are not changed)."""
    frame = loaded.frame
    step = -(-len(frame) // MAX_POINTS)  # ceil: keep the browser responsive on very long uploads
    return (frame.iloc[::step] if step > 1 else frame), step


def spike_hints(loaded: Loaded, column: str):
    """Rows of ``column`` far from their neighbours (a hint, see :func:`rnn_lab.data.clean.spike_mask`)."""
    frame, _ = chart_rows(loaded)
    return spike_mask(frame[[column]])[column]


def series_figure(loaded: Loaded, column: str, cleaned=None):
    """Line chart (candlestick when OHLC exists) with a range slider; missing values and spike hints marked.

    ``cleaned`` (the column after cleaning, as the model trains on it) places each missing value where cleaning
    put it and draws the filled stretches as they are (forward-filled: flat), not a guessed slope.

    A candlestick with a missing price draws an SVG path with NaN in it (Chromium logs
    "<path> attribute d: Expected number"): rows without all four prices are left out of the candles (a
    gap), and the missing values get their own markers.
    """
    import plotly.graph_objects as go

    frame, step = chart_rows(loaded)
    fig = go.Figure()
    if loaded.has_ohlc and column in ("Open", "High", "Low", "Close"):
        ohlc = frame[["Open", "High", "Low", "Close"]].dropna()
        fig.add_trace(candlestick(ohlc, column_unit(loaded.source, "Close", loaded.currency)))
    else:
        fig.add_trace(
            go.Scatter(
                x=frame.index,
                y=frame[column],
                mode="lines",
                name=column,
                connectgaps=False,
                line={"color": color("actual")},
            )
        )
    missing = frame[column].isna()
    filled = cleaned.reindex(frame.index) if cleaned is not None else None
    if filled is not None and (missing & filled.notna()).any():
        # the filled values with the real value before each run: the line the model trains on (flat when forward-filled)
        near = missing | missing.shift(-1, fill_value=False)
        fig.add_trace(
            go.Scatter(
                x=frame.index,
                y=filled.where(near),
                mode="lines",
                connectgaps=False,
                name=t("data.prep.filled_marker"),
                line={"color": color("model"), "dash": "dot"},
            )
        )
    if missing.any() and frame[column].notna().any():
        y = frame[column].interpolate(limit_direction="both")[missing]  # dropped rows: between their neighbours
        if filled is not None:
            y = filled[missing].fillna(y)
        fig.add_trace(
            go.Scatter(
                x=y.index,
                y=y,
                mode="markers",
                name=t("data.look.missing_marker"),
                marker={"symbol": "x", "color": color("model"), "size": 10},
            )
        )
    spikes = spike_hints(loaded, column)
    if spikes.any():
        fig.add_trace(
            go.Scatter(
                x=frame.index[spikes.to_numpy()],
                y=frame[column][spikes.to_numpy()],
                mode="markers",
                name=t("data.look.spike_marker"),
                marker={"symbol": "circle-open", "color": color("validation"), "size": 12, "line": {"width": 2}},
            )
        )
    title = t("data.look.chart_title", column=column)
    if step > 1:
        title += " " + t("data.look.downsampled", step=step)
    code = column_unit(loaded.source, column, currency_signs(loaded, st.session_state.get("data_target", "")))
    fig.update_layout(
        title=title, xaxis_rangeslider_visible=True, xaxis_title=_x_title(loaded), yaxis_title=_unit_title(column, code)
    )
    return _units(fig, frame.index, code, frame[column])


def currency_signs(loaded: Loaded, target: str) -> dict:
    """The currency signs of the file's columns, with the user's choice for an upload's target (``data_currency``)."""
    choice = st.session_state.get("data_currency", "auto") if loaded.source.startswith("upload:") else "auto"
    return with_choice(loaded.currency, target, choice)


def currency_ui(loaded: Loaded, column) -> None:
    """An upload's target: which currency it is in (the file's sign or column name by default; nothing is guessed)."""
    if not loaded.source.startswith("upload:"):
        return
    found = column_currency(loaded.source, st.session_state.get("data_target", ""), loaded.currency)

    def label(code: str) -> str:
        if code == "auto":
            return t("units.currency.auto", found=unit_label(found, lang()) if found else t("units.currency.none"))
        if code == "none":
            return t("units.currency.none")
        return f"{code} ({unit_label(code, 'ko')})" if lang() == "ko" else code

    column.selectbox(
        t("units.currency.label"),
        CURRENCY_CHOICES,
        key="data_currency",
        format_func=label,
        help=t("units.currency.help"),
    )


def column_unit(source: str, column: str, signs: dict | None = None) -> str | None:
    """The currency of a column (rnn_lab.data.units: the bundled registry, the file's sign, the column's name)."""
    return column_currency(source, column, signs)


def _unit_title(column: str, code: str | None) -> str:
    return axis_title(column, code, lang())


def _units(fig, index, code: str | None, values):
    """Hovers in the column's unit (45,298 원) with the full date; a column without a currency keeps its own
    decimals (the Data page's format of that column)."""
    return apply_units(fig, index, code, lang(), decimals=None if code else value_decimals(values))


# Korean brokers draw a rising day red and a falling day blue; English charts mostly green up, red down.
CANDLE_COLORS = {"ko": ("#D55E00", "#0072B2"), "en": ("#009E73", "#D55E00")}  # (up, down), Okabe-Ito


def candlestick(ohlc, code: str | None):
    """OHLC candles in the reader's convention (Korean: red up, blue down), named so the legend says which, with
    hovers in the prices' unit."""
    import plotly.graph_objects as go

    up, down = CANDLE_COLORS.get(lang(), CANDLE_COLORS["en"])
    d = unit_decimals(code, 2) if code else 2
    label = unit_label(code, lang())
    unit = f" {label}" if label else ""

    day = "%{x|" + date_hoverformat(lang(), series_calendar(ohlc.index)) + "}"  # the full date, as the lines say it
    lines = [day] + [f"{t(f'units.candle.{k}')} %{{{k}:,.{d}f}}{unit}" for k in ("open", "high", "low", "close")]
    return go.Candlestick(
        x=ohlc.index,
        open=ohlc["Open"],
        high=ohlc["High"],
        low=ohlc["Low"],
        close=ohlc["Close"],
        name=t("units.candle.legend"),
        showlegend=True,
        increasing={"line": {"color": up}, "fillcolor": up},
        decreasing={"line": {"color": down}, "fillcolor": down},
        hovertemplate="<br>".join(lines) + "<extra></extra>",
    )


def histogram_figure(frame, column: str):
    import plotly.graph_objects as go

    fig = go.Figure(go.Histogram(x=frame[column], nbinsx=40, marker_color=color("train"), name=column))
    fig.update_layout(
        title=t("data.look.histogram_title", column=column),
        xaxis_title=column,
        yaxis_title=t("data.look.count"),
        showlegend=False,
        height=300,
    )
    return fig


def before_after_figure(before, after, column: str, changed, code: str | None = None):
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=before.index,
            y=before[column],
            mode="lines",
            name=t("data.prep.before"),
            line={"color": color("baseline")},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=after.index, y=after[column], mode="lines", name=t("data.prep.after"), line={"color": color("actual")}
        )
    )
    if changed is not None and changed[column].any():
        hit = changed[column]
        fig.add_trace(
            go.Scatter(
                x=after.index[hit],
                y=after[column][hit],
                mode="markers",
                name=t("data.prep.outliers_done", n=int(hit.sum())),
                marker={"color": color("model"), "size": 8},
            )
        )
    fig.update_layout(
        title=t("data.prep.before_after"), xaxis_title=_x_title(after), yaxis_title=_unit_title(column, code)
    )
    return _units(fig, after.index, code, after[column])


def window_figure(prepared: PreparedData, i: int):
    """The target series with window ``i`` (training split) highlighted and its label marked."""
    import plotly.graph_objects as go

    series = prepared.series
    target = prepared.target
    label_row = int(prepared.idx_train[i])
    start = label_row - prepared.horizon - prepared.window + 1
    rows = series.iloc[start : start + prepared.window]
    # show some context around the window, not the whole series
    lo, hi = max(0, start - 3 * prepared.window), min(len(series), label_row + 3 * prepared.window + 1)
    ctx = series.iloc[lo:hi]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=ctx.index,
            y=ctx[target],
            mode="lines+markers",
            name=target,
            line={"color": color("actual")},
            marker={"size": 4},
        )
    )
    fig.add_vrect(x0=rows.index[0], x1=rows.index[-1], fillcolor=color("highlight"), opacity=0.35, line_width=0)
    fig.add_trace(
        go.Scatter(
            x=rows.index,
            y=rows[target],
            mode="markers",
            name=t("data.prep.window_inputs"),
            marker={"color": color("train"), "size": 9},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[series.index[label_row]],
            y=[series[target].iloc[label_row]],
            mode="markers",
            name=t("data.prep.window_label"),
            marker={"color": color("forecast"), "size": 14, "symbol": "star"},
        )
    )
    code = column_unit(prepared.source, target, prepared.currency)
    fig.update_layout(
        title=t("data.prep.window_plot_title", i=i), xaxis_title=_x_title(series), yaxis_title=_unit_title(target, code)
    )
    return _units(fig, series.index, code, series[target])


def grid(n: int) -> list:
    """``n`` side-by-side cells; in projection mode at most two per row.

    A select shows its value in an ``<input>``, which cannot wrap: at the projection font a third of the
    page cuts "앞의 값으로 채우기 (forward-fill)" to "앞의 값으로 채우기 (forwar". Two per row fit.
    """
    per_row = min(n, 2) if projection() else n
    cells: list = []
    while len(cells) < n:
        cells += st.columns(per_row)
    return cells[:n]
