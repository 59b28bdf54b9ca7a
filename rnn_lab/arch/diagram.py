"""An unrolled-in-time picture of an :class:`ArchConfig` as a Plotly figure.

One box per (layer, time step), the hidden state passed along each row, the inputs
x_t below, and the steps that emit an output above. Long windows are elided in the
middle; bidirectional layers get a forward row (h passed left to right) and a backward
row (right to left). Styling is left to ``rnn_lab.style.style_figure`` (the page applies it).
"""

from __future__ import annotations

import plotly.graph_objects as go

from rnn_lab import style
from rnn_lab.arch.config import ArchConfig
from rnn_lab.arch.params import conv1d_length, flat_width, pooled_length
from rnn_lab.i18n import t

MAX_SHOWN_STEPS = 7  # windows longer than this show the first 3 and last 3 steps around a gap
BOX_W, BOX_H = 0.62, 0.5
CELL_LABEL = {"SimpleRNN": "RNN", "LSTM": "LSTM", "GRU": "GRU"}


def shown_steps(timesteps: int) -> list[int | None]:
    """The 1-based steps drawn, with None where the middle is elided: [1, 2, 3, None, 8, 9, 10]."""
    if timesteps <= MAX_SHOWN_STEPS:
        return list(range(1, timesteps + 1))
    return [1, 2, 3, None, timesteps - 2, timesteps - 1, timesteps]


class _Canvas:
    """Collects annotations and shapes as plain dicts (Plotly's add_annotation validates each one: ~20 ms apiece)."""

    def __init__(self):
        self.annotations: list[dict] = []
        self.shapes: list[dict] = []

    def add_annotation(self, **kwargs):
        self.annotations.append(kwargs)

    def add_shape(self, **kwargs):
        self.shapes.append(kwargs)


def _arrow(fig, x0, y0, x1, y1, color, text="", dash=False):
    fig.add_annotation(
        x=x1,
        y=y1,
        ax=x0,
        ay=y0,
        xref="x",
        yref="y",
        axref="x",
        ayref="y",
        showarrow=True,
        arrowhead=2,
        arrowsize=1.2,
        arrowwidth=1.6,
        arrowcolor=color,
        text="",
        opacity=0.6 if dash else 1.0,
    )
    if text:
        fig.add_annotation(
            x=(x0 + x1) / 2, y=(y0 + y1) / 2, text=text, showarrow=False, yshift=10, font={"color": color}
        )


