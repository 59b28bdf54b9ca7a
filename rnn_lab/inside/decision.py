"""How a classifier's decision forms through time: the class probabilities if the sequence stopped at step t.

A many-to-one classifier reads the whole sequence with its recurrent layers and puts the last layer's final hidden
state h_T through its head (``Dense(K, softmax)``, and any Dense/Dropout layers between). The hidden state h_t of
the last recurrent layer depends on x_1 .. x_t only (every layer below it returns its sequence and reads forward),
so putting h_t through the same head gives exactly what the model would answer for the sequence cut at t. At
t = T it is the model's own prediction.

NumPy only: the recurrent layers run once through :func:`rnn_lab.inside.numpy_rnn.run_model` (which reads the
weights), then the head is applied to all T hidden states at once; no Keras call per step.
"""

from __future__ import annotations

import numpy as np

from rnn_lab.inside.numpy_rnn import ModelRun, _dense, _layers_in_order, reads_tokens, run_model


class DecisionUndefined(ValueError):
    """The decision at step t is not defined for this model. ``reason`` names the case (catalogue key
    ``inside.decision_reason.<reason>``), ``params`` fill its message; ``str()`` is the English sentence."""

    def __init__(self, reason: str, message: str, **params):
        super().__init__(message)
        self.reason = reason
        self.params = params


IDENTITY_LAYERS = ("Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout")  # identity at inference


def _head_layers(model, run: ModelRun) -> tuple[int, list]:
    """Index of the last recurrent layer in ``run.layers`` and the Keras layers after it (the head)."""
    layers = _layers_in_order(model)
    recurrent = [i for i, layer in enumerate(run.layers) if layer.recurrent]
    if not recurrent:
        raise DecisionUndefined(
            "no_recurrent", "the model has no recurrent layer: there is no hidden state to follow through time"
        )
    last = recurrent[-1]
    return last, layers[last + 1 :]


def decision_through_time(model, x: np.ndarray, run: ModelRun | None = None) -> np.ndarray:
    """(T, K) float64: row t-1 holds the head's class probabilities applied to the last recurrent layer's h_t.

    ``x`` is one sequence (T, F), or token ids (T,) for a model with an Embedding (or a batch of one). With
    mask_zero a [PAD] step keeps h_{t-1}, so its row repeats the previous one (zeros in front: the head's bias). ``run`` is a NumPy run of the same model and sequence to
    reuse (:func:`run_model`). ValueError in plain words when the decision at step t is not defined this way:
    a Bidirectional last layer (its backward pass has already read the end), a layer that reads backwards, a
    head that is not a softmax, or a layer in the head NumPy does not rewrite.
    """
    x = np.asarray(x)
    one = 1 if reads_tokens(model) else 2  # token ids (T,) or numbers (T, F) per sequence
    if x.ndim == one + 1:
        if x.shape[0] != 1:
            raise ValueError(f"one sequence at a time: got a batch of {x.shape[0]}")
        x = x[0]
    if x.ndim != one:
        shape = "(time steps,) token ids" if one == 1 else "(time steps, features)"
        raise ValueError(f"a sequence is {shape}; got shape {x.shape}")
    run = run or run_model(model, x)
    last, head = _head_layers(model, run)
    layer_run = run.layers[last]
    if len(layer_run.directions) != 1:
        raise DecisionUndefined(
            "bidirectional",
            f"{layer_run.name} is Bidirectional: its backward pass reads the sequence from the end, so at step t it "
            "has already seen the rest; the decision 'if the sequence stopped at t' is not defined",
            layer=layer_run.name,
        )
    for lower in run.recurrent_layers:
        model_layer = _layers_in_order(model)[run.layers.index(lower)]
        if bool(getattr(model_layer, "go_backwards", False)):
            raise DecisionUndefined(
                "backwards",
                f"{lower.name} reads the sequence backwards: its step t has seen the steps after t",
                layer=lower.name,
            )
    if not head or type(head[-1]).__name__ != "Dense" or head[-1].get_config().get("activation") != "softmax":
        raise DecisionUndefined(
            "no_softmax", "the model does not end in a Dense softmax head: it gives no class probabilities"
        )
    y = layer_run.directions[0].values["h"][0]  # (T, U) hidden state h_t of the last recurrent layer, step by step
    for layer in head:
        name = type(layer).__name__
        if name == "Dense":
            y = _dense(layer, y)  # (T, out): the same weights at every step
        elif name in IDENTITY_LAYERS:
            continue
        else:
            raise DecisionUndefined(
                "head_layer",
                f"layer {layer.name} ({name}) between the recurrent layers and the head is not supported",
                layer=f"{layer.name} ({name})",
            )
    return y  # (T, K) softmax rows
