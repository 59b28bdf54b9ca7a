"""What the Inside-the-cell page draws, built from a NumPy trace (no Keras, no Streamlit here).

Everything is computed from ``numpy_rnn`` traces that the page caches once per model and window. The step
view gets every step's values at once (:func:`step_view_data`) and the browser slices them when the slider
moves, without asking the server. Large layers are summarised: heatmaps keep at most ``MAX_HEAT_UNITS`` units
(the most active ones) and ``MAX_HEAT_STEPS`` time steps (evenly strided), the step view shows norms instead
of every number and bars for at most ``MAX_BAR_UNITS`` units.
"""

from __future__ import annotations

import html
import re

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnn_lab.i18n import t as _t
from rnn_lab.inside.numpy_rnn import GATES, DirectionTrace

SMALL = 8  # up to this many units and features the equation shows every number
MAX_HEAT_UNITS = 128  # heatmap rows (units) kept for large layers
MAX_HEAT_STEPS = 300  # heatmap columns (time steps) kept for long windows
MAX_BAR_UNITS = 64  # units drawn as bars in the step view
MAX_WEIGHT_CELLS = 120_000  # weight heatmap cells kept (rows x columns), by striding
HEAT_SCALE = "RdBu_r"  # diverging: blue negative, white 0, red positive (colour-blind safe)

SIGMOID_VALUES = ("i", "f", "o", "z", "r")  # gates squashed to [0, 1]
# The per-step values each cell shows as heatmap bands, top to bottom (catalogue keys inside.value.*).
TIME_BANDS = {
    "simple_rnn": ("h",),
    "lstm": ("h", "c", "i", "f", "g", "o"),
    "gru": ("h", "z", "r", "hh"),
}


def is_large(units: int, features: int) -> bool:
    """True when the equation shows summaries instead of every number."""
    return units > SMALL or features > SMALL


def unit_selection(values: np.ndarray, limit: int = MAX_HEAT_UNITS) -> np.ndarray:
    """Indices of the units to draw: all of them, or the ``limit`` with the largest variance over time."""
    n = values.shape[-1]
    if n <= limit:
        return np.arange(n)
    spread = values.reshape(-1, n).var(axis=0)  # (U,) variance over time
    return np.sort(np.argsort(spread)[-limit:])


def step_selection(n_steps: int, limit: int = MAX_HEAT_STEPS) -> np.ndarray:
    """Indices of the time steps to draw: all of them, or ``limit`` evenly spaced ones (always the last)."""
    if n_steps <= limit:
        return np.arange(n_steps)
    return np.unique(np.linspace(0, n_steps - 1, limit).round().astype(int))


# ---------------------------------------------------------------------------------------------------------
# The equation of the cell, with the real shapes, and the numbers of step t
# ---------------------------------------------------------------------------------------------------------


def _ub(symbol: str, shape: str) -> str:
    return rf"\underbrace{{{symbol}}}_{{{shape}}}"


def equations(cell: str, features: int, units: int, reset_after: bool = True) -> list[str]:
    """LaTeX lines of the cell's equations with the actual matrix shapes (batch of one window)."""
    row_x, row_h = f"1\\times {features}", f"1\\times {units}"  # x_t is (1, F), h_{t-1} is (1, U)
    in_w, rec_w = f"{features}\\times {units}", f"{units}\\times {units}"  # W (F, U), U (U, U) per gate
    x, h = _ub("x_t", row_x), _ub("h_{t-1}", row_h)

    def affine(g: str) -> str:  # x_t W_g + h_{t-1} U_g + b_g with shapes under each factor
        return x + r"\," + _ub(f"W_{g}", in_w) + " + " + h + r"\," + _ub(f"U_{g}", rec_w) + f" + b_{g}"

    if cell == "simple_rnn":
        return [
            r"h_t = \tanh\big("
            + x
            + r"\,"
            + _ub("W", in_w)
            + " + "
            + h
            + r"\,"
            + _ub("U", rec_w)
            + " + "
            + _ub("b", str(units))
            + r"\big)"
        ]
    if cell == "lstm":
        lines = [
            f"{g}_t = \\{fn}\\big(" + affine(g) + r"\big)"
            for g, fn in (("i", "sigma"), ("f", "sigma"), ("g", "tanh"), ("o", "sigma"))
        ]
        return [*lines, r"c_t = f_t \odot c_{t-1} + i_t \odot g_t", r"h_t = o_t \odot \tanh(c_t)"]
    lines = [f"{g}_t = \\sigma\\big(" + affine(g) + r"\big)" for g in ("z", "r")]
    u_h = _ub("U_h", rec_w)
    if reset_after:
        lines.append(r"\tilde h_t = \tanh\big(x_t W_h + b_h + r_t \odot (h_{t-1}\," + u_h + r" + b'_h)\big)")
    else:
        lines.append(r"\tilde h_t = \tanh\big(x_t W_h + b_h + (r_t \odot h_{t-1})\," + u_h + r"\big)")
    return [*lines, r"h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t"]