def unrolled_figure(cfg: ArchConfig, lang: str = "en") -> go.Figure:
    """The unrolled diagram of ``cfg`` with labels in ``lang``."""
    steps = shown_steps(cfg.timesteps)
    n_cols = len(steps)
    directions = ("forward", "backward") if cfg.bidirectional else ("forward",)
    rows = [(layer, d) for layer in range(cfg.n_layers) for d in directions]  # bottom to top
    # The two directions of a bidirectional layer sit close together inside one dashed "Bidirectional" frame.
    pair_gap = 0.72
    row_y: dict[tuple[int, str], float] = {}
    y = 1.0
    for layer in range(cfg.n_layers):
        row_y[(layer, "forward")] = y
        if cfg.bidirectional:
            row_y[(layer, "backward")] = y + pair_gap
        y = row_y[(layer, directions[-1])] + 1.0
    top_y = y  # outputs
    fig = _Canvas()
    colors = {"forward": style.color("model"), "backward": style.color("baseline")}
    box_x, box_y, hover, labels = [], [], [], []

    for (layer, direction), y in row_y.items():
        color = colors[direction]
        units = cfg.units[layer]
        for col, step in enumerate(steps):
            if step is None:
                fig.add_annotation(x=col, y=y, text="⋯", showarrow=False, font={"size": 22, "color": color})
                continue
            direction_name = t(f"arch.diagram.{direction}", lang)
            _box(
                fig,
                col,
                y,
                BOX_W,
                color,
                CELL_LABEL[cfg.cell],
                box_x,
                box_y,
                labels,
                hover,
                t("arch.diagram.cell_hover", lang, layer=layer + 1, step=step, units=units, direction=direction_name),
            )
        # h passed along the row: left to right forward, right to left backward.
        for col in range(n_cols - 1):
            x0, x1 = (col + BOX_W / 2, col + 1 - BOX_W / 2)
            if direction == "backward":
                x0, x1 = x1, x0
            elided = steps[col] is None or steps[col + 1] is None
            label = "" if elided else ("h" if cfg.cell != "LSTM" else "h, c")
            _arrow(
                fig,
                x0,
                y,
                x1,
                y,
                color,
                label if col == (n_cols - 2 if direction == "backward" else 0) else "",
                dash=elided,
            )
        # Lower layers always pass their whole sequence up to the next layer.
        is_top_of_layer = direction == directions[-1]
        if layer < cfg.n_layers - 1 and is_top_of_layer:
            for col, step in enumerate(steps):
                if step is not None:
                    _arrow(fig, col, y + BOX_H / 2 + 0.08, col, y + 1 - BOX_H / 2 - 0.08, style.color("actual"))
        if cfg.bidirectional and direction == "backward":
            y0 = row_y[(layer, "forward")] - BOX_H / 2 - 0.08
            fig.add_shape(
                type="rect",
                x0=-0.42,
                x1=n_cols - 1 + 0.42,
                y0=y0,
                y1=y + BOX_H / 2 + 0.08,
                line={"color": style.color("actual"), "width": 1, "dash": "dot"},
            )

    trace = {
        "type": "scatter",
        "x": box_x,
        "y": box_y,
        "mode": "text",
        "text": labels,
        "hovertext": hover,
        "hoverinfo": "text",
        "showlegend": False,
    }

    # Inputs x_t under the bottom row (both directions of a bidirectional layer read every x_t). With token ids
    # the Embedding sits between: id w_t -> the row E[w_t] of the V x d_e table -> x_t (one table for every step).
    bottom_y = row_y[(0, "forward")]
    input_y = 0.2
    if cfg.has_embedding:
        input_y = -0.75
        embed_color = style.color("actual")
        for col, step in enumerate(steps):
            if step is None:
                continue
            _box(
                fig,
                col,
                0.0,
                BOX_W,
                embed_color,
                "E",
                box_x,
                box_y,
                labels,
                hover,
                t("arch.diagram.embedding_hover", lang, step=step, v=cfg.embedding_vocab, d=cfg.embedding_dim),
            )
            _arrow(fig, col, input_y + 0.15, col, -BOX_H / 2, embed_color)
        name = f"Embedding({cfg.embedding_vocab}, {cfg.embedding_dim}" + (", mask_zero)" if cfg.mask_zero else ")")
        fig.add_annotation(x=-0.45, y=0.0, text=name, showarrow=False, xanchor="right")
    for col, step in enumerate(steps):
        if step is None:
            continue
        token = f"w<sub>{step}</sub>" if cfg.has_embedding else f"x<sub>{step}</sub>"
        fig.add_annotation(x=col, y=input_y, text=token, showarrow=False)
        start = BOX_H / 2 if cfg.has_embedding else 0.35
        _arrow(fig, col, start, col, bottom_y - BOX_H / 2 - (0.08 if cfg.bidirectional else 0), style.color("actual"))

    # Outputs: every step with return_sequences, else only the final one.
    top_row_y = row_y[(cfg.n_layers - 1, directions[-1])]
    out_color = style.color("forecast")
    out_name = "h"
    if cfg.dense_units is not None:
        out_name = f"Dense({cfg.dense_units}, softmax)" if cfg.head_activation == "softmax" else "Dense"
    emit_cols = [c for c, s in enumerate(steps) if s is not None] if cfg.return_sequences else [n_cols - 1]
    for col in emit_cols:
        label = f"y<sub>{steps[col]}</sub>" if cfg.return_sequences else f"y<sub>{cfg.timesteps}</sub>"
        _arrow(fig, col, top_row_y + BOX_H / 2 + (0.08 if cfg.bidirectional else 0), col, top_y - 0.2, out_color)
        fig.add_annotation(x=col, y=top_y, text=label, showarrow=False, font={"color": out_color})
    if cfg.bidirectional and not cfg.return_sequences:
        # The backward direction finishes at step 1; its last h is merged with the forward one at step T.
        _arrow(
            fig,
            0,
            row_y[(cfg.n_layers - 1, "backward")] + BOX_H / 2,
            n_cols - 1 - 0.15,
            top_y - 0.2,
            colors["backward"],
            dash=True,
        )
    if cfg.return_state:
        state = "h<sub>T</sub>, c<sub>T</sub>" if cfg.cell == "LSTM" else "h<sub>T</sub>"
        if cfg.bidirectional:
            state = t("arch.diagram.both_directions", lang, state=state)
        fig.add_annotation(
            x=n_cols - 1 + 0.5,
            y=top_row_y,
            text=t("arch.diagram.state_out", lang, state=state),
            showarrow=False,
            xanchor="left",
            font={"color": colors["forward"]},
        )

    caption = t(
        "arch.diagram.outputs_all" if cfg.return_sequences else "arch.diagram.outputs_last", lang, head=out_name
    )
    right = n_cols - 0.3 + (1.9 if cfg.return_state else 0.3)
    # Row labels on the left: which layer and direction.
    for (layer, direction), y in row_y.items():
        name = t("arch.diagram.row", lang, layer=layer + 1, units=cfg.units[layer])
        if cfg.bidirectional:
            name += " " + t(f"arch.diagram.{direction}_arrow", lang)
        fig.add_annotation(x=-0.45, y=y, text=name, showarrow=False, xanchor="right")
    layout = {
        "title": {"text": t("arch.diagram.title", lang) + f" <span style='font-size:0.7em'>({caption})</span>"},
        "xaxis": {
            "visible": False,
            "range": [(-2.0 if cfg.bidirectional else -1.6) - (1.0 if cfg.has_embedding else 0.0), right],
            "fixedrange": True,
        },
        "yaxis": {"visible": False, "range": [input_y - 0.4, top_y + 0.4], "fixedrange": True},
        "height": 160 + 85 * (len(rows) + 1) + (85 if cfg.has_embedding else 0),
        "showlegend": False,
        "annotations": fig.annotations,
        "shapes": fig.shapes,
    }
    return go.Figure(data=[trace], layout=layout, _validate=False)


