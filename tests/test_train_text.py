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


def fit_reference(keras, model, X, y, Xv, yv, epochs, batch_size, seed):
    """Keras' own fit on the engine's exact batches."""
    import tensorflow as tf

    orders = batch_orders(len(X), batch_size, epochs, seed=seed)
    parts = [
        tf.data.Dataset.from_tensor_slices((X[np.concatenate(e)], y[np.concatenate(e)])).batch(batch_size)
        for e in orders
    ]
    ds = parts[0]
    for part in parts[1:]:
        ds = ds.concatenate(part)
    model.compile(keras.optimizers.Adam(0.001), "sparse_categorical_crossentropy", metrics=["accuracy"])
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
    cfg = TrainConfig(epochs=3, batch_size=5, seed=4, loss="sparse_categorical_crossentropy")
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
    cfg = TrainConfig(epochs=2, batch_size=32, seed=1, loss="sparse_categorical_crossentropy")
    ours = engine.train(build_model(arch, 0), p.X_train, p.y_train, p.X_val, p.y_val, cfg).history
    fit = fit_reference(keras, build_model(arch, 0), p.X_train, p.y_train, p.X_val, p.y_val, 2, 32, 1)
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(ours[key], fit[key], rtol=1e-5)
    for key in ("accuracy", "val_accuracy"):
        np.testing.assert_allclose(ours[key], fit[key], atol=1e-5)
