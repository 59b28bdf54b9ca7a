"""Figures of the Inside page on text (plain Plotly; pages style them with :func:`rnn_lab.style.style_figure`).

Tokens are shown as they are read: a space as ``␣`` (a blank label would look like a missing token), [PAD] in
grey. Korean syllables are ordinary text labels (the style's font list includes Noto Sans CJK KR).
"""

from __future__ import annotations

import unicodedata

import numpy as np
import plotly.graph_objects as go

from rnn_lab.data.text import PAD
from rnn_lab.i18n import t as _t
from rnn_lab.inside import views
from rnn_lab.inside.numpy_rnn import DirectionTrace
from rnn_lab.inside.text import EmbeddingMap
from rnn_lab.style import NORMAL, color

PER_ROW = 20  # token boxes per row of the sentence figure
MAX_LABELS = 80  # embedding tokens that may be labelled (the most frequent ones; the others have hover text only)
# the embedding map's plot area in pixels at its narrowest (a page column, less the axes' titles and ticks): labels are
# spaced for it, so none covers another on a wider page either
MAP_PX = (620, 420)
MAP_PAD = 0.05  # share of the data's span added on each side of the x axis
PAD_GREY = "#999999"


def shown(token: str) -> str:
    """A token as a label: a space becomes ␣ (visible), everything else is itself."""
    return "␣" if token == " " else token