def _box(fig, x, y, width, color, text, hover_x, hover_y, labels, hover, hover_text) -> None:
    fig.add_shape(
        type="rect",
        x0=x - width / 2,
        x1=x + width / 2,
        y0=y - BOX_H / 2,
        y1=y + BOX_H / 2,
        line={"color": color, "width": 2},
        fillcolor=color,
        opacity=0.25,
        layer="below",
    )
    hover_x.append(x)
    hover_y.append(y)
    labels.append(text)
    hover.append(hover_text)


def feedforward_figure(cfg: ArchConfig, lang: str = "en") -> go.Figure:
    """The Conv1D or Flatten + Dense model as a picture: no state carried from step to step.

    Conv1D: each output o_j sees k neighbouring steps x_j..x_(j+k-1) through the same filters (the first and the
    last window are drawn); MaxPooling1D keeps the largest of each group; Flatten lays everything side by side.
    Dense family: all T steps are flattened at once, so the order of the steps is just positions in one vector.
    """
    steps = shown_steps(cfg.timesteps)
    n_cols = len(steps)
    col_of = {s: c for c, s in enumerate(steps) if s is not None}
    fig = _Canvas()
    actual, model, head = style.color("actual"), style.color("model"), style.color("forecast")
    hx, hy, labels, hover = [], [], [], []

    for col, step in enumerate(steps):  # inputs x_t, one per time step
        if step is None:
            fig.add_annotation(x=col, y=0.2, text="⋯", showarrow=False, font={"size": 22})
        else:
            fig.add_annotation(x=col, y=0.2, text=f"x<sub>{step}</sub>", showarrow=False)
    y = 1.0
    below_y, below_x = 0.45, [(n_cols - 1) / 2]  # where the arrows into the next row start
    if cfg.family == "conv1d":
        k, length = cfg.kernel_size, conv1d_length(cfg.timesteps, cfg.kernel_size)
        out_steps = shown_steps(length)
        spread = (n_cols - 1) / max(len(out_steps) - 1, 1)
        out_x = {j: i * spread for i, j in enumerate(out_steps) if j is not None}
        for i, j in enumerate(out_steps):
            x = i * spread
            if j is None:
                fig.add_annotation(x=x, y=y, text="⋯", showarrow=False, font={"size": 22, "color": model})
                continue
            _box(
                fig,
                x,
                y,
                BOX_W,
                model,
                f"o<sub>{j}</sub>",
                hx,
                hy,
                labels,
                hover,
                t("arch.diagram.conv_hover", lang, j=j, first=j, last=j + k - 1, filters=cfg.filters),
            )
        # The receptive fields of the first and the last output: k steps each, the same weights.
        for j in sorted({1, length}):
            first, last = j, j + k - 1
            x0 = col_of.get(first, min((c for s, c in col_of.items() if s >= first), default=n_cols - 1))
            x1 = col_of.get(last, max((c for s, c in col_of.items() if s <= last), default=0))
            fig.add_shape(
                type="rect",
                x0=x0 - 0.35,
                x1=x1 + 0.35,
                y0=0.0,
                y1=0.42,
                line={"color": model, "width": 1.5, "dash": "dot"},
            )
            _arrow(fig, (x0 + x1) / 2, 0.45, out_x[j], y - BOX_H / 2 - 0.05, model)
        fig.add_annotation(
            x=-0.45,
            y=y,
            text=t("arch.diagram.conv_row", lang, k=k, filters=cfg.filters),
            showarrow=False,
            xanchor="right",
        )
        below_y, below_x = y + BOX_H / 2 + 0.05, [out_x[j] for j in out_steps if j is not None]
        y += 1.0
        if cfg.pool_size > 1:
            pooled = pooled_length(length, cfg.pool_size)
            pool_steps = shown_steps(pooled)
            spread = (n_cols - 1) / max(len(pool_steps) - 1, 1)
            for i, j in enumerate(pool_steps):
                x = i * spread
                if j is None:
                    fig.add_annotation(x=x, y=y, text="⋯", showarrow=False, font={"size": 22, "color": actual})
                    continue
                _box(
                    fig,
                    x,
                    y,
                    BOX_W,
                    actual,
                    "max",
                    hx,
                    hy,
                    labels,
                    hover,
                    t("arch.diagram.pool_hover", lang, j=j, size=cfg.pool_size),
                )
            fig.add_annotation(
                x=-0.45,
                y=y,
                text=t("arch.diagram.pool_row", lang, size=cfg.pool_size),
                showarrow=False,
                xanchor="right",
            )
            for x in (below_x[0], below_x[-1]):
                _arrow(fig, x, below_y, x, y - BOX_H / 2 - 0.05, actual)
            below_y, below_x = y + BOX_H / 2 + 0.05, [0.0, (len(pool_steps) - 1) * spread]
            y += 1.0
    # Flatten: one wide box holding every step's vector side by side.
    width = flat_width(cfg)
    mid = (n_cols - 1) / 2
    _box(
        fig,
        mid,
        y,
        n_cols - 0.4,
        actual,
        t("arch.diagram.flatten", lang, width=width),
        hx,
        hy,
        labels,
        hover,
        t("arch.diagram.flatten_hover", lang, width=width),
    )
    if cfg.family == "dense":
        for col, step in enumerate(steps):
            if step is not None:
                _arrow(fig, col, 0.4, col, y - BOX_H / 2 - 0.05, actual)
    else:
        for x in (below_x[0], below_x[-1]):
            _arrow(fig, x, below_y, x, y - BOX_H / 2 - 0.05, actual)
    for units, key, color in (
        (cfg.dense_hidden, "arch.diagram.dense_hidden", model),
        (cfg.dense_units, "arch.diagram.head", head),
    ):
        if units is None:
            continue
        _arrow(fig, mid, y + BOX_H / 2 + 0.05, mid, y + 1 - BOX_H / 2 - 0.05, color)
        y += 1.0
        activation = "relu" if key.endswith("hidden") else cfg.head_activation
        _box(
            fig,
            mid,
            y,
            2.6,
            color,
            f"Dense({units}, {activation})",
            hx,
            hy,
            labels,
            hover,
            t(key, lang, units=units, activation=activation),
        )
    trace = {
        "type": "scatter",
        "x": hx,
        "y": hy,
        "mode": "text",
        "text": labels,
        "hovertext": hover,
        "hoverinfo": "text",
        "showlegend": False,
    }
    caption = t(f"arch.diagram.caption_{cfg.family}", lang)
    layout = {
        "title": {
            "text": t(f"arch.diagram.title_{cfg.family}", lang) + f" <span style='font-size:0.7em'>({caption})</span>"
        },
        "xaxis": {"visible": False, "range": [-2.2, n_cols - 0.3], "fixedrange": True},
        "yaxis": {"visible": False, "range": [-0.2, y + 0.6], "fixedrange": True},
        "height": 160 + 85 * round(y + 0.5),
        "showlegend": False,
        "annotations": fig.annotations,
        "shapes": fig.shapes,
    }
    return go.Figure(data=[trace], layout=layout, _validate=False)


def model_figure(cfg: ArchConfig, lang: str = "en") -> go.Figure:
    """The picture of any family: unrolled in time for recurrent stacks, layer by layer otherwise."""
    return unrolled_figure(cfg, lang) if cfg.is_rnn else feedforward_figure(cfg, lang)
