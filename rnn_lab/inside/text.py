"""Inside the cell on text: a sentence as token ids, what the model predicts at each step, the embedding map.

A text model starts with ``Embedding(V, d_e)``: token id i becomes row i of the matrix E (V, d_e), so the
recurrent layers read ``E[ids]`` (T, d_e) exactly as they read numbers (see :mod:`rnn_lab.inside.numpy_rnn`).
This module adds what only text has: the tokens of each step (for labels), a typed sentence encoded with the
dataset's own vocabulary and padding, the next-token distribution at every step (next_token), the running
probability of one class as the sentence is read (classify), and a 2-D PCA of the learned embeddings.
NumPy only; no streamlit. Errors a user can cause are :class:`SentenceError` (catalogue key + values).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnn_lab import i18n
from rnn_lab.data.text import END_ID, PAD_ID, UNK_ID, pad_ids, tokenize
from rnn_lab.inside.decision import decision_through_time
from rnn_lab.inside.numpy_rnn import ModelRun, embedding_matrix

TOP_K = 5  # next tokens listed at each step


class SentenceError(i18n.MessageError):
    """A typed sentence the model cannot read; its message lives in ``locales/<lang>/text_inside.toml`` under ``err``."""

    namespace = "text_inside.err"


def step_tokens(vocab, ids) -> list[str]:
    """The token string of every step (``[PAD]`` included), so a figure can label its time axis with them."""
    return [vocab.tokens[int(i)] if 0 <= int(i) < vocab.size else vocab.tokens[UNK_ID] for i in np.ravel(ids)]


@dataclass
class Sentence:
    """A typed sentence as the model reads it: ids (T,) padded like the dataset, and what did not fit."""

    ids: np.ndarray  # int32 (T,): 0 = [PAD], 1 = [UNK]
    unknown: list[str]  # tokens of the text that are not in the vocabulary (read as [UNK]), in order, unique
    dropped: int  # tokens cut off because the text is longer than T (the dataset's truncating side)


def encode_sentence(prepared, text: str) -> Sentence:
    """``text`` tokenised like the dataset (char or word), looked up in its vocabulary, cut and padded to its T.

    SentenceError for an empty text (nothing to read), never an exception from deeper down."""
    tokens = tokenize(str(text or ""), prepared.tokens)
    if not tokens:
        raise SentenceError("empty")
    ids = prepared.vocab.encode(tokens)
    unknown = list(dict.fromkeys(tok for tok, i in zip(tokens, ids, strict=True) if i == UNK_ID))
    T = int(prepared.window)
    padded = pad_ids([ids], T, prepared.padding, prepared.truncating)[0]  # (T,) as the training samples
    return Sentence(ids=padded, unknown=unknown, dropped=max(0, len(ids) - T))


def next_token_top(probs: np.ndarray, vocab, k: int = TOP_K) -> list[list[tuple[str, float]]]:
    """Per step, the k most likely next tokens and their probabilities (largest first).

    ``probs`` (T, V) is the model's softmax output at every step (a next_token model's Dense(V) on each h_t)."""
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim == 3:
        probs = probs[0]  # a batch of one
    k = min(int(k), probs.shape[-1])
    order = np.argsort(-probs, axis=-1, kind="stable")[:, :k]  # (T, k) ids, most likely first
    return [[(vocab.tokens[int(i)], float(row[i])) for i in top] for row, top in zip(probs, order, strict=True)]


def running_probability(model, ids: np.ndarray, run: ModelRun, class_index: int) -> np.ndarray:
    """(T,) P(class ``class_index``) if the sentence stopped at step t: the head applied to h_t
    (:func:`rnn_lab.inside.decision.decision_through_time`); the last value is the model's own prediction."""
    return decision_through_time(model, ids, run)[:, int(class_index)]


@dataclass
class EmbeddingMap:
    """The learned token vectors projected on their two main directions (PCA), [PAD] (and [END]) left out."""

    ids: np.ndarray  # int (n,): token ids shown (1 .. V-1, without [END])
    tokens: list[str]
    coords: np.ndarray  # (n, 2): each token's coordinates on PC1, PC2
    explained: np.ndarray  # (2,): fraction of the variance of the vectors each axis explains
    unk_row: int | None  # index in ``ids`` of [UNK] (flagged: it is the vector of every unknown token)


def embedding_pca(E: np.ndarray, vocab) -> EmbeddingMap:
    """PCA by SVD of the centred embedding rows (without [PAD], which mask_zero never reads and whose vector
    carries no meaning, and without [END], only ever a target, never read, so its row keeps its random start):
    X = E[ids] - mean = U S V^T, coordinates = U S (first two columns), explained variance of
    axis j = S_j^2 / sum(S^2). With d_e = 1, or fewer than three tokens, the missing axis is 0 and explains 0."""
    E = np.asarray(E, dtype=np.float64)  # (V, d_e)
    ids = np.arange(1, E.shape[0])  # every id but [PAD] ...
    if getattr(vocab, "has_end", False):
        ids = ids[ids != END_ID]  # ... and [END]
    X = E[ids] - E[ids].mean(axis=0)  # (n, d_e) centred
    U, S, _ = np.linalg.svd(X, full_matrices=False)  # U (n, r), S (r,), r = min(n, d_e)
    coords = np.zeros((len(ids), 2))
    r = min(2, S.size)
    coords[:, :r] = U[:, :r] * S[:r]  # (n, 2) projection on the principal axes
    total = float(np.sum(S**2))
    explained = np.zeros(2)
    if total > 0:
        explained[:r] = S[:r] ** 2 / total
    unk = int(np.flatnonzero(ids == UNK_ID)[0]) if UNK_ID < E.shape[0] else None
    return EmbeddingMap(ids=ids, tokens=step_tokens(vocab, ids), coords=coords, explained=explained, unk_row=unk)


def model_embedding_pca(model, vocab) -> EmbeddingMap:
    """:func:`embedding_pca` of the model's own Embedding matrix (ValueError for a model without one)."""
    E = embedding_matrix(model)
    if E.shape[0] != vocab.size:
        raise ValueError(f"the Embedding has {E.shape[0]} rows but the vocabulary {vocab.size} tokens")
    return embedding_pca(E, vocab)


def last_token_step(ids) -> int:
    """1-based step of the last real (non-[PAD]) token: where 'after the sentence' is read (pre or post padding)."""
    real = np.flatnonzero(np.ravel(ids) != 0)
    return int(real[-1]) + 1 if real.size else len(np.ravel(ids))


def pad_steps(ids) -> np.ndarray:
    """(T,) bool: the [PAD] steps (skipped by the recurrent layers when the Embedding has mask_zero)."""
    return np.ravel(np.asarray(ids)) == PAD_ID