def sentence_figure(tokens: list[str], step: int, lang: str, per_row: int = PER_ROW) -> go.Figure:
    """The sentence as a row of token boxes (wrapped every ``per_row``); the token read at step t highlighted."""
    n = len(tokens)
    rows = max(1, -(-n // per_row))
    cols = np.arange(n) % per_row
    lines = np.arange(n) // per_row
    shapes = []
    for k in range(n):
        current = k == step - 1
        shapes.append(
            {
                "type": "rect",
                "x0": cols[k] - 0.45,
                "x1": cols[k] + 0.45,
                "y0": -lines[k] - 0.4,
                "y1": -lines[k] + 0.4,
                "line": {"color": "black" if current else "#BBBBBB", "width": 3 if current else 1},
                "fillcolor": color("highlight") if current else "white",
                "layer": "below",
            }
        )
    fig = go.Figure(
        go.Scatter(
            x=cols,
            y=-lines,
            mode="text",
            text=["·" if tok == PAD else shown(tok) for tok in tokens],
            textfont={"color": [PAD_GREY if tok == PAD else "black" for tok in tokens]},
            customdata=np.stack([np.arange(1, n + 1), np.array(tokens, dtype=object)], axis=1),
            hovertemplate="t=%{customdata[0]}: %{customdata[1]}<extra></extra>",
        )
    )
    fig.update_layout(
        title=_t("text_inside.fig.sentence", lang, t=step, token=shown(tokens[step - 1]) if n else ""),
        shapes=shapes,
        height=110 + 55 * rows,
        showlegend=False,
        xaxis={"visible": False, "range": [-0.6, per_row - 0.4]},
        yaxis={"visible": False, "range": [-rows + 0.4, 0.6]},
    )
    return fig


MAX_TICKS = 40  # token labels under a time axis; longer sentences label every k-th step (hover shows them all)


def _token_axis(fig: go.Figure, tokens: list[str], steps: np.ndarray, lang: str, max_ticks: int = MAX_TICKS) -> None:
    """Label the time axis (x = t, 1-based) with the token read at each step ([PAD] as a dot)."""
    steps = steps[:: max(1, -(-len(steps) // max_ticks))]  # at most max_ticks labels, evenly spaced
    fig.update_xaxes(
        tickmode="array",
        tickvals=(steps + 1).tolist(),
        ticktext=["·" if tokens[s] == PAD else shown(tokens[s]) for s in steps],
        tickangle=0,
        title=_t("text_inside.fig.token_axis", lang),
    )


def token_connectivity_figure(conn: np.ndarray, tokens: list[str], lang: str, max_ticks: int = MAX_TICKS) -> go.Figure:
    """Bars of ||dŷ/de_t|| over the sentence, the tokens under the time axis ([PAD] steps as dots)."""
    fig = views.connectivity_figure(conn, lang, title=_t("text_inside.fig.connectivity", lang))
    fig.update_yaxes(title=_t("text_inside.fig.grad_norm", lang))  # of the token's vector e_t, not a value x_t
    _token_axis(fig, tokens, np.arange(len(tokens)), lang, max_ticks)
    return fig


def token_heatmaps(
    trace: DirectionTrace, tokens: list[str], step: int | None, lang: str, max_ticks: int = MAX_TICKS
) -> go.Figure:
    """The Inside page's hidden state (and gate) bands over time, with the tokens under the time axis."""
    fig = views.time_heatmaps(trace, step, lang)
    _token_axis(fig, tokens, views.step_selection(len(tokens)), lang, max_ticks)
    return fig


def next_token_figure(top: list[tuple[str, float]], token: str, step: int, lang: str) -> go.Figure:
    """The k most likely next tokens after the token read at step t (largest on top)."""
    names = [shown(tok) for tok, _ in top]
    probs = [p for _, p in top]
    fig = go.Figure(
        go.Bar(
            x=probs,
            y=names,
            orientation="h",
            marker={"color": [color("model")] + [color("baseline")] * (len(top) - 1)},
            text=[f"{p:.2f}" for p in probs],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:.3f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=_t("text_inside.fig.next_token", lang, t=step, token=shown(token), k=len(top)),
        xaxis={"title": _t("text_inside.fig.probability", lang), "range": [0, 1.15]},
        yaxis={"autorange": "reversed", "type": "category"},
        height=320,
    )
    return fig


def running_probability_figure(
    p: np.ndarray, tokens: list[str], step: int, class_name: str, lang: str, max_ticks: int = MAX_TICKS
) -> go.Figure:
    """P(class) if the sentence stopped at step t, for every t; the 0.5 line and the current step marked."""
    p = np.asarray(p, dtype=np.float64)
    steps = np.arange(1, len(p) + 1)
    fig = go.Figure(
        go.Scatter(
            x=steps,
            y=p,
            mode="lines+markers",
            line={"color": color("model")},
            customdata=[shown(tok) for tok in tokens],
            hovertemplate="t=%{x} (%{customdata}): %{y:.3f}<extra></extra>",
            name=class_name,
        )
    )
    fig.add_hline(y=0.5, line={"dash": "dash", "color": "#777777", "width": 1})
    fig.add_trace(
        go.Scatter(
            x=[step],
            y=[p[step - 1]],
            mode="markers",
            marker={"color": color("highlight"), "size": 14, "line": {"color": "black", "width": 2}},
            hovertemplate="t=%{x}: %{y:.3f}<extra></extra>",
            showlegend=False,
        )
    )
    fig.update_layout(
        title=_t("text_inside.fig.running", lang, cls=class_name, t=step, p=float(p[step - 1])),
        yaxis={"title": _t("text_inside.fig.p_class", lang, cls=class_name), "range": [-0.02, 1.02]},
        shapes=views._marker(step),
        showlegend=False,
        height=360,
    )
    _token_axis(fig, tokens, views.step_selection(len(tokens)), lang, max_ticks)
    return fig


def _padded(values, share: float = 0.1) -> list[float]:
    """An axis range around ``values`` with room above for the labels drawn over the highest points."""
    low, high = float(np.min(values)), float(np.max(values))
    room = (high - low) * share or 1.0
    return [low - room / 2, high + room]


def label_width(text: str, font: float) -> float:
    """A label's width in pixels, estimated: a wide (CJK) character is about one em, any other about 0.6 em."""
    return sum(font * (1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6) for c in text)


def map_labels(
    emap: EmbeddingMap,
    sentence_ids=(),
    max_labels: int = MAX_LABELS,
    font: float = NORMAL["font"],
    marker: float = NORMAL["marker"],
    size_px: tuple[int, int] = MAP_PX,
) -> list[str]:
    """The label of every point of the map ("" = hover only). Candidates in order: [UNK], the shown sentence's
    tokens, then the most frequent ``max_labels``; each is labelled only if its box (the text above its point, at
    ``font`` pixels on a plot of ``size_px``) overlaps no label placed before it, so dense clusters stay readable."""
    in_sentence = set(int(i) for i in np.ravel(sentence_ids))
    coords = np.asarray(emap.coords, dtype=np.float64)
    n = len(emap.tokens)
    if n == 0:
        return []
    x_range, y_range = _x_range(coords[:, 0]), _padded(coords[:, 1])
    px = (coords[:, 0] - x_range[0]) / (x_range[1] - x_range[0]) * size_px[0]
    py = (coords[:, 1] - y_range[0]) / (y_range[1] - y_range[0]) * size_px[1]
    unk = [emap.unk_row] if emap.unk_row is not None else []
    sentence = [k for k in range(n) if int(emap.ids[k]) in in_sentence]
    order = list(dict.fromkeys([*unk, *sentence, *range(min(max_labels, n))]))
    placed: list[tuple[float, float, float, float]] = []  # (left, bottom, right, top) in pixels
    labels = [""] * n
    for k in order:
        text = shown(emap.tokens[k])
        half = label_width(text, font) / 2 + 2  # a little room between neighbours
        bottom = py[k] + marker / 2 + 1
        box = (px[k] - half, bottom, px[k] + half, bottom + 1.45 * font)  # a line of text: ascent and descent
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
            continue
        placed.append(box)
        labels[k] = text
    return labels


def _x_range(values) -> list[float]:
    low, high = float(np.min(values)), float(np.max(values))
    pad = (high - low) * MAP_PAD or 1.0
    return [low - pad, high + pad]


def embedding_figure(
    emap: EmbeddingMap,
    lang: str,
    sentence_ids=(),
    max_labels: int = MAX_LABELS,
    font: float = NORMAL["font"],
    marker: float = NORMAL["marker"],
) -> go.Figure:
    """Every token's vector on the two main PCA axes; the labels that fit without covering each other
    (:func:`map_labels`: [UNK], the shown sentence's tokens, the most frequent), the others on hover; [UNK] flagged
    in black; the tokens of the shown sentence marked. ``font`` and ``marker``: the sizes the style will draw."""
    in_sentence = set(int(i) for i in np.ravel(sentence_ids))
    labels = map_labels(emap, sentence_ids, max_labels, font, marker)
    colours = [
        color("model") if int(i) in in_sentence else color("train") for i in emap.ids
    ]  # the sentence's tokens stand out
    if emap.unk_row is not None:
        colours[emap.unk_row] = color("actual")  # black: far from the sentence's red and the others' blue
    fig = go.Figure(
        go.Scatter(
            x=emap.coords[:, 0],
            y=emap.coords[:, 1],
            mode="markers+text",
            text=labels,
            textposition="top center",
            cliponaxis=False,  # a label above the highest point is drawn whole, not cut at the plot's edge
            marker={"color": colours, "opacity": 0.8},
            customdata=np.stack([emap.ids, np.array([shown(t) for t in emap.tokens], dtype=object)], axis=1),
            hovertemplate="%{customdata[1]} (id %{customdata[0]})<br>PC1 %{x:.3f}, PC2 %{y:.3f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=_t("text_inside.fig.embedding", lang, pc1=emap.explained[0], pc2=emap.explained[1]),
        xaxis={
            "title": _t("text_inside.fig.pc", lang, k=1, share=emap.explained[0]),
            "range": _x_range(emap.coords[:, 0]),
        },
        yaxis={
            "title": _t("text_inside.fig.pc", lang, k=2, share=emap.explained[1]),
            "range": _padded(emap.coords[:, 1]),
        },
        height=560,
        showlegend=False,
    )
    return fig
