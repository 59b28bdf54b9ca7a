"""What the pages draw for sequence classification (no Keras, no Streamlit here).

Digits are ``(28, 28)`` arrays in [0, 1]: 28 rows read top to bottom are 28 time steps of 28 pixels. The
figures take plain arrays (images, labels, counts, a confusion matrix, probabilities) so the Data page, the Train
page and the tests draw the same thing. Many small images are tiled into ONE heatmap (gaps are NaN) instead of
one subplot each: a grid of 40 digits stays a single trace that the browser draws at once.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnn_lab.i18n import t as _t
from rnn_lab.style import color

INK = "Greys"  # 0 white paper, 1 black ink: how the digits were written
GAP = 4  # pixels of blank between tiled images
SPLITS = ("train", "val", "test")
SPLIT_ROLE = {"train": "train", "val": "validation", "test": "test"}


def tile(images: np.ndarray, columns: int) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """``images`` (n, H, W) laid out ``columns`` per row with NaN gaps; returns the canvas and each image's
    top-centre (x, y) in canvas pixels, for its caption."""
    n, h, w = images.shape
    rows = max(1, -(-n // columns))
    canvas = np.full((rows * (h + GAP) - GAP, columns * (w + GAP) - GAP), np.nan, dtype=np.float32)
    anchors = []
    for k in range(n):
        r, c = divmod(k, columns)
        y0, x0 = r * (h + GAP), c * (w + GAP)
        canvas[y0 : y0 + h, x0 : x0 + w] = images[k]
        anchors.append((x0 + (w - 1) / 2, y0 - 0.5))
    return canvas, anchors


def _image_axes(fig: go.Figure, row: int | None = None, col: int | None = None) -> None:
    """Square pixels, row 0 at the top, no ticks: a picture, not a chart."""
    where = {} if row is None else {"row": row, "col": col}
    fig.update_xaxes(visible=False, constrain="domain", **where)
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x" if row is None else None, **where)


def samples_figure(
    images: np.ndarray,
    captions: list[str],
    lang: str,
    columns: int = 10,
    title_key: str = "samples",
    row_height: int = 95,
):
    """A grid of digits with a caption above each (its label, or "true -> predicted"). The digits are square, so
    ``row_height`` also sets how wide each is: projection mode's large captions ("9→4 (0.31)") need ~150 px."""
    canvas, anchors = tile(images, columns)
    fig = go.Figure(go.Heatmap(z=canvas, colorscale=INK, zmin=0.0, zmax=1.0, showscale=False, hoverinfo="skip"))
    for (x, y), text in zip(anchors, captions):
        fig.add_annotation(x=x, y=y, text=text, showarrow=False, yanchor="bottom", font={"size": 13})
    rows = canvas.shape[0] // (images.shape[1] + GAP) + 1
    _image_axes(fig)
    fig.update_layout(title=_t(f"class_views.{title_key}", lang), height=90 + rows * row_height)
    return fig


