"""What the Data page shows of a text dataset (no Streamlit here): tokens, the vocabulary, padding, lengths, shifts.

Everything is read back from a :class:`~rnn_lab.data.text.PreparedText` (its ids, its vocabulary, its texts), so the
page shows the tokens exactly as the model receives them: a token the vocabulary left out is ``[UNK]`` here too.
Figures are plain Plotly; the page passes them through ``rnn_lab.style.style_figure`` (``ui.common.plot``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from rnn_lab.data.text import END_ID, PAD, PAD_ID, UNK_ID, PreparedText, Vocab, pad_ids, tokenize
from rnn_lab.i18n import t as _t
from rnn_lab.style import color
from rnn_lab.tasks import task_of_data

SPACE = "␣"  # a space token, drawn so it can be seen (char tokens keep the spaces between words)


def shown(token: str) -> str:
    """A token as the page writes it: a space becomes ␣ so an empty-looking token is visible."""
    return SPACE if token == " " else token


def tokens_markdown(tokens: list[str]) -> str:
    """Tokens as Markdown code spans side by side (a Korean syllable stays one span: 한 is one token)."""
    spans = []
    for token in tokens:
        token = shown(token)
        fence = "``" if "`" in token else "`"  # a backtick inside a token needs a longer fence
        pad = " " if "`" in token else ""
        spans.append(f"{fence}{pad}{token}{pad}{fence}")
    return " ".join(spans)


def sample_ids(prepared: PreparedText, split: str, i: int) -> list[int]:
    """Sample ``i`` of ``split`` as ids before padding and truncation.

    classify: the whole review (its X row may be cut at max length). next_token: the line piece, rebuilt from its
    inputs X and its last target (token ids are never 0, so the non-zero entries are the tokens whatever the
    padding): t_0 .. t_L [END] for a piece that ends its line, t_0 .. t_L otherwise."""
    if task_of_data(prepared).label_kind == "class":
        return prepared.vocab.encode(tokenize(prepared.texts(split)[i], prepared.tokens))
    x, y = prepared.X(split)[i], prepared.y(split)[i]
    return [int(v) for v in x[x != PAD_ID]] + [int(y[y != PAD_ID][-1])]


def line_ids(prepared: PreparedText, split: str, i: int) -> list[int]:
    """Sample ``i`` as the text's own tokens: :func:`sample_ids` without [END] (a target, not a token of the text)."""
    end = END_ID if prepared.vocab.has_end else None
    return [v for v in sample_ids(prepared, split, i) if v != end]


def input_ids(prepared: PreparedText, split: str, i: int) -> list[int]:
    """What the model reads of sample ``i`` before padding: the review, or the line without its last token."""
    ids = sample_ids(prepared, split, i)
    return ids if task_of_data(prepared).label_kind == "class" else ids[:-1]


def unk_summary(vocab: Vocab) -> tuple[int, int]:
    """(training tokens that became [UNK], all training tokens): ``counts[1]`` holds the dropped ones ([END], one
    per line, is not a token of the text and is not counted)."""
    counts = np.asarray(vocab.counts, np.int64)
    ends = int(counts[END_ID]) if vocab.has_end and len(counts) > END_ID else 0
    return int(counts[UNK_ID]) if len(counts) > UNK_ID else 0, int(counts.sum()) - ends


def vocab_frame(vocab: Vocab, top: int, lang: str) -> pd.DataFrame:
    """The first ``top`` + 2 entries: id, token, how often it occurs in the training split."""
    n = min(vocab.size, top + 2)
    counts = list(vocab.counts) + [0] * (n - len(vocab.counts))
    return pd.DataFrame(
        {
            _t("text_data.col.id", lang): list(range(n)),
            _t("text_data.col.token", lang): [shown(tok) for tok in vocab.tokens[:n]],
            _t("text_data.col.count", lang): [int(c) for c in counts[:n]],
        }
    )


def vocab_figure(vocab: Vocab, lang: str, top: int = 20) -> go.Figure:
    """Bars: the ``top`` most frequent training tokens (the ids after the special ones: sorted by count)."""
    first = vocab.n_special
    tokens = [shown(tok) for tok in vocab.tokens[first : first + top]]
    counts = list(vocab.counts[first : first + top])
    fig = go.Figure(go.Bar(x=tokens, y=counts, marker_color=color("train"), hovertemplate="%{x}: %{y}<extra></extra>"))
    fig.update_layout(
        title=_t("text_data.vocab_chart", lang, n=len(tokens)),
        xaxis={"title": _t("text_data.col.token", lang), "type": "category"},
        yaxis={"title": _t("text_data.col.count", lang)},
        showlegend=False,
        height=340,
    )
    return fig


def padded_pair(ids: list[int], maxlen: int, truncating: str) -> tuple[np.ndarray, np.ndarray]:
    """The same ids padded ``pre`` and ``post`` to ``maxlen`` (cut the same way), as keras.utils.pad_sequences."""
    return pad_ids([ids], maxlen, "pre", truncating)[0], pad_ids([ids], maxlen, "post", truncating)[0]


