"""The real Keras 3 model of an :class:`ArchConfig`, and its summary as rows and as text.

Keras is imported inside the functions: importing this module costs nothing.
"""

from __future__ import annotations

from rnn_lab.arch.config import ArchConfig
from rnn_lab.arch.params import LAYER_BASE

MODEL_NAME = "rnn_lab"
INPUT_NAME = "input"
CELL_CLASS = {"SimpleRNN": "SimpleRNN", "LSTM": "LSTM", "GRU": "GRU"}
# Above this many parameters the explorer does not build the Keras model (it would take seconds and tens of MB
# per configuration); the page then shows the analytic counts, which the property tests check against Keras.
MAX_BUILD_PARAMS = 2_000_000


def _seed(seed: int | None, layer: int, part: int) -> int | None:
    """A distinct, reproducible seed per (layer, weight): same cfg + seed -> same weights, no global RNG touched."""
    if seed is None:
        return None
    return (seed * 1009 + layer * 31 + part) % (2**31 - 1)


def _recurrent_layer(keras, cfg: ArchConfig, i: int, units: int, seed: int | None, *, last: bool, backward: bool):
    """One recurrent layer (i is 1-based) with its own seeded initializers."""
    part = 10 if backward else 0  # the backward copy gets its own weights, not a clone of the forward ones
    kwargs = {
        "units": units,
        "return_sequences": (not last) or cfg.return_sequences,
        "return_state": last and cfg.return_state,
        "dropout": cfg.dropout,
        "recurrent_dropout": cfg.recurrent_dropout,
        "kernel_initializer": keras.initializers.GlorotUniform(seed=_seed(seed, i, part + 1)),
        "recurrent_initializer": keras.initializers.Orthogonal(seed=_seed(seed, i, part + 2)),
        "seed": _seed(seed, i, part + 3),  # dropout masks
        "go_backwards": backward,
        "name": ("backward_" if backward else "") + f"{LAYER_BASE[cfg.cell]}_{i}",
    }
    return getattr(keras.layers, CELL_CLASS[cfg.cell])(**kwargs)


def _dense(keras, cfg: ArchConfig, seed: int | None):
    return keras.layers.Dense(
        cfg.dense_units,
        activation=cfg.head_activation,  # "linear" (forecast) or "softmax" (class probabilities)
        kernel_initializer=keras.initializers.GlorotUniform(seed=_seed(seed, 0, 99)),
        name="dense",
    )


def _feedforward_layers(keras, cfg: ArchConfig, seed: int | None) -> list:
    """conv1d / dense families: [Conv1D + MaxPooling1D], Flatten, [Dense hidden] (the head is added by the caller)."""
    glorot = keras.initializers.GlorotUniform
    layers = []
    if cfg.family == "conv1d":
        layers.append(
            keras.layers.Conv1D(
                cfg.filters,
                cfg.kernel_size,
                padding="valid",
                activation="relu",
                kernel_initializer=glorot(seed=_seed(seed, 1, 1)),
                name="conv1d",
            )
        )
        if cfg.pool_size > 1:
            layers.append(keras.layers.MaxPooling1D(cfg.pool_size, name="max_pooling1d"))
    layers.append(keras.layers.Flatten(name="flatten"))
    if cfg.dense_hidden is not None:
        layers.append(
            keras.layers.Dense(
                cfg.dense_hidden,
                activation="relu",
                kernel_initializer=glorot(seed=_seed(seed, 2, 1)),
                name="dense_hidden",
            )
        )
    return layers


def _inputs(keras, cfg: ArchConfig, seed: int | None) -> list:
    """The Input, and the Embedding after it when the model reads token ids: (batch, T) int32 -> (batch, T, d_e)."""
    if not cfg.has_embedding:
        return [keras.Input(shape=(cfg.timesteps, cfg.features), batch_size=cfg.batch_size, name=INPUT_NAME)]
    return [
        keras.Input(shape=(cfg.timesteps,), batch_size=cfg.batch_size, dtype="int32", name=INPUT_NAME),
        keras.layers.Embedding(
            cfg.embedding_vocab,
            cfg.embedding_dim,
            mask_zero=cfg.mask_zero,
            # Keras' default "uniform" is RandomUniform(-0.05, 0.05); seeded like every other layer
            embeddings_initializer=keras.initializers.RandomUniform(-0.05, 0.05, seed=_seed(seed, 0, 77)),
            name="embedding",
        ),
    ]


def build_model(cfg: ArchConfig, seed: int | None = 0):
    """A real Keras model of ``cfg``: Sequential, or functional when ``return_state`` adds state outputs.

    Layer names are stable (``simple_rnn_1``, ``bidirectional_2``, ``dense``) so the summary,
    the formulas and the generated code agree. ``seed=None`` gives fresh random weights.
    """
    import keras

    front = _inputs(keras, cfg, seed)  # [Input] or [Input(int32), Embedding]
    if not cfg.is_rnn:
        head = [_dense(keras, cfg, seed)] if cfg.dense_units is not None else []
        return keras.Sequential([*front, *_feedforward_layers(keras, cfg, seed), *head], name=MODEL_NAME)
    layers = []
    for i, units in enumerate(cfg.units, start=1):
        last = i == cfg.n_layers
        layer = _recurrent_layer(keras, cfg, i, units, seed, last=last, backward=False)
        if cfg.bidirectional:
            backward = _recurrent_layer(keras, cfg, i, units, seed, last=last, backward=True)
            layer = keras.layers.Bidirectional(
                layer, merge_mode=cfg.merge_mode, backward_layer=backward, name=f"bidirectional_{i}"
            )
        layers.append(layer)
    if not cfg.return_state:
        head = [_dense(keras, cfg, seed)] if cfg.dense_units is not None else []
        return keras.Sequential([*front, *layers, *head], name=MODEL_NAME)
    inputs = front[0]
    x = front[1](inputs) if cfg.has_embedding else inputs
    for layer in layers[:-1]:
        x = layer(x)
    output, *states = layers[-1](x)
    if cfg.dense_units is not None:
        output = _dense(keras, cfg, seed)(output)
    return keras.Model(inputs, [output, *states], name=MODEL_NAME)


def _shape_text(tensors) -> str:
    """A layer's output shape(s) as model.summary() prints them: (None, 5, 10) or [(None, 10), (None, 10)]."""

    def one(t):
        return "(" + ", ".join(str(x) for x in t.shape) + ")"

    if isinstance(tensors, (list, tuple)):
        return one(tensors[0]) if len(tensors) == 1 else "[" + ", ".join(one(t) for t in tensors) + "]"
    return one(tensors)


def summary_rows(model) -> dict:
    """The summary as data: ``{"layers": [{name, type, output_shape, params}], "total_params", "trainable_params"}``.

    The input layer (0 parameters) is left out, as Sequential's summary does.
    """
    rows = []
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        rows.append(
            {
                "name": layer.name,
                "type": type(layer).__name__,
                "output_shape": _shape_text(layer.output),
                "params": int(layer.count_params()),
            }
        )
    trainable = sum(_size(w) for w in model.trainable_weights)
    return {"layers": rows, "total_params": int(model.count_params()), "trainable_params": trainable}


def _size(variable) -> int:
    n = 1
    for dim in variable.shape:
        n *= int(dim)
    return n


def summary_text(model, line_length: int | None = None) -> str:
    """The raw ``model.summary()`` text (captured, not printed); ``line_length`` as in Keras (narrower: cells wrap)."""
    lines: list[str] = []
    model.summary(line_length=line_length, print_fn=lambda line, *args, **kwargs: lines.append(line))
    return "\n".join(lines)
