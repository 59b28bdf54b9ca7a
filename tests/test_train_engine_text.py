"""Training on text: the engine equals Keras' fit on token batches (with and without a mask), next_token runs,
generation, and sentiment above the majority baseline."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_lab.arch.config import ArchConfig, training_variant
from rnn_lab.train.engine import TrainConfig, batch_orders


def corpus_lm(maxlen=16, tokens="char"):
    from rnn_lab.data.text import prepare_next_token, tiny_corpus

    text = tiny_corpus("tiny-en") + "\n" + tiny_corpus("tiny-ko")
    return prepare_next_token(text, "text:own", tokens, maxlen=maxlen, val_frac=0.25, seed=2)


def fit_reference(keras, model, X, y, Xv, yv, epochs, batch_size, seed, lr=0.05):
    """Keras' own fit on the engine's exact batches, with SGD + momentum 0.9: a linear update, which Keras applies
    right to an Embedding's sliced gradient (Adam is not: see the test of the first Adam step below)."""
    import tensorflow as tf

    orders = batch_orders(len(X), batch_size, epochs, seed=seed)
    parts = [
        tf.data.Dataset.from_tensor_slices((X[np.concatenate(e)], y[np.concatenate(e)])).batch(batch_size)
        for e in orders
    ]
    ds = parts[0]
    for part in parts[1:]:
        ds = ds.concatenate(part)
    model.compile(keras.optimizers.SGD(lr, momentum=0.9), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model.fit(
        ds, epochs=epochs, steps_per_epoch=len(orders[0]), validation_data=(Xv, yv), verbose=0, shuffle=False
    ).history


@pytest.mark.parametrize(
    ("cell", "mask_zero", "padding", "jit"),
    [("LSTM", True, "pre", False), ("GRU", False, "post", True)],
)
def test_next_token_loss_and_accuracy_match_keras_fit(keras, cell, mask_zero, padding, jit):
    """Per-step cross-entropy and accuracy per token (masked steps left out with mask_zero) equal fit's on the
    same batches to 1e-5, with a last batch smaller than the others."""
    from rnn_lab.arch.keras_model import build_model
    from rnn_lab.data.text import prepare_next_token, tiny_corpus
    from rnn_lab.train import engine

    text = tiny_corpus("tiny-en") + "\n" + tiny_corpus("tiny-ko")
    p = prepare_next_token(text, "text:own", "char", maxlen=16, padding=padding, val_frac=0.25, seed=2)
    assert len(p.X_val) <= 32  # one validation batch in fit: its masked mean is the engine's
    arch = training_variant(ArchConfig(cell=cell, units=(6,), embedding_dim=4, mask_zero=mask_zero), p)
    cfg = TrainConfig(
        epochs=3, batch_size=5, seed=4, loss="sparse_categorical_crossentropy", optimizer="sgd", learning_rate=0.05
    )
    ours = engine.train(build_model(arch, 1), p.X_train, p.y_train, p.X_val, p.y_val, cfg, jit=jit).history
    assert set(ours) == {"loss", "val_loss", "accuracy", "val_accuracy"}
    fit = fit_reference(keras, build_model(arch, 1), p.X_train, p.y_train, p.X_val, p.y_val, 3, 5, 4)
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(ours[key], fit[key], rtol=1e-5)
    for key in ("accuracy", "val_accuracy"):
        np.testing.assert_allclose(ours[key], fit[key], atol=1e-5)


def test_text_classification_matches_keras_fit(keras):
    from rnn_lab.arch.keras_model import build_model
    from rnn_lab.data.text import prepare_text
    from rnn_lab.train import engine

    p = prepare_text("nsmc", "char", maxlen=20, limit=200, val_frac=0.1, seed=3)
    arch = training_variant(ArchConfig(cell="GRU", units=(5,), embedding_dim=4, mask_zero=True), p)
    assert arch.dense_units == 2 and not arch.return_sequences
    cfg = TrainConfig(
        epochs=2, batch_size=32, seed=1, loss="sparse_categorical_crossentropy", optimizer="sgd", learning_rate=0.05
    )
    ours = engine.train(build_model(arch, 0), p.X_train, p.y_train, p.X_val, p.y_val, cfg).history
    fit = fit_reference(keras, build_model(arch, 0), p.X_train, p.y_train, p.X_val, p.y_val, 2, 32, 1)
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(ours[key], fit[key], rtol=1e-5)
    for key in ("accuracy", "val_accuracy"):
        np.testing.assert_allclose(ours[key], fit[key], atol=1e-5)


def test_first_adam_step_on_an_embedding_is_the_textbook_one_with_repeated_tokens(keras):
    """Adam's first step moves every parameter with a gradient by ~learning rate (m_hat / sqrt(v_hat) = g / |g|),
    also the rows of tokens read several times in the batch. Keras 3 on TensorFlow squares an Embedding's sliced
    gradient slice by slice, so there a repeated token's row moves by lr * |sum g| / sqrt(sum g^2); the engine
    sums the slices first (dense gradient), as Keras on JAX does."""
    import tensorflow as tf

    from rnn_lab.arch.keras_model import build_model
    from rnn_lab.train import engine

    arch = ArchConfig(
        cell="SimpleRNN", units=(3,), timesteps=6, embedding_vocab=12, embedding_dim=4, dense_units=2,
        head_activation="softmax",
    )  # fmt: skip
    X = np.array([[3, 3, 3, 5, 5, 7], [3, 5, 8, 8, 8, 8]], np.int32)  # 3 read 4 times, 8 four times, 7 once
    y = np.array([0, 1], np.int32)
    lr = 0.01
    cfg = TrainConfig(epochs=1, batch_size=2, learning_rate=lr, loss="sparse_categorical_crossentropy")
    model = build_model(arch, 0)
    before = model.layers[0].get_weights()[0].copy()  # (12, 4) the Embedding's table
    with tf.GradientTape() as tape:  # the batch's dense gradient, to know which entries have one
        loss = keras.losses.sparse_categorical_crossentropy(y, model(X, training=True))
        g = tf.convert_to_tensor(tape.gradient(tf.reduce_mean(loss), model.layers[0].trainable_variables)[0]).numpy()
    engine.train(model, X, y, cfg=cfg, jit=False)
    moved = np.abs(model.layers[0].get_weights()[0] - before)
    clear = np.abs(g) > 1e-4  # entries whose gradient dwarfs Adam's epsilon (1e-7)
    assert clear[[3, 5, 7, 8]].any(axis=1).all()
    np.testing.assert_allclose(moved[clear], lr, rtol=1e-3)  # every one moved by the learning rate
    assert np.all(moved[[0, 1, 2, 4, 6, 9, 10, 11]] == 0)  # rows not read do not move
    fit_model = build_model(arch, 0)  # Keras' own fit: the repeated tokens' rows take another step
    fit_model.compile(keras.optimizers.Adam(lr), "sparse_categorical_crossentropy")
    fit_model.fit(X, y, batch_size=2, epochs=1, shuffle=False, verbose=0)
    fit_moved = np.abs(fit_model.layers[0].get_weights()[0] - before)
    assert np.allclose(fit_moved[7][clear[7]], lr, rtol=1e-3)  # a token read once: the same step
    assert not np.allclose(fit_moved[[3, 8]][clear[[3, 8]]], lr, rtol=1e-2)  # read 4 times: not lr (Keras' slices)


@pytest.fixture(scope="module")
def english_lm(keras):
    """A character LSTM trained on the tiny English corpus until it knows it by heart (seeded)."""
    from rnn_lab.data.text import prepare_text
    from rnn_lab.train.runs import execute

    p = prepare_text("tiny-en", "char", maxlen=40, padding="post")
    arch = ArchConfig(cell="LSTM", units=(48,), embedding_dim=16)
    cfg = TrainConfig(epochs=200, learning_rate=0.01, batch_size=8, seed=0, loss="sparse_categorical_crossentropy")
    return p, execute(p, arch, cfg)


def test_next_token_run_is_scored_against_the_unigram_baseline(english_lm):
    p, run = english_lm
    assert run.task == "next_token" and run.metric_name == "perplexity"
    assert run.arch.embedding_vocab == p.vocab_size and run.arch.return_sequences
    m = run.metrics
    assert m["split"] == "train" and m["n_tokens"] == int((p.y_train != 0).sum())
    assert m["verdict"] == "beats" and m["model"]["perplexity"] < m["baseline"]["perplexity"]
    assert m["model"]["perplexity"] == pytest.approx(np.exp(m["model"]["loss"]))
    assert m["baseline"]["token"] == int(np.argmax(p.unigram()))  # the space: the most frequent character
    assert p.vocab.tokens[m["baseline"]["token"]] == " "
    assert run.summary()["perplexity"] == m["model"]["perplexity"]
    assert set(run.predictions.columns) >= {"split", "text", "accuracy", "loss"}


def test_generation_at_temperature_zero_reproduces_a_training_sentence_from_its_first_word(english_lm):
    from rnn_lab.data.text import lines_of, tiny_corpus
    from rnn_lab.train.generate import generate

    p, run = english_lm
    lines = lines_of(tiny_corpus("tiny-en"))
    firsts = [line.split()[0] for line in lines]
    for line, first in zip(lines, firsts, strict=True):
        if firsts.count(first) > 1:
            continue  # "I work at google" / "I google at work": the first word cannot tell them apart
        out = generate(run.model, p, first, length=len(line) - len(first) + 10, temperature=0.0)
        assert out.text == line and out.ended  # the line, then [END]: it stops where the line ends
        assert len(out.steps) == len(line) - len(first) + 1 and out.steps[-1]["token"] == "[END]"
        step = out.steps[0]
        assert len(step["top"]) == 5 and step["top"][0]["id"] == step["id"]
        assert sum(t["p"] for t in step["top"]) <= 1.0 + 1e-6
        assert [t["p"] for t in step["top"]] == sorted((t["p"] for t in step["top"]), reverse=True)


def test_sampling_is_seeded_and_bad_prompts_are_refused(english_lm):
    from rnn_lab.train.generate import generate

    p, run = english_lm
    a = generate(run.model, p, "the", 20, temperature=1.5, seed=7)
    b = generate(run.model, p, "the", 20, temperature=1.5, seed=7)
    assert a.text == b.text and a.ids == b.ids and len(a.ids) <= 20 and 0 not in a.ids
    assert a.ended == (a.ids[-1] == 2) and 2 not in a.ids[:-1]  # [END] (id 2) only ever last: it stops there
    with pytest.raises(ValueError, match="prompt is empty"):
        generate(run.model, p, "   ", 5)
    with pytest.raises(ValueError, match="at least 1 token"):
        generate(run.model, p, "the", 0)


def test_saved_run_carries_its_vocabulary(english_lm, tmp_path):
    from rnn_lab.train.generate import generate, load_run, save_run

    p, run = english_lm
    model_path, vocab_file = save_run(run.model, p, tmp_path / "lm.keras")
    assert vocab_file.name == "lm.vocab.json"
    model, spec = load_run(model_path)
    assert spec.vocab == p.vocab and spec.window == p.window and spec.padding == "post"
    assert generate(model, spec, "she", 10, 0.0).text == generate(run.model, p, "she", 10, 0.0).text


def test_korean_character_model_reproduces_a_sentence(keras):
    from rnn_lab.data.text import prepare_text
    from rnn_lab.train.generate import generate
    from rnn_lab.train.runs import execute

    p = prepare_text("tiny-ko", "char", maxlen=30, padding="pre")
    arch = ArchConfig(cell="GRU", units=(48,), embedding_dim=16, mask_zero=True)  # pre padding + mask: no length clue
    run = execute(
        p, arch, TrainConfig(epochs=250, learning_rate=0.01, batch_size=8, loss="sparse_categorical_crossentropy")
    )
    line = "우리는 점심으로 밥을 먹는다"
    out = generate(run.model, p, "우리는", len(line) - 3 + 5, 0.0)
    assert out.text == line and out.ended


def test_generation_stops_at_end_and_never_picks_pad():
    """A stand-in model whose next-token distribution favours [END] once the text is 3 tokens long."""
    from rnn_lab.data.text import END_ID, PAD_ID, prepare_text
    from rnn_lab.train.generate import generate

    p = prepare_text("tiny-en", "char", maxlen=10, padding="post")
    V = p.vocab_size

    class Scripted:
        def __call__(self, x, training=False):
            n = int((x[0] != PAD_ID).sum())  # tokens read so far
            out = np.full((1, x.shape[1], V), 0.01)
            out[0, :, PAD_ID] = 0.9  # the most likely "token" is [PAD]: it must never be chosen
            out[0, :, END_ID if n >= 3 else 5] = 0.5
            return out / out.sum(-1, keepdims=True)

    out = generate(Scripted(), p, "ab", length=20, temperature=0.0)
    assert out.ids == [5, END_ID] and out.ended and out.tokens[-1] == "[END]"
    assert out.text == "ab" + p.vocab.tokens[5]  # [END] is not text
    assert generate(Scripted(), p, "a", length=1, temperature=0.0).ended is False  # cut by length, not ended


def test_sentiment_on_a_small_nsmc_subset_beats_the_majority_baseline(keras):
    from rnn_lab.data.text import prepare_text
    from rnn_lab.train.runs import execute, most_wrong

    p = prepare_text("nsmc", "char", maxlen=40, limit=2000, val_frac=0.1, seed=0)
    arch = ArchConfig(cell="GRU", units=(32,), embedding_dim=16, mask_zero=True)
    cfg = TrainConfig(epochs=4, learning_rate=0.005, batch_size=32, loss="sparse_categorical_crossentropy")
    run = execute(p, arch, cfg)
    m = run.metrics
    assert m["split"] == "test" and sum(map(sum, m["confusion"])) == 5000
    assert m["baseline"]["accuracy"] == 0.5
    assert m["model"]["accuracy"] > 0.62 and m["verdict"] == "beats"
    worst = most_wrong(run, 5)
    assert len(worst) == 5 and (worst["actual"] != worst["predicted"]).all()
    assert worst["text"].iloc[0] == p.texts_test[worst["position"].iloc[0]]
