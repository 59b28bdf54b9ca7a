"""NumPy == Keras on token ids (the Embedding lookup, mask_zero, pre/post padding), the running probability,
the next-token top-k, a typed sentence, and the PCA of the embeddings."""

from __future__ import annotations

import numpy as np
import pytest

V, T, D = 15, 9, 4  # vocabulary, time steps, embedding size: tiny on purpose


def _model(keras, cell: str, mask_zero: bool, head: str, bidirectional: bool = False, seed: int = 3):
    """A tiny text model whose Embedding rows are large enough (N(0, 1)) that a mask mistake shows."""
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.arch.keras_model import build_model

    next_token = head == "next_token"
    cfg = ArchConfig(
        cell=cell,
        units=(5, 4),
        timesteps=T,
        features=1,
        embedding_vocab=V,
        embedding_dim=D,
        mask_zero=mask_zero,
        bidirectional=bidirectional,
        return_sequences=next_token,
        dense_units=V if next_token else 2,
        head_activation="softmax",
    )
    model = build_model(cfg, seed=seed)
    embedding = model.layers[0]
    rng = np.random.default_rng(seed)
    embedding.embeddings.assign(rng.normal(size=(V, D)).astype("float32"))
    return model


def _ids(padding: str) -> np.ndarray:
    """(3, T) token ids of three sentences of 4, 7 and 9 tokens, padded with [PAD] = 0 in front or behind."""
    from rnn_lab.data.text import pad_ids

    rng = np.random.default_rng(11)
    sentences = [rng.integers(1, V, size=n).tolist() for n in (4, 7, 9)]
    return pad_ids(sentences, T, padding=padding)


