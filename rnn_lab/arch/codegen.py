"""Keras 3 code for an :class:`ArchConfig`, and how older (TF 2.x) tutorial notations map to Keras 3."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rnn_lab.arch.config import ArchConfig
from rnn_lab.arch.keras_model import INPUT_NAME, MODEL_NAME
from rnn_lab.arch.params import LAYER_BASE, state_labels


def _layer_call(cfg: ArchConfig, i: int, units: int, *, last: bool) -> str:
    """``layers.SimpleRNN(10, return_sequences=True, name=...)``, wrapped in Bidirectional when asked."""
    args = [str(units)]
    if (not last) or cfg.return_sequences:
        args.append("return_sequences=True")
    if last and cfg.return_state:
        args.append("return_state=True")
    if cfg.dropout:
        args.append(f"dropout={cfg.dropout:g}")
    if cfg.recurrent_dropout:
        args.append(f"recurrent_dropout={cfg.recurrent_dropout:g}")
    args.append(f'name="{LAYER_BASE[cfg.cell]}_{i}"')
    call = f"layers.{cfg.cell}({', '.join(args)})"
    if cfg.bidirectional:
        merge = "" if cfg.merge_mode == "concat" else f', merge_mode="{cfg.merge_mode}"'
        call = f'layers.Bidirectional({call}{merge}, name="bidirectional_{i}")'
    return call


def _input_call(cfg: ArchConfig) -> str:
    batch = f", batch_size={cfg.batch_size}" if cfg.batch_size is not None else ""
    if cfg.has_embedding:  # token ids, one per step
        return f'keras.Input(shape=({cfg.timesteps},){batch}, dtype="int32", name="{INPUT_NAME}")'
    return f'keras.Input(shape=({cfg.timesteps}, {cfg.features}){batch}, name="{INPUT_NAME}")'


def _embedding_call(cfg: ArchConfig) -> str:
    mask = ", mask_zero=True" if cfg.mask_zero else ""
    return f'layers.Embedding({cfg.embedding_vocab}, {cfg.embedding_dim}{mask}, name="embedding")'


def _head_call(cfg: ArchConfig) -> str:
    """``layers.Dense(1, name="dense")``, or ``layers.Dense(10, activation="softmax", ...)`` for a classifier."""
    act = "" if cfg.head_activation == "linear" else f', activation="{cfg.head_activation}"'
    return f'layers.Dense({cfg.dense_units}{act}, name="dense")'


def keras_code(cfg: ArchConfig) -> str:
    """Runnable Keras 3 code that builds exactly this model (same layers, names, shapes and parameter counts).

    Sequential when there is one output; the functional API when ``return_state`` adds state outputs.
    """
    lines = ["import keras", "from keras import layers", ""]
    n = cfg.n_layers
    if not cfg.is_rnn:
        lines.append("model = keras.Sequential([")
        lines.append(f"    {_input_call(cfg)},")
        if cfg.has_embedding:
            lines.append(f"    {_embedding_call(cfg)},")
        if cfg.family == "conv1d":
            lines.append(
                f'    layers.Conv1D({cfg.filters}, {cfg.kernel_size}, padding="valid", activation="relu", name="conv1d"),'
            )
            if cfg.pool_size > 1:
                lines.append(f'    layers.MaxPooling1D({cfg.pool_size}, name="max_pooling1d"),')
        lines.append('    layers.Flatten(name="flatten"),')
        if cfg.dense_hidden is not None:
            lines.append(f'    layers.Dense({cfg.dense_hidden}, activation="relu", name="dense_hidden"),')
        if cfg.dense_units is not None:
            lines.append(f"    {_head_call(cfg)},")
        lines.append(f'], name="{MODEL_NAME}")')
    elif not cfg.return_state:
        lines.append("model = keras.Sequential([")
        lines.append(f"    {_input_call(cfg)},")
        if cfg.has_embedding:
            lines.append(f"    {_embedding_call(cfg)},")
        for i, units in enumerate(cfg.units, start=1):
            lines.append(f"    {_layer_call(cfg, i, units, last=i == n)},")
        if cfg.dense_units is not None:
            lines.append(f"    {_head_call(cfg)},")
        lines.append(f'], name="{MODEL_NAME}")')
    else:
        lines.append(f"inputs = {_input_call(cfg)}")
        x = "inputs"
        if cfg.has_embedding:
            lines.append(f"x = {_embedding_call(cfg)}(inputs)")
            x = "x"
        for i, units in enumerate(cfg.units[:-1], start=1):
            lines.append(f"x = {_layer_call(cfg, i, units, last=False)}({x})")
            x = "x"
        states = [f"state_{label}" for label in state_labels(cfg)]
        lines.append(f"sequence, {', '.join(states)} = {_layer_call(cfg, n, cfg.units[-1], last=True)}({x})")
        out = "sequence"
        if cfg.dense_units is not None:
            lines.append(f"outputs = {_head_call(cfg)}(sequence)")
            out = "outputs"
        lines.append(f'model = keras.Model(inputs, [{out}, {", ".join(states)}], name="{MODEL_NAME}")')
    lines.append("model.summary()")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class LegacyNotation:
    """One TF 2.x tutorial notation, its Keras 3 form, and what Keras 3 does with the old form."""

    old: str  # the code in older tutorials
    new: str  # the Keras 3 way
    keras_says: str  # what Keras 3 really says about ``old``: the error it raises, or the warning it gives
    raises: bool  # True when Keras 3 refuses ``old``


def _try(code: str) -> tuple[str, bool]:
    """Run ``code`` against Keras 3; return (the error it raises or the warning it gives, raised?)."""
    import warnings

    import keras

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            eval(code, {"layers": keras.layers})  # our own fixed snippets below, never user input
        except Exception as err:  # noqa: BLE001 - we report whatever Keras says
            return f"{type(err).__name__}: {err}", True
    said = [f"{w.category.__name__}: {w.message}" for w in caught]
    return (said[0] if said else ""), False


@lru_cache(maxsize=1)
def legacy_notations() -> tuple[LegacyNotation, ...]:
    """The three TF 2.x notations from the classic tutorials, with Keras 3's real reaction (computed once)."""
    cases = (
        ("layers.SimpleRNN(10, input_shape=[5, 1])", "keras.Input(shape=(5, 1)), layers.SimpleRNN(10)"),
        ("layers.SimpleRNN(3, input_length=2, input_dim=10)", "keras.Input(shape=(2, 10)), layers.SimpleRNN(3)"),
        (
            "layers.SimpleRNN(3, batch_input_shape=(8, 2, 10))",
            "keras.Input(shape=(2, 10), batch_size=8), layers.SimpleRNN(3)",
        ),
    )
    return tuple(LegacyNotation(old, new, *_try(old)) for old, new in cases)


@lru_cache(maxsize=1)
def broken_stack_error() -> str:
    """What Keras 3 says when a lower recurrent layer does not return sequences (the real message)."""
    import keras

    try:
        keras.Sequential(
            [
                keras.Input((5, 1)),
                keras.layers.SimpleRNN(10, name="simple_rnn_1"),
                keras.layers.SimpleRNN(10, name="simple_rnn_2"),
            ]
        )
    except Exception as err:  # noqa: BLE001 - we show whatever Keras says
        return f"{type(err).__name__}: {err}"
    raise AssertionError("Keras accepted a 2D input to a recurrent layer")  # would mean the rule changed
