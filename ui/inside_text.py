"""The Inside page for text: a typed or sampled sentence, token by token, the next-token top-5 or the running
sentiment, the heat maps over tokens, and the Embedding's map."""

from __future__ import annotations

import numpy as np
import streamlit as st

from rnn_lab import class_views as cv
from rnn_lab.inside import text_views as tv
from rnn_lab.inside.numpy_rnn import embedding_matrix
from rnn_lab.inside.settings import SPLITS
from rnn_lab.inside.text import (
    TOP_K,
    SentenceError,
    encode_sentence,
    last_token_step,
    model_embedding_pca,
    next_token_top,
    step_tokens,
)
from rnn_lab.inside.text_views import shown
from rnn_lab.style import NORMAL, PROJECTION
from rnn_lab.tasks import task_of_data
from ui.common import error, lang, plot, projection, t
from ui.inside_common import Picked, _recall, _remember, _split_and_index_ui
from ui.inside_decision import _decision, prediction_text

# ---------------------------------------------------------------- text: a sentence, token by token

TYPED_KEY = "inside_sentence"  # the typed sentence: session data like the user's own text, never in a link
_LAST_TYPED = "_inside_last_sentence"  # the last typed sentence that could be read (kept after a bad one)


def is_text(data) -> bool:
    return getattr(data, "input_kind", "values") == "tokens"


def sentence_ui(data) -> tuple[np.ndarray, str] | None:
    """A sentence of a split, or a typed one -> its token ids (T,) int32 and a label; None after a message."""
    state = st.session_state
    st.radio(
        t("text_inside.from"),
        options=["sample", "typed"],
        key="inside_text_from",
        horizontal=True,
        format_func=lambda s: t(f"text_inside.from_{s}"),
        help=t("text_inside.from_help"),
    )
    if state.get("inside_text_from") != "typed":
        return _sample_sentence(data)
    st.text_input(t("text_inside.typed"), key=TYPED_KEY, placeholder=t("text_inside.typed_placeholder"))
    try:
        sentence = encode_sentence(data, state.get(TYPED_KEY, ""))
    except SentenceError as err:
        last = state.get(_LAST_TYPED)
        if last is None or last[0] != data.vocab.tokens or last[1].shape != (data.window,):
            # nothing read before with this vocabulary (e.g. a link that picks "type one": the text is not in it)
            st.info(t("text_inside.typed_prompt"), icon=":material/edit:")
            return None
        error(err.text(lang()))
        st.caption(t("text_inside.typed_kept"))
        return last[1], t("text_inside.typed_label")
    state[_LAST_TYPED] = (data.vocab.tokens, sentence.ids)
    if sentence.unknown:
        st.caption(t("text_inside.typed_unknown", tokens=" ".join(sentence.unknown)))
    if sentence.dropped:
        side = t(f"text_inside.side_{data.truncating}")
        st.caption(t("text_inside.typed_dropped", T=data.window, n=sentence.dropped, side=side))
    return sentence.ids, t("text_inside.typed_label")


def _sample_sentence(data) -> tuple[np.ndarray, str] | None:
    """Split + sentence number -> ids (T,) int32, as window_ui does for numbers."""
    state = st.session_state
    sizes = {s: len(data.X(s)) for s in SPLITS}
    available = [s for s in SPLITS if sizes[s] > 0]
    if not available:
        error(t("text_inside.no_sentences"), t("text_inside.no_sentences_hint"))
        return None
    if state.get("inside_split") not in available:
        state["inside_split"] = available[0]
    split, i = _split_and_index_ui(
        available, sizes, t("text_inside.split"), lambda last: t("text_inside.sample", last=last)
    )
    return np.asarray(data.X(split)[i], dtype=np.int32), t(
        "text_inside.sample_label", split=t(f"inside.split_{split}"), i=i
    )


def text_prediction(model_run, ids: np.ndarray, data) -> tuple[str, str, str]:
    """(label, value, help) of the model's answer for the sentence: the next token (next_token) or the class."""
    if task_of_data(data).label_kind != "token":
        return (
            t("inside.prediction_classify"),
            prediction_text(model_run.output, data),
            t("inside.prediction_classify_help"),
        )
    probs = np.asarray(model_run.output)[0, last_token_step(ids) - 1]  # (V,) softmax after the last real token
    k = int(np.argmax(probs))
    value = t("text_inside.prediction_next_value", token=shown(data.vocab.tokens[k]), p=float(probs[k]))
    return t("text_inside.prediction_next"), value, t("text_inside.prediction_next_help")