@pytest.mark.parametrize("cell", ["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("mask_zero", [False, True])
@pytest.mark.parametrize("padding", ["pre", "post"])
@pytest.mark.parametrize("head", ["next_token", "classify"])
def test_numpy_equals_keras_with_the_embedding_lookup(keras, cell, mask_zero, padding, head):
    from rnn_lab.inside.numpy_rnn import keras_output, run_model

    model = _model(keras, cell, mask_zero, head)
    ids = _ids(padding)
    run = run_model(model, ids)
    np.testing.assert_allclose(run.output, keras_output(model, ids), atol=1e-5, rtol=0)
    embedding = run.layers[0]
    assert embedding.kind == "embedding"
    np.testing.assert_array_equal(embedding.output, model.layers[0].embeddings.numpy()[ids])  # E[ids]
    if mask_zero:
        np.testing.assert_array_equal(run.recurrent_layers[0].mask, ids != 0)
        h = run.recurrent_layers[0].directions[0].values["h"][0]  # (T, U) of the 4-token sentence
        if padding == "pre":  # 5 [PAD]s in front: h stays h_0 = 0 until the first token
            assert np.all(h[:5] == 0) and np.all(h[5] != 0)
        else:  # 5 [PAD]s behind: h stays at its value after the 4th token
            np.testing.assert_array_equal(h[4:], np.broadcast_to(h[3], h[4:].shape))


@pytest.mark.parametrize("cell", ["SimpleRNN", "LSTM", "GRU"])
def test_masked_bidirectional_matches_keras(keras, cell):
    """Bidirectional with return_sequences zeroes the masked outputs (zero_output_for_mask): NumPy does too."""
    from rnn_lab.inside.numpy_rnn import keras_output, run_model

    model = _model(keras, cell, True, "next_token", bidirectional=True)
    for padding in ("pre", "post"):
        ids = _ids(padding)
        np.testing.assert_allclose(run_model(model, ids).output, keras_output(model, ids), atol=1e-5, rtol=0)


def test_the_mask_matters_so_the_check_can_fail(keras):
    """Same weights, mask off in the NumPy run: the outputs differ from Keras' masked model by far more than 1e-5."""
    from rnn_lab.inside.numpy_rnn import keras_output, run_model

    masked = _model(keras, "GRU", True, "classify")
    plain = _model(keras, "GRU", False, "classify")
    plain.set_weights(masked.get_weights())
    ids = _ids("post")
    assert np.max(np.abs(run_model(plain, ids).output - keras_output(masked, ids))) > 1e-3


@pytest.mark.parametrize("padding", ["pre", "post"])
def test_running_probability_ends_at_the_keras_prediction(keras, padding):
    from rnn_lab.inside.numpy_rnn import keras_output, run_model
    from rnn_lab.inside.text import running_probability

    model = _model(keras, "LSTM", True, "classify")
    ids = _ids(padding)[0]  # one sentence (T,)
    run = run_model(model, ids)
    p = running_probability(model, ids, run, 1)  # P(positive) at every step
    assert p.shape == (T,) and np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p[-1], keras_output(model, ids)[0, 1], atol=1e-5)
    if padding == "post":  # after the last token the state is kept: the probability no longer moves
        np.testing.assert_allclose(p[3:], p[3], atol=1e-12)
    if padding == "pre":  # step T-2 is Keras' answer for the sentence without its last 2 tokens (masked [PAD]s)
        cut = np.concatenate([np.zeros(2, np.int64), ids[:-2]])
        np.testing.assert_allclose(p[-3], keras_output(model, cut)[0, 1], atol=1e-5)


def test_next_token_top_k_is_sorted_and_matches_the_output(keras):
    from rnn_lab.data.text import Vocab
    from rnn_lab.inside.numpy_rnn import keras_output, run_model
    from rnn_lab.inside.text import next_token_top

    vocab = Vocab(("[PAD]", "[UNK]", *"가나다라마바사아자차카타파"), "char", (0,) * V)
    model = _model(keras, "SimpleRNN", False, "next_token")
    ids = _ids("post")[1]
    top = next_token_top(run_model(model, ids).output, vocab, 5)
    keras_probs = keras_output(model, ids)[0]  # (T, V)
    assert len(top) == T and all(len(step) == 5 for step in top)
    for t, step in enumerate(top):
        probs = [p for _, p in step]
        assert probs == sorted(probs, reverse=True)
        assert step[0][0] == vocab.tokens[int(np.argmax(keras_probs[t]))]
        np.testing.assert_allclose(probs, np.sort(keras_probs[t])[::-1][:5], atol=1e-5)


def test_embedding_pca_properties():
    from rnn_lab.data.text import Vocab
    from rnn_lab.inside.text import embedding_pca

    rng = np.random.default_rng(0)
    vocab = Vocab(("[PAD]", "[UNK]", *"abcdefghij"), "char", (0,) * 12)
    E = rng.normal(size=(12, 6)) @ np.diag([5, 3, 1, 0.5, 0.2, 0.1])  # two strong directions
    E[0] = 1e3  # [PAD]: left out, or it would dominate the first axis
    emap = embedding_pca(E, vocab)
    assert emap.coords.shape == (11, 2) and emap.tokens[0] == "[UNK]" and emap.unk_row == 0
    assert list(emap.ids) == list(range(1, 12))
    np.testing.assert_allclose(emap.coords.mean(axis=0), 0, atol=1e-9)  # centred
    X = E[1:] - E[1:].mean(axis=0)
    variances = np.linalg.eigvalsh(np.cov(X.T))[::-1]
    np.testing.assert_allclose(emap.explained, variances[:2] / variances.sum(), rtol=1e-9)
    assert 1 >= emap.explained[0] >= emap.explained[1] >= 0 and emap.explained.sum() > 0.8
    np.testing.assert_allclose(np.var(emap.coords, axis=0, ddof=1), variances[:2], rtol=1e-9)
    # with d_e = 2 the projection is a rotation: distances between tokens are kept
    emap2 = embedding_pca(E[:, :2], vocab)
    d = lambda P: np.linalg.norm(P[:, None] - P[None], axis=-1)  # noqa: E731
    np.testing.assert_allclose(d(emap2.coords), d(E[1:, :2]), atol=1e-9)
    np.testing.assert_allclose(emap2.explained.sum(), 1.0)
    # d_e = 1: one axis, the second is 0 and explains nothing
    emap1 = embedding_pca(E[:, :1], vocab)
    assert np.all(emap1.coords[:, 1] == 0) and emap1.explained[1] == 0 and emap1.explained[0] == pytest.approx(1)
    # a language model's [END] (id 2) is only a target, never read: its row is left out like [PAD]'s
    lm_vocab = Vocab(("[PAD]", "[UNK]", "[END]", *"abcdefghi"), "char", (0,) * 12)
    emap_lm = embedding_pca(E, lm_vocab)
    assert list(emap_lm.ids) == [1, *range(3, 12)] and "[END]" not in emap_lm.tokens


def test_typed_sentence_uses_the_dataset_vocabulary_and_padding():
    from rnn_lab.data.text import prepare_text
    from rnn_lab.inside.text import SentenceError, encode_sentence, step_tokens

    data = prepare_text("tiny-ko", tokens="char", maxlen=12, padding="post", task="next_token")
    sentence = encode_sentence(data, "나는 Q학교")
    tokens = step_tokens(data.vocab, sentence.ids)
    assert sentence.ids.shape == (12,) and sentence.ids.dtype == np.int32
    assert tokens[:6] == ["나", "는", " ", "[UNK]", "학", "교"] and tokens[6:] == ["[PAD]"] * 6
    assert sentence.unknown == ["Q"] and sentence.dropped == 0
    long = encode_sentence(data, "가" * 20)
    assert long.dropped == 8 and np.all(long.ids != 0)
    for bad in ("", "   \n\t"):
        with pytest.raises(SentenceError) as err:
            encode_sentence(data, bad)
        assert "empty" in str(err.value) and "비어" in err.value.text("ko")
