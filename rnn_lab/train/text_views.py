"""What the Train page shows of a run on text (no Keras, no Streamlit here): the next-token scores beside the
unigram baseline, the lines a language model gets most wrong, the prompt checks before generating, and the top-5
figure of a generation. Figures are plain Plotly; the page styles them through ``rnn_lab.style`` (``ui.common.plot``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from rnn_lab.data.text import UNK_ID, tokenize
from rnn_lab.i18n import t as _t
from rnn_lab.style import color

ROW_HEIGHT = 34  # pixels per generated step in the top-5 figure (one row each)
SHOWN_LINES = 10  # lines in the "most wrong" table


def token_label(token: str) -> str:
    """A token as a reader sees it: a space is drawn as ␣ (an empty label says nothing)."""
    return "␣" if token == " " else token


def next_token_table(metrics: dict, lang: str) -> pd.DataFrame:
    """Accuracy, cross-entropy and perplexity of the model beside the unigram baseline (the metrics split)."""
    model, base = metrics["model"], metrics["baseline"]
    rows = [
        ("accuracy", f"{model['accuracy']:.1%}", f"{base['accuracy']:.1%}"),
        ("cross_entropy", f"{model['loss']:.3f}", f"{base['loss']:.3f}"),
        ("perplexity", f"{model['perplexity']:.2f}", f"{base['perplexity']:.2f}"),
    ]
    return pd.DataFrame(
        {
            _t("text_train.metric", lang): [_t(f"text_train.metric_name.{key}", lang) for key, _, _ in rows],
            _t("text_train.model_col", lang): [m for _, m, _ in rows],
            _t("text_train.unigram_col", lang): [b for _, _, b in rows],
        }
    )


def perplexity_sentence(metrics: dict, vocab_size: int, lang: str) -> str:
    """Perplexity in plain words: e^(cross-entropy) is the number of equally likely tokens the model is as unsure
    as; the unigram baseline's beside it, and the vocabulary it chooses from."""
    n = max(1, round(metrics["model"]["perplexity"]))
    return _t(
        "text_train.perplexity_sentence" if n > 1 else "text_train.perplexity_sentence_one",  # never "about 1 tokens"
        lang,
        loss=metrics["model"]["loss"],
        ppl=metrics["model"]["perplexity"],
        n=n,
        base=metrics["baseline"]["perplexity"],
        v=vocab_size,
    )


def worst_lines_table(worst: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The lines with the highest mean cross-entropy (``rnn_lab.train.runs.most_wrong`` of a next_token run)."""
    return pd.DataFrame(
        {
            _t("text_train.col_line", lang): worst["text"].tolist(),
            _t("text_train.col_tokens", lang): worst["tokens"].astype(int).tolist(),
            _t("text_train.col_accuracy", lang): [f"{v:.0%}" for v in worst["accuracy"]],
            _t("text_train.col_perplexity", lang): [f"{math.exp(v):.2f}" for v in worst["loss"]],
        }
    )


def worst_reviews_table(worst: pd.DataFrame, class_names, lang: str) -> pd.DataFrame:
    """The reviews with the lowest probability of their true class (``most_wrong`` of a text classify run)."""
    return pd.DataFrame(
        {
            _t("text_train.col_review", lang): worst["text"].tolist(),
            _t("text_train.col_true", lang): [class_names[int(k)] for k in worst["actual"]],
            _t("text_train.col_predicted", lang): [class_names[int(k)] for k in worst["predicted"]],
            _t("text_train.col_p_true", lang): [f"{p:.2f}" for p in worst["p_true"]],
        }
    )


def default_prompt(prepared) -> str:
    """The first token of the first training line: a prompt the model has certainly seen begin a sentence."""
    texts = prepared.texts("train")
    first = tokenize(texts[0], prepared.vocab.kind) if texts else []
    return first[0] if first else ""


def prompt_problem(vocab, prompt: str) -> tuple[str, dict] | None:
    """Why ``prompt`` cannot start a generation, as (message key, values), or None when it can: empty (no token
    at all) or made only of tokens the vocabulary does not know (the model would read nothing but [UNK])."""
    tokens = tokenize(prompt, vocab.kind)
    if not tokens:
        return "text_train.err.empty_prompt", {}
    ids = vocab.encode(tokens)
    if all(i == UNK_ID for i in ids):
        return "text_train.err.unknown_prompt", {"tokens": " ".join(token_label(x) for x in tokens[:8])}
    return None


def unknown_tokens(vocab, prompt: str) -> list[str]:
    """The prompt's tokens the vocabulary does not know (they are read as [UNK])."""
    tokens = tokenize(prompt, vocab.kind)
    return [x for x, i in zip(tokens, vocab.encode(tokens), strict=True) if i == UNK_ID]


def top5_figure(steps: list[dict], lang: str):
    """One row per generated step (top to bottom), its five most probable next tokens left to right (shade =
    probability, label = token and p); the chosen token's cell is boxed. A row's label names the chosen token,
    which at a high temperature may lie outside the five."""
    n = len(steps)
    k = max(len(s["top"]) for s in steps)
    z = np.full((n, k), np.nan)  # (steps, ranks) probabilities
    text = np.full((n, k), "", dtype=object)
    for r, step in enumerate(steps):
        for c, cand in enumerate(step["top"]):
            z[r, c] = cand["p"]
            text[r, c] = f"{token_label(cand['token'])} {cand['p']:.2f}"
    rows = [
        _t("text_train.top5_row", lang, t=r + 1, token=token_label(s["token"]), p=s["p"]) for r, s in enumerate(steps)
    ]
    ranks = [_t("text_train.top5_rank", lang, k=c + 1) for c in range(k)]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=ranks,
            y=rows,
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            zmin=0.0,
            zmax=1.0,
            colorbar={"title": {"text": "p"}},
            hovertemplate="%{y}<br>%{text}<extra></extra>",
        )
    )
    for r, step in enumerate(steps):
        for c, cand in enumerate(step["top"]):
            if cand["id"] == step["id"]:  # the token actually taken at this step
                fig.add_shape(
                    type="rect",
                    x0=c - 0.5,
                    x1=c + 0.5,
                    y0=r - 0.5,
                    y1=r + 0.5,
                    line={"color": color("model"), "width": 3},
                )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category")  # ranks below the rows: above, they would run into the title
    fig.update_layout(title=_t("text_train.top5_title", lang), height=140 + ROW_HEIGHT * n)
    return fig


def perplexity_figure(names: list[str], model: list[float], unigram: list[float], lang: str):
    """Language-model runs side by side: each run's perplexity beside its data's unigram baseline (lower is
    better; a run on another corpus has another baseline, so each run gets its own pair of bars)."""
    fig = go.Figure()
    fig.add_bar(x=names, y=model, name=_t("text_train.model_col", lang), marker_color=color("model"))
    fig.add_bar(x=names, y=unigram, name=_t("text_train.unigram_col", lang), marker_color=color("baseline"))
    fig.update_traces(texttemplate="%{y:.2f}", textposition="outside")
    fig.update_layout(
        barmode="group",
        title=_t("text_train.compare_ppl_title", lang),
        yaxis_title=_t("text_train.col_perplexity", lang),
    )
    return fig