def _previous(values: np.ndarray, direction: str) -> np.ndarray:
    """(T, U) -> the value one step earlier in processing order, zeros at the first processed step.

    The backward pass reads the window from the end, so its "previous" step is t+1.
    """
    out = np.zeros_like(values)
    if direction == "backward":
        out[:-1] = values[1:]
    else:
        out[1:] = values[:-1]
    return out


def step_arrays(trace: DirectionTrace, x: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Every vector that enters or leaves the cell, for every step: ``[(name, (T, n))]`` in equation order.

    ``x`` is the layer input (T, F) of batch row 0; rows are in the original time order (step t is row t-1).
    Names are catalogue keys ``inside.value.*``: x, h_prev, then a + h (SimpleRNN), c_prev, i, f, g, o, c, h
    (LSTM) or z, r, hh, h (GRU).
    """
    x = np.asarray(x, dtype=np.float64)  # (T, F)
    values = {name: arr[0] for name, arr in trace.values.items()}  # name -> (T, U)
    h_prev = _previous(values["h"], trace.direction)  # (T, U) h_{t-1}; h_0 = 0
    out = [("x", x), ("h_prev", h_prev)]
    if trace.cell == "simple_rnn":
        w = trace.weights
        b = np.zeros(trace.units) if w["bias"] is None else w["bias"]
        a = x @ w["kernel"] + h_prev @ w["recurrent_kernel"] + b  # (T, U) pre-activation of every step
        return [*out, ("a", a), ("h", values["h"])]
    if trace.cell == "lstm":
        c_prev = _previous(values["c"], trace.direction)  # (T, U) c_{t-1}; c_0 = 0
        return [*out, ("c_prev", c_prev)] + [(g, values[g]) for g in ("i", "f", "g", "o", "c", "h")]
    return out + [(g, values[g]) for g in ("z", "r", "hh", "h")]


def step_values(trace: DirectionTrace, x: np.ndarray, t: int) -> list[tuple[str, np.ndarray]]:
    """The vectors that enter and leave the cell at step ``t`` (1-based, original time order), batch row 0."""
    return [(name, arr[t - 1]) for name, arr in step_arrays(trace, x)]


def latex_block(lines: list[str]) -> str:
    """Several equations as one LaTeX block, one per line (one page element instead of many)."""
    return r"\begin{gathered}" + r" \\[4pt] ".join(lines) + r"\end{gathered}"


def vector_stats(v: np.ndarray) -> np.ndarray:
    """(..., n) -> (..., 4): the norm, min, max and mean a long vector is summarised by."""
    v = np.asarray(v, dtype=np.float64)
    return np.stack([np.linalg.norm(v, axis=-1), v.min(axis=-1), v.max(axis=-1), v.mean(axis=-1)], axis=-1)


def _md_html(text: str) -> str:
    """A catalogue message for the browser component: HTML-escaped except ``<sub>``, ``**bold**`` -> <b>."""
    escaped = html.escape(text, quote=False)
    for tag in ("sub", "/sub", "b", "/b"):
        escaped = escaped.replace(f"&lt;{tag}&gt;", f"<{tag}>")
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", escaped)


def _rounded(values: np.ndarray, decimals: int) -> list:
    """Plain lists for JSON, rounded (the browser shows 2 decimals; 3-4 keep the hover exact enough)."""
    return np.round(np.asarray(values, dtype=np.float64), decimals).tolist()


BAR_COLORS = {"h_prev": "#56B4E9", "h": "#0072B2", "c": "#E69F00"}  # Okabe-Ito sky blue, blue, orange


def nice_top(value: float) -> float:
    """The end of an axis from -top to top that holds ``value``: rounded up to two significant digits (0.0372 ->
    0.038, 11.3 -> 12); 1 for an all-zero quantity."""
    value = abs(float(value))
    if not np.isfinite(value) or value <= 0:
        return 1.0
    unit = 10.0 ** (np.floor(np.log10(value)) - 1)  # the second significant digit
    return float(np.round(np.ceil(value / unit - 1e-9) * unit, 12))


def step_view_data(
    layer_run, lang: str, step: int, projection: bool = False, signature: str = "", text: bool = False
) -> dict:
    """Every step's values of one layer, sent to the browser once; its step view slices them on each move.

    For each direction: ``rows`` (one per vector of the equation: every number for vectors of up to
    ``SMALL`` values, else the norm/min/max/mean per step) and ``bars`` (h_{t-1}, h_t and, for LSTM, c_t of
    up to ``MAX_BAR_UNITS`` units per step, on a fixed value range so bars of different steps compare).
    Texts come from the catalogue as HTML with ``{t}`` left for the browser to fill (``text``: the headings say
    "sentence", not "window").
    """
    x = layer_run.x[0]  # (T, F) the layer's input
    n_steps = x.shape[0]
    directions = []
    for trace in layer_run.directions:
        rows = []
        for name, arr in step_arrays(trace, x):  # arr (T, n)
            row = {"name": name, "label": _md_html(_t(f"inside.value.{name}", lang)), "size": int(arr.shape[1])}
            if arr.shape[1] <= SMALL:
                row["values"] = _rounded(arr, 4)  # (T, n)
            else:
                row["stats"] = _rounded(vector_stats(arr), 4)  # (T, 4) norm, min, max, mean
            rows.append(row)
        h = trace.values["h"][0]  # (T, U)
        units = unit_selection(h, MAX_BAR_UNITS)
        series = [("h_prev", _previous(h, trace.direction)), ("h", h)]
        if trace.cell == "lstm":
            series.append(("c", trace.values["c"][0]))
        # Each quantity on its own range (issue 27): c_t of an LSTM reaches +-12 where h_t stays inside +-1, and an
        # untrained h_t may stay inside +-0.05; one shared axis flattened all but the largest. h_{t-1} and h_t are
        # one quantity a step apart: they share their axis (so the step's change reads), c_t gets its own.
        tops = {"h": nice_top(max(float(np.abs(v).max()) for name, v in series if name != "c"))}
        if trace.cell == "lstm":
            tops["c"] = nice_top(float(np.abs(trace.values["c"][0]).max()))
        title = "inside.fig.step_bars_lstm" if trace.cell == "lstm" else "inside.fig.step_bars"
        directions.append(
            {
                "direction": trace.direction,
                "heading": _md_html(
                    _t(f"{'text_inside' if text else 'inside'}.direction_{trace.direction}", lang, t="{t}", T=n_steps)
                ),
                "rows": rows,
                "bars": {
                    "title": _md_html(_t(title, lang, t="{t}")),
                    "units": [int(u) + 1 for u in units],
                    "top": tops["h"],
                    "series": [
                        {
                            "name": name,
                            "label": _md_html(_t(f"inside.value.{name}", lang)),
                            "color": BAR_COLORS[name],
                            "axis": "c" if name == "c" else "h",  # bars of one axis share its range
                            "top": tops["c" if name == "c" else "h"],
                            "values": _rounded(v[:, units], 3),  # (T, U')
                        }
                        for name, v in series
                    ],
                },
            }
        )
    labels = {
        key: _md_html(_t(f"inside.{key}", lang))
        for key in ("step", "play", "pause", "stat.norm", "stat.min", "stat.max", "stat.mean", "fig.unit")
    }
    return {
        "signature": signature,
        "steps": n_steps,
        "step": int(min(max(1, step), n_steps)),
        "small": SMALL,
        "projection": bool(projection),
        "labels": labels,
        "directions": directions,
    }


# ---------------------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------------------


def _heatmap(
    values: np.ndarray,
    units: np.ndarray,
    steps: np.ndarray,
    lang: str,
    zmid: float | None = 0.0,
    showscale: bool = True,
):
    """values (T, U) -> a heatmap trace with units as rows and time steps (1-based) as columns."""
    z = values[np.ix_(steps, units)].T  # (U', T')
    hover = f"t=%{{x}}<br>{_t('inside.fig.unit', lang)} %{{y}}<br>%{{z:.3f}}<extra></extra>"
    return go.Heatmap(
        z=z,
        x=steps + 1,
        y=units + 1,
        colorscale=HEAT_SCALE,
        zmid=zmid,
        showscale=showscale,
        colorbar={"len": 0.9, "thickness": 12},
        hovertemplate=hover,
    )


def _marker(step: int | None) -> list[dict]:
    """The black vertical line at time step ``step`` (a plain layout shape: cheap to move)."""
    if step is None:
        return []
    return [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": step,
            "x1": step,
            "y0": 0,
            "y1": 1,
            "line": {"color": "black", "width": 2},
        }
    ]


def time_heatmaps(trace: DirectionTrace, step: int | None, lang: str) -> go.Figure:
    """h_t, then (LSTM) c_t, i, f, g, o or (GRU) z, r, h~ as bands of units x time steps on ONE axis, with the
    black line at step ``step`` (the step view's t).

    One figure per direction keeps a slider move cheap (one figure to rebuild, style and send). Every band has its
    own colour scale and colour bar beside it: the hidden state, the candidate and the cell state each on their own
    symmetric range around 0 (an LSTM's c_t can reach +-12 while h_t and g_t stay inside +-1: one shared scale
    washed them out), the sigmoid gates (0..1) in Viridis.
    """
    names = TIME_BANDS[trace.cell]
    h = trace.values["h"][0]  # (T, U)
    units, steps = unit_selection(h), step_selection(h.shape[0])
    n = len(units)
    band = n + max(1, n // 8)  # rows per band, with a gap between bands
    span = (len(names) - 1) * band + n  # the y axis, in rows, from the top band's first row to the last band's end
    fig = go.Figure()
    ticks, labels = [], []
    for k, name in enumerate(names):
        v = trace.values[name][0]  # (T, U)
        heat = _heatmap(v, units, steps, lang)
        label = _t(f"inside.value.{name}", lang)
        heat.update(
            y=k * band + np.arange(n),
            customdata=np.broadcast_to((units + 1)[:, None], heat.z.shape),
            hovertemplate=f"{label}<br>t=%{{x}}<br>{_t('inside.fig.unit', lang)} %{{customdata}}<br>%{{z:.3f}}"
            "<extra></extra>",
            # the band's own colour bar, beside the band (paper coordinates: the y axis is reversed, band 0 on top)
            colorbar={"len": n / span, "lenmode": "fraction", "y": 1 - (k * band + n / 2) / span, "yanchor": "middle"},
        )
        if name in SIGMOID_VALUES:  # sigmoid gates live in [0, 1]
            heat.update(zmin=0.0, zmax=1.0, zmid=None, colorscale="Viridis")
        else:  # its own symmetric range: white is 0, the darkest red/blue this band's largest |value|
            top = nice_top(float(np.abs(v[np.ix_(steps, units)]).max()))
            heat.update(zmin=-top, zmax=top, zmid=0.0)
        fig.add_trace(heat)
        ticks.append(k * band + (n - 1) / 2)
        labels.append(label)
    fig.update_layout(
        title=_t(f"inside.fig.bands_{trace.direction}" + ("_simple_rnn" if trace.cell == "simple_rnn" else ""), lang),
        shapes=_marker(step),
        height=min(900, 140 + len(names) * max(70, 2 * min(n, 64))),
        xaxis={"title": _t("inside.fig.time_step", lang)},
        yaxis={"tickvals": ticks, "ticktext": labels, "autorange": "reversed", "showgrid": False},
    )
    return fig


def _strided(matrix: np.ndarray, limit: int = MAX_WEIGHT_CELLS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows, cols = matrix.shape
    stride = max(1, int(np.ceil(np.sqrt(rows * cols / limit))))
    r, c = np.arange(0, rows, stride), np.arange(0, cols, stride)
    return matrix[np.ix_(r, c)], r, c


def weight_figure(trace: DirectionTrace, which: str, lang: str, short_labels: bool = False) -> go.Figure:
    """``kernel`` or ``recurrent_kernel`` as a heatmap, its column blocks labelled with their gate.

    ``short_labels`` (projection mode: big fonts) writes only the gate's letter over its block, the full name
    in the hover text, so four names do not run into each other.
    """
    w = trace.weights[which]  # (F or U, n_gates * U)
    z, rows, cols = _strided(w)
    column = _t("inside.fig.column_simple_rnn" if trace.cell == "simple_rnn" else "inside.fig.column", lang)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=cols,
            y=[str(r + 1) for r in rows],
            colorscale=HEAT_SCALE,
            zmid=0.0,
            colorbar={"thickness": 12},
            hovertemplate=f"{_t('inside.fig.row', lang)} %{{y}}, {column} %{{x}}<br>%{{z:.3f}}<extra></extra>",
        )
    )
    U = trace.units
    for k, (gate, _meaning) in enumerate(GATES[trace.cell]):
        if k:
            fig.add_vline(x=k * U - 0.5, line_color="black", line_width=2)
        label = _t(f"inside.gate.{trace.cell}.{gate}", lang)
        fig.add_annotation(
            x=k * U + (U - 1) / 2,
            y=1.0,
            yref="paper",
            yanchor="bottom",
            text=f"<b>{gate}</b>" if short_labels else label,
            hovertext=label,
            showarrow=False,
        )
    row_title = "inside.fig.input_feature" if which == "kernel" else "inside.fig.unit_prev"
    fig.update_layout(
        title=_t(f"inside.fig.{which}", lang, rows=w.shape[0], cols=w.shape[1]),
        height=320,
        xaxis={"title": column, "range": [-0.5, w.shape[1] - 0.5]},  # the matrix, no more
        yaxis={"title": _t(row_title, lang), "autorange": "reversed", "type": "category"},
    )
    return fig


def weights_figure(trace: DirectionTrace, lang: str, short_labels: bool = False, stacked: bool = False) -> go.Figure:
    """``kernel`` and ``recurrent_kernel`` in one figure: the two heat maps of :func:`weight_figure` side by side (or,
    ``stacked``, one above the other for projection mode's big fonts), each with its own colour bar, gate blocks and
    title. One chart for the browser to draw instead of two (issue 22)."""
    from plotly.subplots import make_subplots

    parts = [weight_figure(trace, which, lang, short_labels=short_labels) for which in ("kernel", "recurrent_kernel")]
    rows, cols = (2, 1) if stacked else (1, 2)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[f"<b>{part.layout.title.text}</b>" for part in parts],
        horizontal_spacing=0.16,
        vertical_spacing=0.24,
    )
    for title in fig.layout.annotations:  # above the gate names, which sit on the top edge of each matrix
        title.update(yshift=22)
    for n, part in enumerate(parts, start=1):
        row, col = (n, 1) if stacked else (1, n)
        suffix = "" if n == 1 else str(n)
        x_domain, y_domain = fig.layout[f"xaxis{suffix}"].domain, fig.layout[f"yaxis{suffix}"].domain
        heat = part.data[0]
        heat.update(
            colorbar={
                "thickness": 12,
                "x": x_domain[1] + 0.01,
                "xanchor": "left",
                "y": (y_domain[0] + y_domain[1]) / 2,
                "yanchor": "middle",
                "len": y_domain[1] - y_domain[0],
            }
        )
        fig.add_trace(heat, row=row, col=col)
        for shape in part.layout.shapes:  # the lines between gate blocks
            fig.add_vline(x=shape.x0, line_color="black", line_width=2, row=row, col=col)
        for note in part.layout.annotations:  # the gate names over their blocks
            fig.add_annotation(note.to_plotly_json() | {"xref": f"x{suffix}", "yref": f"y{suffix} domain"})
        fig.update_xaxes(part.layout.xaxis.to_plotly_json(), row=row, col=col)
        fig.update_yaxes(part.layout.yaxis.to_plotly_json(), row=row, col=col)
    fig.update_layout(height=720 if stacked else 380)
    return fig


def connectivity_figure(conn: np.ndarray, lang: str, title: str | None = None) -> go.Figure:
    """Bars of ||dŷ/dx_t|| over t = 1..T."""
    conn = np.asarray(conn, dtype=np.float64).ravel()
    fig = go.Figure(
        go.Bar(
            x=np.arange(1, len(conn) + 1),
            y=conn,
            marker_color="#D55E00",
            hovertemplate="t=%{x}<br>%{y:.4g}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title or _t("inside.fig.connectivity", lang),
        height=320,
        xaxis={"title": _t("inside.fig.time_step", lang)},
        yaxis={"title": _t("inside.fig.grad_norm", lang)},
    )
    return fig


EXPERIMENT_COLORS = {"SimpleRNN": "#0072B2", "LSTM": "#D55E00", "GRU": "#009E73"}


def experiment_loss_figure(result, lang: str) -> go.Figure:
    """Validation loss per epoch of every cell, with the predict-the-mean baseline."""
    fig = go.Figure()
    for r in result.results:
        fig.add_trace(
            go.Scatter(
                x=np.arange(1, len(r.val_loss) + 1),
                y=r.val_loss,
                mode="lines+markers",
                name=r.cell,
                line={"color": EXPERIMENT_COLORS.get(r.cell)},
            )
        )
    if result.results:
        fig.add_hline(
            y=result.results[0].baseline_mse,
            line_dash="dot",
            line_color="#56B4E9",
            annotation_text=_t("inside.fig.baseline", lang),
        )
    fig.update_layout(
        title=_t("inside.fig.exp_loss", lang),
        height=360,
        xaxis={"title": _t("inside.fig.epoch", lang)},
        yaxis={"title": _t("inside.fig.val_mse", lang)},
    )
    return fig


def experiment_connectivity_figure(result, lang: str) -> go.Figure:
    """Connectivity bars of every cell side by side (same y scale, log would hide the zeros)."""
    rows = result.results
    fig = make_subplots(
        rows=1,
        cols=max(1, len(rows)),
        shared_yaxes=True,
        subplot_titles=[_t("inside.fig.exp_conn_title", lang, cell=r.cell, ratio=r.ratio) for r in rows],
    )
    for col, r in enumerate(rows, start=1):
        fig.add_trace(
            go.Bar(
                x=np.arange(1, len(r.connectivity) + 1),
                y=r.connectivity,
                name=r.cell,
                marker_color=EXPERIMENT_COLORS.get(r.cell),
                showlegend=False,
            ),
            row=1,
            col=col,
        )
        fig.update_xaxes(title_text=_t("inside.fig.time_step", lang), row=1, col=col)
    fig.update_yaxes(title_text=_t("inside.fig.grad_norm", lang), row=1, col=1)
    fig.update_layout(height=340)
    return fig


def before_after_figures(before: DirectionTrace, after: DirectionTrace, lang: str) -> list[go.Figure]:
    """h over time for the same window through the untrained and the trained weights (same colour range)."""
    top = float(max(np.abs(before.values["h"]).max(), np.abs(after.values["h"]).max(), 1e-12))
    figs = []
    for tr, key in ((before, "untrained"), (after, "trained")):
        h = tr.values["h"][0]
        fig = go.Figure(_heatmap(h, unit_selection(h), step_selection(h.shape[0]), lang))
        fig.data[0].update(zmin=-top, zmax=top)
        fig.update_layout(
            title=_t(f"inside.fig.{key}", lang),
            height=320,
            xaxis={"title": _t("inside.fig.time_step", lang)},
            yaxis={"title": _t("inside.fig.unit", lang)},
        )
        figs.append(fig)
    return figs