def padding_figure(pre: np.ndarray, post: np.ndarray, vocab: Vocab, lang: str) -> go.Figure:
    """Two rows of cells, one per time step (left to right as the RNN reads): the ids padded pre and post.
    [PAD] cells grey, token cells coloured, each cell labelled with its token."""
    rows = [post, pre]  # heatmap rows go upwards: pre on top
    z = [[0 if v == PAD_ID else 1 for v in row] for row in rows]
    text = [["" if v == PAD_ID else shown(vocab.tokens[int(v)]) for v in row] for row in rows]
    hover = [[f"{vocab.tokens[int(v)]} (id {int(v)})" for v in row] for row in rows]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(range(len(pre))),
            y=[_t("text_data.pad_row", lang, padding="post"), _t("text_data.pad_row", lang, padding="pre")],
            text=text,
            texttemplate="%{text}",
            customdata=hover,
            hovertemplate="t = %{x}: %{customdata}<extra></extra>",
            colorscale=[[0.0, "#e8e8e8"], [1.0, color("baseline")]],
            zmin=0,
            zmax=1,
            showscale=False,
            textfont={"size": max(8, min(18, 560 // max(1, len(pre))))},  # a syllable fits its cell (~600 px / T)
            xgap=2,
            ygap=6,
        )
    )
    fig.update_layout(
        title=_t("text_data.pad_chart", lang, pad=PAD),
        xaxis={"title": _t("text_data.step", lang), "dtick": 5},
        height=260,
    )
    return fig


def sample_lengths(prepared: PreparedText, split: str = "train") -> np.ndarray:
    """Tokens per sample before padding: a review's length (classify) or a line's input length, L for a line of L
    tokens (next_token: the model reads every token, the last one's target is [END]; a long line's pieces overlap
    by one, so their non-[PAD] inputs add up to L)."""
    if task_of_data(prepared).label_kind == "class":
        return np.array([len(tokenize(doc, prepared.tokens)) for doc in prepared.texts(split)], np.int64)
    idx = prepared.idx(split)
    if len(idx) == 0:
        return np.zeros(0, np.int64)
    per_piece = np.count_nonzero(prepared.X(split), axis=1)
    _, line = np.unique(idx, return_inverse=True)
    return np.bincount(line, weights=per_piece).astype(np.int64)


def cut_count(lengths: np.ndarray, maxlen: int) -> int:
    """Samples longer than ``maxlen``: cut (classify) or split into pieces (next_token)."""
    return int(np.sum(np.asarray(lengths) > int(maxlen)))


def length_figure(lengths: np.ndarray, maxlen: int, lang: str) -> go.Figure:
    """Histogram of the sample lengths with the max length marked: what lies right of the line is cut."""
    fig = go.Figure(go.Histogram(x=np.asarray(lengths), marker_color=color("train"), nbinsx=40))
    fig.add_vline(x=int(maxlen) + 0.5, line={"color": color("model"), "width": 3, "dash": "dash"})
    fig.add_annotation(
        x=int(maxlen) + 0.5,
        y=1,
        yref="paper",
        text=_t("text_data.maxlen_mark", lang, n=int(maxlen)),
        showarrow=False,
        xanchor="left",
        yanchor="top",
        font={"color": color("model")},
    )
    fig.update_layout(
        title=_t("text_data.length_chart", lang),
        xaxis={"title": _t("text_data.length_axis", lang)},
        yaxis={"title": _t("text_data.col.count", lang)},
        showlegend=False,
        height=320,
    )
    return fig


def shift_frame(prepared: PreparedText, split: str, i: int, lang: str) -> pd.DataFrame:
    """next_token, sample ``i``: at every step that is not [PAD], the input token x_t and the target y_t (the
    next token: y is x shifted left by one)."""
    x, y, tokens = prepared.X(split)[i], prepared.y(split)[i], prepared.vocab.tokens
    steps = [s for s in range(len(x)) if x[s] != PAD_ID]
    return pd.DataFrame(
        {
            _t("text_data.step", lang): steps,
            _t("text_data.col.input", lang): [shown(tokens[int(x[s])]) for s in steps],
            _t("text_data.col.input_id", lang): [int(x[s]) for s in steps],
            _t("text_data.col.target", lang): [shown(tokens[int(y[s])]) for s in steps],
            _t("text_data.col.target_id", lang): [int(y[s]) for s in steps],
        }
    )


def reviews_frame(prepared: PreparedText, n: int, lang: str) -> pd.DataFrame:
    """The first ``n`` training reviews with their labels (classify on NSMC)."""
    n = min(n, prepared.split_sizes["train"])
    names = [_t(f"text_data.classes.{c}", lang) for c in prepared.class_names]
    return pd.DataFrame(
        {
            _t("text_data.col.review", lang): prepared.texts("train")[:n],
            _t("text_data.col.label", lang): [names[int(k)] for k in prepared.y("train")[:n]],
        }
    )