def image_as_sequence_figure(image: np.ndarray, step: int, lang: str, one_based: bool = False):
    """The idea in one picture: the digit (row ``step`` boxed), the same numbers as a sequence with time
    running left to right (column ``step`` boxed), and x_t, the 28 numbers the RNN reads at that step.

    ``step`` is the row index (0 = top). ``one_based``: time steps are labelled 1 .. T (the Inside page's t, where
    row ``step`` is read at t = step + 1) instead of 0 .. T-1 (the Data page)."""
    T, F = image.shape  # (28 time steps, 28 features)
    first = 1 if one_based else 0
    fig = make_subplots(
        rows=1,
        cols=3,
        column_widths=[0.3, 0.42, 0.28],
        horizontal_spacing=0.07,
        subplot_titles=(
            _t("class_views.as_image", lang),
            _t("class_views.as_sequence", lang, T=T, F=F),
            _t("class_views.x_t", lang, t=step + first, F=F),
        ),
    )
    fig.add_trace(
        go.Heatmap(
            z=image,
            y=np.arange(T) + first,  # row r is read at time step r + first
            colorscale=INK,
            zmin=0,
            zmax=1,
            showscale=False,
            hovertemplate="%{z:.2f}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Heatmap(
            z=image.T,  # (F, T): one column per time step
            x=np.arange(T) + first,
            colorscale=INK,
            zmin=0,
            zmax=1,
            showscale=False,
            hovertemplate="t = %{x}, " + _t("class_views.feature", lang) + " %{y}: %{z:.2f}<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.add_trace(
        go.Bar(
            x=image[step],
            y=np.arange(F),
            orientation="h",
            marker={"color": color("model")},
            hovertemplate=_t("class_views.feature", lang) + " %{y}: %{x:.2f}<extra></extra>",
        ),
        row=1,
        col=3,
    )
    box = {"type": "rect", "line": {"color": color("model"), "width": 3}, "fillcolor": "rgba(0,0,0,0)"}
    fig.add_shape(x0=-0.5, x1=F - 0.5, y0=step + first - 0.5, y1=step + first + 0.5, xref="x", yref="y", **box)
    fig.add_shape(x0=step + first - 0.5, x1=step + first + 0.5, y0=-0.5, y1=F - 0.5, xref="x2", yref="y2", **box)
    fig.update_xaxes(visible=False, constrain="domain", row=1, col=1)
    fig.update_yaxes(autorange="reversed", scaleanchor="x", title=_t("class_views.row_is_step", lang), row=1, col=1)
    fig.update_xaxes(title=_t("class_views.time_step", lang), row=1, col=2)
    fig.update_yaxes(autorange="reversed", title=_t("class_views.feature", lang), row=1, col=2)
    fig.update_xaxes(range=[0, 1.05], title=_t("class_views.pixel", lang), row=1, col=3)
    fig.update_yaxes(autorange="reversed", row=1, col=3)
    fig.update_layout(height=380, showlegend=False, margin={"t": 70})
    return fig


def class_balance_figure(counts: dict[str, np.ndarray], class_names: tuple[str, ...], lang: str):
    """Examples per class in each split (grouped bars in the split colours): a stratified split keeps the
    same shares everywhere."""
    fig = go.Figure()
    for split in SPLITS:
        if split not in counts:
            continue
        fig.add_trace(
            go.Bar(
                x=list(class_names),
                y=np.asarray(counts[split]),
                name=_t(f"class_views.split.{split}", lang),
                marker={"color": color(SPLIT_ROLE[split])},
            )
        )
    fig.update_layout(
        title=_t("class_views.balance", lang),
        barmode="group",
        xaxis={"title": _t("class_views.class", lang), "type": "category"},
        yaxis={"title": _t("class_views.count", lang)},
        height=340,
    )
    return fig


def sequences_figure(X: np.ndarray, y: np.ndarray, class_names: tuple[str, ...], lang: str, per_class: int = 3):
    """A few one-feature sequences of each class (a toy without pictures): the first and last values, which
    decide the class of the first-vs-last toy, marked."""
    fig = go.Figure()
    roles = ("train", "model", "test", "validation", "forecast")
    for k, name in enumerate(class_names):
        idx = np.flatnonzero(y == k)[:per_class]
        for j, i in enumerate(idx):
            seq = X[i, :, 0]
            fig.add_trace(
                go.Scatter(
                    x=np.arange(len(seq)),
                    y=seq,
                    mode="lines",
                    name=name,
                    legendgroup=name,
                    showlegend=j == 0,
                    line={"color": color(roles[k % len(roles)]), "width": 1.5},
                    opacity=0.8,
                )
            )
            fig.add_trace(
                go.Scatter(
                    x=[0, len(seq) - 1],
                    y=[seq[0], seq[-1]],
                    mode="markers",
                    legendgroup=name,
                    showlegend=False,
                    marker={"color": color(roles[k % len(roles)]), "size": 9},
                    hoverinfo="skip",
                )
            )
    fig.update_layout(
        title=_t("class_views.sequences", lang),
        xaxis={"title": _t("class_views.time_step", lang)},
        yaxis={"title": _t("class_views.value", lang)},
        height=360,
    )
    return fig


def confusion_figure(cm: np.ndarray, class_names: tuple[str, ...], lang: str, clickable: bool = False):
    """Rows: the true class, columns: the predicted one; the diagonal is what the model got right. Colour is
    the share of the row (recall), the text the count, so rare classes are as visible as common ones.

    ``clickable``: an invisible marker sits on every cell's centre, carrying ``customdata`` = (true, predicted,
    count, share). Plotly's point selection (Streamlit's ``on_select``) selects points of scatter traces, not
    cells of a heatmap, so the markers are what a click selects; they also carry the cell's hover text."""
    cm = np.asarray(cm)
    row_sum = cm.sum(axis=1, keepdims=True)
    share = np.divide(cm, row_sum, out=np.zeros(cm.shape, dtype=np.float64), where=row_sum > 0)
    names = list(class_names)
    hover = _t("class_views.confusion_hover", lang, true="%{y}", pred="%{x}", count="%{text}", share="%{z:.0%}")
    fig = go.Figure(
        go.Heatmap(
            z=share,
            x=names,
            y=names,
            text=cm,
            texttemplate="%{text}",
            colorscale="Blues",
            zmin=0,
            zmax=1,
            colorbar={"title": _t("class_views.row_share", lang), "thickness": 12},
            # Plotly's own placeholders, filled in the browser; the clickable markers carry it instead
            hovertemplate=None if clickable else hover + "<extra></extra>",
            hoverinfo="skip" if clickable else None,
        )
    )
    if clickable:
        k = len(names)
        true, pred = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")  # (K, K) row = true, column = predicted
        fig.add_trace(
            go.Scatter(
                x=[names[j] for j in pred.ravel()],
                y=[names[i] for i in true.ravel()],
                mode="markers",
                marker={"size": 30, "symbol": "square", "color": "rgba(0,0,0,0)"},
                customdata=np.stack([true.ravel(), pred.ravel(), cm.ravel(), share.ravel()], axis=1),
                hovertemplate=_t(
                    "class_views.confusion_hover",
                    lang,
                    true="%{y}",
                    pred="%{x}",
                    count="%{customdata[2]}",
                    share="%{customdata[3]:.0%}",
                )
                + "<extra></extra>",
                showlegend=False,
                name="",
            )
        )
    fig.update_layout(
        title=_t("class_views.confusion", lang),
        xaxis={"title": _t("class_views.predicted", lang), "type": "category", "side": "bottom"},
        yaxis={"title": _t("class_views.true", lang), "type": "category", "autorange": "reversed"},
        height=max(360, 120 + 34 * len(names)),
    )
    return fig


def probabilities_figure(
    probs: np.ndarray, class_names: tuple[str, ...], true: int, lang: str, step: int | None = None
):
    """The softmax output for one example: one bar per class, the true class in the test colour, the
    predicted (largest) one in the model colour. ``step``: the probabilities if the sequence stopped at t = step
    (the Inside page), said in the title."""
    probs = np.asarray(probs, dtype=np.float64)
    pred = int(np.argmax(probs))
    colours = [color("test") if k == true else color("model") if k == pred else "#BBBBBB" for k in range(len(probs))]
    fig = go.Figure(
        go.Bar(
            x=list(class_names),
            y=probs,
            marker={"color": colours},
            text=[f"{p:.2f}" for p in probs],
            textposition="outside",
            hovertemplate="%{x}: %{y:.3f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=_t(
            "class_views.probabilities" if step is None else "class_views.probabilities_at",
            lang,
            true=class_names[true],
            pred=class_names[pred],
            t=step,
        ),
        xaxis={"title": _t("class_views.class", lang), "type": "category"},
        yaxis={"title": _t("class_views.probability", lang), "range": [0, 1.15]},
        height=340,
    )
    return fig


def accuracy_figure(history: dict[str, list[float]], baseline: float | None, lang: str, epochs: int | None = None):
    """Training and validation accuracy per epoch, with the majority-class baseline as a dashed line."""
    fig = go.Figure()
    for key, split in (("accuracy", "train"), ("val_accuracy", "val")):
        values = history.get(key) or []
        if values:
            fig.add_trace(
                go.Scatter(
                    x=np.arange(1, len(values) + 1),
                    y=values,
                    mode="lines+markers" if len(values) < 30 else "lines",
                    name=_t(f"class_views.split.{split}", lang),
                    line={"color": color(SPLIT_ROLE[split])},
                )
            )
    if baseline is not None:
        fig.add_hline(
            y=baseline,
            line={"color": color("baseline"), "dash": "dash"},
            annotation_text=_t("class_views.majority_line", lang, acc=baseline),
            annotation_position="bottom right",
        )
    fig.update_layout(
        title=_t("class_views.accuracy_title", lang),
        xaxis={"title": _t("class_views.epoch", lang)},
        yaxis={"title": _t("class_views.accuracy", lang), "range": [0, 1.02]},
        height=360,
    )
    shown = epochs or max((len(history.get(k) or []) for k in ("accuracy", "val_accuracy")), default=0)
    if epochs:
        fig.update_xaxes(range=[0.5, epochs + 0.5])
    if shown <= 20:
        fig.update_xaxes(dtick=1)  # whole epochs
    return fig


def sequence_step_figure(seq: np.ndarray, step: int, lang: str):
    """A sequence without a picture (the classification toy), time steps 1 .. T: every feature as a line, the
    value read at t = ``step`` marked and the steps not read yet greyed."""
    seq = np.asarray(seq, dtype=np.float64)
    T, F = seq.shape
    ts = np.arange(1, T + 1)
    fig = go.Figure()
    for f in range(F):
        fig.add_trace(
            go.Scatter(
                x=ts,
                y=seq[:, f],
                mode="lines+markers",
                name=f"{_t('class_views.feature', lang)} {f}",
                showlegend=F > 1,
                line={"color": color("actual") if F == 1 else None, "width": 1.5},
                hovertemplate="t = %{x}: %{y:.3f}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[step] * F,
            y=seq[step - 1],
            mode="markers",
            showlegend=False,
            marker={"color": color("model"), "size": 14},
            hoverinfo="skip",
        )
    )
    if step < T:
        fig.add_vrect(x0=step + 0.5, x1=T + 0.5, fillcolor="#DDDDDD", opacity=0.5, line_width=0)
    fig.update_layout(
        title=_t("class_views.sequence_at", lang, t=step, T=T),
        xaxis={"title": _t("class_views.time_step", lang), "range": [0.5, T + 0.5]},
        yaxis={"title": _t("class_views.value", lang)},
        height=340,
    )
    return fig


def decision_figure(probs: np.ndarray, class_names: tuple[str, ...], step: int, true: int, lang: str):
    """How the decision forms: the probability of each class (one line each) if the sequence stopped at t,
    for t = 1 .. T, with t = ``step`` marked. The true class is drawn thicker."""
    probs = np.asarray(probs, dtype=np.float64)  # (T, K)
    T, K = probs.shape
    ts = np.arange(1, T + 1)
    fig = go.Figure()
    for k in range(K):
        fig.add_trace(
            go.Scatter(
                x=ts,
                y=probs[:, k],
                mode="lines",
                name=_t("class_views.true_mark", lang, cls=class_names[k]) if k == true else class_names[k],
                line={"width": 4 if k == true else 1.5},
                hovertemplate=f"{class_names[k]}, t = %{{x}}: %{{y:.3f}}<extra></extra>",
            )
        )
    fig.add_vline(x=step, line={"color": color("model"), "dash": "dash"})
    fig.update_layout(
        title=_t("class_views.decision_title", lang),
        xaxis={"title": _t("class_views.time_step", lang), "range": [0.5, T + 0.5]},
        yaxis={"title": _t("class_views.probability", lang), "range": [0, 1.02]},
        legend={"title": {"text": _t("class_views.class", lang)}},
        height=380,
    )
    return fig