def text_step_ui(picked: Picked, ids: np.ndarray, entry: dict, data) -> None:
    """At step t: the sentence with token t highlighted, then the next-token top-k (next_token) or the running
    class probability (classify). Follows the step view's t (``inside_step``)."""
    tokens = step_tokens(data.vocab, ids)
    T = len(tokens)
    step = min(max(1, int(st.session_state.get("inside_step", 1))), T)
    L = lang()
    st.caption(t("text_inside.sentence_help", t=step, T=T))
    per_row = 10 if projection() else tv.PER_ROW  # big fonts: fewer boxes per row
    plot(tv.sentence_figure(tokens, step, L, per_row=per_row), key="inside_fig_sentence")
    if task_of_data(data).label_kind == "token":
        st.subheader(t("text_inside.next_title"))
        if "top" not in entry:
            entry["top"] = next_token_top(np.asarray(entry["run"].output), data.vocab, TOP_K)
        top = entry["top"][step - 1]
        st.caption(t("text_inside.next_help", k=len(top), delta=entry["delta"]))
        plot(tv.next_token_figure(top, tokens[step - 1], step, L), key="inside_fig_next")
        return
    st.subheader(t("text_inside.running_title"))
    found = _decision(picked, ids, entry)
    if "reason" in found:
        reason = t(f"inside.decision_reason.{found['reason']}", **found["params"])
        st.info(t("inside.decision_undefined", reason=reason), icon=":material/info:")
        return
    probs = found["probs"]  # (T, K)
    positive = len(data.class_names) - 1  # NSMC: 0 negative, 1 positive; the last class is the one followed
    name = data.class_names[positive]
    st.caption(t("text_inside.running_help", cls=name, T=T, delta=found["delta"]))

    split, i = st.session_state.get("inside_split"), int(st.session_state.get("inside_window", 0))
    true = int(np.argmax(probs[-1]))  # a typed sentence has no label: mark the predicted class
    if st.session_state.get("inside_text_from") != "typed":
        try:
            true = int(data.y(split)[i])
        except (IndexError, KeyError, ValueError, TypeError):
            pass
    c1, c2 = (st.container(), st.container()) if projection() else st.columns(2)
    with c1:
        plot(cv.probabilities_figure(probs[step - 1], data.class_names, true, L, step=step), key="inside_fig_probs")
    with c2:
        ticks = 15  # half the page wide, or the full width with projection fonts: about 15 token labels fit
        plot(
            tv.running_probability_figure(probs[:, positive], tokens, step, name, L, max_ticks=ticks),
            key="inside_fig_running",
        )


def token_heatmaps_ui(layer_run, ids: np.ndarray, data, step: int | None = None) -> None:
    """Hidden state and gates over the sentence, the tokens under the time axis, the black line at step ``step``."""
    tokens = step_tokens(data.vocab, ids)
    cols = st.columns(len(layer_run.directions))
    for col, trace in zip(cols, layer_run.directions, strict=True):
        with col:
            ticks = (8 if len(cols) > 1 else 15) if projection() else tv.MAX_TICKS // len(cols)  # labels that fit
            plot(tv.token_heatmaps(trace, tokens, step, lang(), ticks), key=f"inside_fig_time_{trace.direction}")


def embedding_ui(picked: Picked, ids: np.ndarray, data) -> None:
    """The PCA map of the model's Embedding rows, with the shown sentence's tokens marked."""
    st.subheader(t("text_inside.embedding_title"))
    key = ("pca", picked.key)
    emap = _recall("inside_traces", key)
    if emap is None:
        try:
            emap = _remember("inside_traces", key, model_embedding_pca(picked.model, data.vocab))
        except ValueError as err:
            error(t("inside.cannot_run"), str(err))
            return

    dim = int(embedding_matrix(picked.model).shape[1])  # d_e
    st.markdown(t("text_inside.embedding_help", vocab=data.vocab.size, dim=dim, share=float(np.sum(emap.explained))))
    if picked.run is None:
        st.caption(t("text_inside.embedding_untrained"))
    size = PROJECTION if projection() else NORMAL  # the labels are spaced for the sizes the style draws
    labels = 64 if projection() else tv.MAX_LABELS  # a character vocabulary (64 in lesson 7) may be labelled whole
    fig = tv.embedding_figure(emap, lang(), ids, labels, font=size["font"], marker=size["marker"])
    named = sum(1 for text in fig.data[0].text if text)
    if named < len(emap.tokens):
        st.caption(t("text_inside.embedding_labels", n=named, total=len(emap.tokens)))
    plot(fig, key="inside_fig_embedding")
