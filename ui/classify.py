"""The Data and Train pages' views for the ``classify`` task (sequence -> class), drawn from rnn_lab.class_views."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from rnn_lab import class_views as cv
from ui.common import NO_VALUE, lang, plot, projection, show_table, styled, t

SPLITS = ("train", "val", "test")
SAMPLES = 20  # digits shown in the grid


def data_ui(prepared) -> None:
    """What the data is: samples with labels, the class balance per split, an image as a sequence, the shapes."""
    L = lang()
    st.markdown(
        t("class_ui.active", source=prepared.source, n=sum(prepared.split_sizes.values()), k=prepared.n_classes)
    )
    X, y = prepared.X("train"), prepared.y("train")
    if prepared.image_shape is not None:
        st.caption(t("class_ui.pixels"))
        plot(cv.samples_figure(X[:SAMPLES], [prepared.class_names[k] for k in y[:SAMPLES]], L), key="class_samples")
        st.subheader(t("class_ui.as_sequence"))
        c1, c2 = st.columns(2)
        i = c1.number_input(t("class_ui.image_pick", n=len(y) - 1), 0, len(y) - 1, key="btn_class_image")
        step = c2.slider(
            t("class_ui.step_pick"), 0, prepared.window - 1, key="btn_class_step", value=prepared.window // 2
        )
        st.caption(
            t("class_ui.as_sequence_note", T=prepared.window, F=prepared.n_features, label=prepared.class_names[y[i]])
        )
        plot(cv.image_as_sequence_figure(X[i], int(step), L), key="class_as_sequence")
    else:
        plot(cv.sequences_figure(X, y, prepared.class_names, L), key="class_sequences")
    plot(cv.class_balance_figure(class_counts(prepared), prepared.class_names, L), key="class_balance")
    st.caption(t("class_ui.stratified"))
    shapes_table_ui(prepared)


def class_counts(prepared) -> dict[str, np.ndarray]:
    """Samples per class in every split that has samples (the class balance figure's input)."""
    return {s: np.bincount(prepared.y(s), minlength=prepared.n_classes) for s in SPLITS if prepared.split_sizes[s]}


def shapes_table_ui(prepared) -> None:
    """X and y shapes and the number of samples of every split (digits, the toy, text)."""
    show_table(
        pd.DataFrame(
            {
                t("data.prep.split"): [t(f"data.prep.split_{s}") for s in SPLITS],
                t("data.prep.X_shape"): [f"X_{s} {prepared.X(s).shape}" for s in SPLITS],
                t("data.prep.y_shape"): [f"y_{s} {prepared.y(s).shape}" for s in SPLITS],
                t("data.prep.samples"): [prepared.split_sizes[s] for s in SPLITS],
            }
        ),
        hide_index=True,
        width="stretch",
    )


def _row_height() -> int:
    """Pixels per row of digits: in projection mode the captions are large, so the (square) digits are drawn wider
    (at 95 px the captions "9→4 (0.31)" of neighbouring digits ran into each other)."""
    return 150 if projection() else 95


def results_ui(run) -> None:
    """Accuracy against the majority baseline, the confusion matrix, per-class precision/recall, the mistakes."""
    L = lang()
    m = run.metrics
    names = run.class_names
    base = m["baseline"]
    st.plotly_chart(  # styled, with margins wide enough that Chromium draws it once (rnn_lab/style.py)
        styled(cv.accuracy_figure(run.history, None, L)),
        key="chart_class_accuracy",
        width="stretch",
        config={"displaylogo": False},
    )
    st.subheader(t("class_ui.metrics_title", split=t(f"train.split.{m['split']}")))
    c1, c2 = st.columns(2)
    c1.metric(t("class_ui.model_accuracy"), f"{m['model']['accuracy']:.1%}")
    c2.metric(t("class_ui.baseline_accuracy", cls=names[base["class"]]), f"{base['accuracy']:.1%}")
    verdict = t(f"train.class_verdict.{m['verdict']}")
    {"beats": st.success, "ties": st.warning, "loses": st.error}.get(m["verdict"], st.info)(verdict)
    event = plot(
        cv.confusion_figure(np.asarray(m["confusion"]), names, L, clickable=True),
        key="chart_class_confusion",
        on_select="rerun",
        selection_mode="points",
    )
    confusion_cell_ui(run, event)

    def pct(v):
        return NO_VALUE if v is None else f"{v:.1%}"

    show_table(
        pd.DataFrame(
            {
                t("class_views.class"): list(names),
                t("class_ui.precision"): [pct(v) for v in m["model"]["precision"]],
                t("class_ui.recall"): [pct(v) for v in m["model"]["recall"]],
            }
        ),
        hide_index=True,
        static=True,
    )
    mistakes = m["mistakes"]
    if not mistakes["position"]:
        st.success(t("class_ui.no_mistakes"))
        return
    prepared = run.prepared
    split = m["split"]
    if prepared is not None and getattr(prepared, "image_shape", None) is not None:
        shown = mistakes["position"][:SAMPLES]
        images = prepared.X(split)[shown]
        captions = [
            f"{names[a]}→{names[b]} ({max(p):.2f})"
            for a, b, p in zip(mistakes["true"], mistakes["predicted"], mistakes["probabilities"], strict=False)
        ][: len(shown)]
        columns = 6 if projection() else 10  # "3→2 (0.33)" in large print needs a wider cell than a label
        plot(
            cv.samples_figure(images, captions, L, columns=columns, title_key="mistakes", row_height=_row_height()),
            key="chart_class_mistakes",
        )
    pick = st.selectbox(
        t("class_ui.mistake_pick"),
        range(len(mistakes["position"])),
        key="btn_class_mistake",
        format_func=lambda j: t(
            "class_ui.mistake_item", n=j + 1, true=names[mistakes["true"][j]], pred=names[mistakes["predicted"][j]]
        ),
    )
    if prepared is not None and getattr(prepared, "input_kind", "values") == "tokens":  # a review: its words
        st.text(prepared.texts(split)[mistakes["position"][pick]])  # as written: no markdown in a user's review
    plot(
        cv.probabilities_figure(np.asarray(mistakes["probabilities"][pick]), names, mistakes["true"][pick], L),
        key="chart_class_probs",
    )


# ---------------------------------------------------------------- one cell of the confusion matrix

CELL_SAMPLES = 20  # digits or reviews shown for the chosen cell
_CELL_CLICK = "_class_cell_click"  # the last click applied to the picker (a later pick in the picker wins)


def _clicked_cell(event) -> tuple[int, int] | None:
    """(true, predicted) of the confusion cell the user clicked: the invisible marker's customdata."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    for point in points:
        data = point.get("customdata")
        if isinstance(data, dict):  # a row of a typed array arrives as {"0": 7, "1": 7, ...}
            data = [data[k] for k in sorted(data, key=int)]
        try:
            return int(data[0]), int(data[1])
        except (TypeError, ValueError, IndexError, KeyError):
            continue
    return None


def biggest_confusion(cm: np.ndarray) -> tuple[int, int]:
    """The off-diagonal cell with the most samples (the model's most common mistake); (0, 0) without mistakes."""
    off = np.array(cm, dtype=np.int64)
    np.fill_diagonal(off, -1)
    i, j = np.unravel_index(int(np.argmax(off)), off.shape)
    return (int(i), int(j)) if off[i, j] > 0 else (0, 0)


def cell_samples(run, true: int, pred: int) -> pd.DataFrame:
    """The samples of the metrics split whose true class is ``true`` and predicted class ``pred``: their position in
    the split, index and the probability the model gave ``pred`` (most confident first)."""
    part = run.predictions[run.predictions["split"] == run.metrics["split"]]
    hit = part[(part["actual"] == true) & (part["predicted"] == pred)]
    out = hit[["position", "index"]].copy()
    out["p"] = hit[f"p_{pred}"].to_numpy()
    return out.sort_values("p", ascending=False).reset_index(drop=True)


def confusion_cell_ui(run, event) -> None:
    """The samples behind one cell of the confusion matrix: click a cell, or pick its row and column."""
    names = run.class_names
    k = len(names)
    state = st.session_state
    clicked = _clicked_cell(event)
    if clicked is not None and clicked != state.get(_CELL_CLICK):  # a new click moves the picker to its cell
        state[_CELL_CLICK] = clicked
        state["btn_class_cell_true"], state["btn_class_cell_pred"] = clicked
    if state.get("btn_class_cell_true") not in range(k) or state.get("btn_class_cell_pred") not in range(k):
        state["btn_class_cell_true"], state["btn_class_cell_pred"] = biggest_confusion(run.metrics["confusion"])
    st.caption(t("units.confusion.click_help"))
    c1, c2 = st.columns(2)
    true = c1.selectbox(t("units.confusion.true"), range(k), key="btn_class_cell_true", format_func=names.__getitem__)
    pred = c2.selectbox(
        t("units.confusion.predicted"), range(k), key="btn_class_cell_pred", format_func=names.__getitem__
    )
    samples = cell_samples(run, true, pred)
    split = t(f"train.split_short.{run.metrics['split']}")
    if samples.empty:
        st.info(t("units.confusion.cell_none", true=names[true], pred=names[pred], split=split))
        return
    shown = samples.head(CELL_SAMPLES)
    note = t("units.confusion.cell", n=len(samples), true=names[true], pred=names[pred], split=split)
    if len(samples) > len(shown):
        note += " " + t("units.confusion.first", k=len(shown))
    st.markdown(note)
    prepared = run.prepared
    positions = shown["position"].to_numpy()
    if prepared is not None and getattr(prepared, "image_shape", None) is not None:
        images = prepared.X(run.metrics["split"])[positions]
        fig = cv.samples_figure(
            images,
            [f"{p:.2f}" for p in shown["p"]],
            lang(),
            columns=6 if projection() else 10,
            row_height=_row_height(),
        )
        fig.update_layout(title=t("units.confusion.images_title", true=names[true], pred=names[pred]))
        plot(fig, key="chart_class_cell")
    elif prepared is not None and getattr(prepared, "input_kind", "values") == "tokens":
        texts = prepared.texts(run.metrics["split"])
        show_table(
            pd.DataFrame(
                {
                    t("units.confusion.text_col"): [texts[i] for i in positions],
                    t("units.confusion.p_col", pred=names[pred]): [f"{p:.2f}" for p in shown["p"]],
                }
            ),
            hide_index=True,
            key="table_class_cell",
        )
