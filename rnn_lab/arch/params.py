"""Analytic parameter counts and shapes of an :class:`ArchConfig` (no TensorFlow needed).

Every count follows the Keras 3 defaults and must equal ``model.count_params()``
(checked by ``tests/test_arch_params_properties.py`` over random configurations).
Notation: ``d`` = input width of a layer, ``D_h`` = its units, ``n`` = Dense units.
"""

from __future__ import annotations

from dataclasses import dataclass

from rnn_lab.arch.config import ArchConfig

# Keras's snake-case layer names; the explorer names layers <base>_<i> so they stay stable across rebuilds.
LAYER_BASE = {"SimpleRNN": "simple_rnn", "LSTM": "lstm", "GRU": "gru"}
GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}  # weight blocks per cell


def simple_rnn_params(units: int, input_dim: int) -> int:
    """keras.layers.SimpleRNN: h_t = tanh(x_t W + h_{t-1} U + b).

    kernel W (d x D_h) + recurrent_kernel U (D_h x D_h) + bias b (D_h)
    = D_h*D_h + D_h*d + D_h   (use_bias=True, the Keras default).
    """
    return units * units + units * input_dim + units


def lstm_params(units: int, input_dim: int) -> int:
    """keras.layers.LSTM: four blocks (input i, forget f, cell candidate c~, output o), each a SimpleRNN-sized one.

    kernel (d x 4D_h) + recurrent_kernel (D_h x 4D_h) + bias (4D_h) = 4*(D_h*D_h + D_h*d + D_h).
    ``unit_forget_bias=True`` changes the bias's initial values (forget bias 1), not its size.
    """
    return 4 * (units * units + units * input_dim + units)


def gru_params(units: int, input_dim: int) -> int:
    """keras.layers.GRU with the Keras default ``reset_after=True`` (the cuDNN-compatible form).

    Three blocks (update z, reset r, candidate h~): kernel (d x 3D_h) + recurrent_kernel (D_h x 3D_h)
    + bias of shape (2, 3D_h): with reset_after=True the reset gate multiplies (h_{t-1} U_h + b_h)
    *after* the recurrent product, so the recurrent part needs its own bias b_h besides the input
    bias b_x. Hence 2*D_h biases per block: 3*(D_h*D_h + D_h*d + 2*D_h).
    (TF 1.x / ``reset_after=False`` had one bias: 3*(D_h*D_h + D_h*d + D_h).)
    """
    return 3 * (units * units + units * input_dim + 2 * units)


def dense_params(input_dim: int, units: int) -> int:
    """keras.layers.Dense: kernel (D_in x n) + bias (n) = D_in*n + n."""
    return input_dim * units + units


def embedding_params(vocab: int, dim: int) -> int:
    """keras.layers.Embedding: one trainable vector of d_e values per token id, a lookup table V x d_e = V*d_e.

    No bias; mask_zero changes nothing here (it marks id 0 as padding, its row is still a weight)."""
    return vocab * dim


def conv1d_params(kernel_size: int, input_dim: int, filters: int) -> int:
    """keras.layers.Conv1D: kernel (k x d x f) + bias (f) = k*d*f + f.

    Each of the f filters looks at k consecutive time steps of all d features and has one bias.
    """
    return kernel_size * input_dim * filters + filters


def conv1d_length(timesteps: int, kernel_size: int) -> int:
    """Steps left after a Conv1D with padding="valid", stride 1: T - k + 1."""
    return timesteps - kernel_size + 1


def pooled_length(length: int, pool_size: int) -> int:
    """Steps left after MaxPooling1D(pool_size) (stride = pool_size, padding "valid"): floor(L / p)."""
    return length // pool_size


CELL_PARAMS = {"SimpleRNN": simple_rnn_params, "LSTM": lstm_params, "GRU": gru_params}


@dataclass(frozen=True)
class LayerFormula:
    """One layer's parameter count, written out symbolically and with the user's numbers."""

    name: str  # the Keras layer name in the explorer's model (e.g. "simple_rnn_1", "bidirectional_1", "dense")
    type: str  # Keras class name shown in the summary ("SimpleRNN", "Bidirectional", "Dense")
    params: int  # the analytic count
    symbolic: str  # LaTeX, e.g. D_h\cdot D_h + D_h\cdot d + D_h
    substituted: str  # LaTeX, symbolic = numbers = total
    plain: str  # plain text for the command line, e.g. "10*10 + 10*1 + 10 = 120"
    input_dim: int  # d (or D_in for Dense) used in the formula
    units: int  # D_h (or n for Dense)


def layer_width(cfg: ArchConfig, units: int) -> int:
    """Width of a recurrent layer's output: 2*D_h for a concatenating Bidirectional, else D_h."""
    return 2 * units if cfg.bidirectional and cfg.merge_mode == "concat" else units


def input_dims(cfg: ArchConfig) -> list[int]:
    """d of each recurrent layer: the features (or the embedding's d_e) for the first, the width of the layer
    below for the others."""
    dims = [cfg.input_width]
    for units in cfg.units[:-1]:
        dims.append(layer_width(cfg, units))
    return dims


def recurrent_names(cfg: ArchConfig) -> list[str]:
    """Keras names of the recurrent layers as they appear in the summary (the wrapper when bidirectional)."""
    base = LAYER_BASE[cfg.cell]
    return [f"bidirectional_{i}" if cfg.bidirectional else f"{base}_{i}" for i in range(1, cfg.n_layers + 1)]


def _cell_latex(cell: str, units: int, d: int) -> tuple[str, str, str]:
    """(symbolic, numbers, plain numbers) of one direction of one recurrent layer."""
    if cell == "GRU":
        sym = r"3\cdot(D_h\cdot D_h + D_h\cdot d + 2\cdot D_h)"
        num = rf"3\cdot({units}\cdot{units} + {units}\cdot{d} + 2\cdot{units})"
        plain = f"3*({units}*{units} + {units}*{d} + 2*{units})"
    else:
        core_sym = r"D_h\cdot D_h + D_h\cdot d + D_h"
        core_num = rf"{units}\cdot{units} + {units}\cdot{d} + {units}"
        core_plain = f"{units}*{units} + {units}*{d} + {units}"
        if cell == "LSTM":
            sym, num, plain = rf"4\cdot({core_sym})", rf"4\cdot({core_num})", f"4*({core_plain})"
        else:
            sym, num, plain = core_sym, core_num, core_plain
    return sym, num, plain


def _dense_formula(name: str, d_in: int, n: int) -> LayerFormula:
    params = dense_params(d_in, n)
    return LayerFormula(
        name=name,
        type="Dense",
        params=params,
        symbolic=r"D_{\text{in}}\cdot n + n",
        substituted=rf"D_{{\text{{in}}}}\cdot n + n = {d_in}\cdot{n} + {n} = {params:,}".replace(",", "{,}"),
        plain=f"{d_in}*{n} + {n} = {params}",
        input_dim=d_in,
        units=n,
    )


def _free_formula(name: str, type_: str, d: int) -> LayerFormula:
    """A layer without weights (pooling, Flatten): 0 parameters."""
    return LayerFormula(name, type_, 0, "0", "0 = 0", "0", d, d)


def embedding_formula(cfg: ArchConfig) -> LayerFormula:
    """The Embedding's count V*d_e with the user's numbers."""
    v, d = cfg.embedding_vocab, cfg.embedding_dim
    params = embedding_params(v, d)
    return LayerFormula(
        name="embedding",
        type="Embedding",
        params=params,
        symbolic=r"V\cdot d_e",
        substituted=rf"V\cdot d_e = {v}\cdot{d} = {params:,}".replace(",", "{,}"),
        plain=f"{v}*{d} = {params}",
        input_dim=v,
        units=d,
    )


def _feedforward_formulas(cfg: ArchConfig) -> list[LayerFormula]:
    """conv1d / dense families: [Conv1D, MaxPooling1D], Flatten, [Dense hidden], [Dense head]."""
    out = []
    if cfg.family == "conv1d":
        k, d, f = cfg.kernel_size, cfg.input_width, cfg.filters
        params = conv1d_params(k, d, f)
        out.append(
            LayerFormula(
                name="conv1d",
                type="Conv1D",
                params=params,
                symbolic=r"k\cdot d\cdot f + f",
                substituted=rf"k\cdot d\cdot f + f = {k}\cdot{d}\cdot{f} + {f} = {params:,}".replace(",", "{,}"),
                plain=f"{k}*{d}*{f} + {f} = {params}",
                input_dim=d,
                units=f,
            )
        )
        if cfg.pool_size > 1:
            out.append(_free_formula("max_pooling1d", "MaxPooling1D", f))
    out.append(_free_formula("flatten", "Flatten", flat_width(cfg)))
    width = flat_width(cfg)
    if cfg.dense_hidden is not None:
        out.append(_dense_formula("dense_hidden", width, cfg.dense_hidden))
        width = cfg.dense_hidden
    if cfg.dense_units is not None:
        out.append(_dense_formula("dense", width, cfg.dense_units))
    return out


def flat_width(cfg: ArchConfig) -> int:
    """Width after Flatten: steps * channels (dense: T*d; conv1d: pooled length * f)."""
    if cfg.family == "dense":
        return cfg.timesteps * cfg.input_width
    length = conv1d_length(cfg.timesteps, cfg.kernel_size)
    if cfg.pool_size > 1:
        length = pooled_length(length, cfg.pool_size)
    return length * cfg.filters


def layer_formulas(cfg: ArchConfig) -> list[LayerFormula]:
    """Every layer's formula, bottom to top ([Embedding], recurrent layers, then the Dense head if any)."""
    first = [embedding_formula(cfg)] if cfg.has_embedding else []
    if not cfg.is_rnn:
        return first + _feedforward_formulas(cfg)
    out = first
    for name, units, d in zip(recurrent_names(cfg), cfg.units, input_dims(cfg), strict=True):
        params = CELL_PARAMS[cfg.cell](units, d)
        sym, num, plain = _cell_latex(cfg.cell, units, d)
        if cfg.bidirectional:  # a forward and a backward copy, each with its own weights
            params *= 2
            sym, num, plain = rf"2\cdot[{sym}]", rf"2\cdot[{num}]", f"2*[{plain}]"
        out.append(
            LayerFormula(
                name=name,
                type="Bidirectional" if cfg.bidirectional else cfg.cell,
                params=params,
                symbolic=sym,
                substituted=f"{sym} = {num} = {params:,}".replace(",", "{,}"),
                plain=f"{plain} = {params}",
                input_dim=d,
                units=units,
            )
        )
    if cfg.dense_units is not None:
        d_in, n = layer_width(cfg, cfg.units[-1]), cfg.dense_units
        params = dense_params(d_in, n)
        out.append(
            LayerFormula(
                name="dense",
                type="Dense",
                params=params,
                symbolic=r"D_{\text{in}}\cdot n + n",
                substituted=rf"D_{{\text{{in}}}}\cdot n + n = {d_in}\cdot{n} + {n} = {params:,}".replace(",", "{,}"),
                plain=f"{d_in}*{n} + {n} = {params}",
                input_dim=d_in,
                units=n,
            )
        )
    return out


def total_params(cfg: ArchConfig) -> int:
    return sum(f.params for f in layer_formulas(cfg))


Shape = tuple[int | None, ...]


@dataclass(frozen=True)
class ShapeStep:
    """One stage of the shape flow: a layer's main output and, with return_state, its state outputs."""

    name: str  # "input", a recurrent layer name, or "dense"
    type: str  # "Input", "SimpleRNN", "Bidirectional", "Dense", ...
    output: Shape  # (batch, timesteps, width) or (batch, width)
    states: tuple[tuple[str, Shape], ...] = ()  # (label, shape): h / h, c / forward_h, backward_h, ...


def format_shape(shape: Shape) -> str:
    """A shape as Keras prints it: ``(None, 5, 10)``."""
    return "(" + ", ".join(str(x) for x in shape) + ")"


def state_labels(cfg: ArchConfig) -> list[str]:
    """The state outputs of the last layer with return_state, in Keras's order."""
    per_direction = ["h", "c"] if cfg.cell == "LSTM" else ["h"]
    if cfg.bidirectional:
        return [f"forward_{s}" for s in per_direction] + [f"backward_{s}" for s in per_direction]
    return per_direction


def shape_flow(cfg: ArchConfig) -> list[ShapeStep]:
    """The input ``(batch, timesteps, features)`` through every layer to the output, as Keras computes it.

    With an Embedding the input is ``(batch, timesteps)`` token ids and the Embedding makes it
    ``(batch, timesteps, d_e)``; mask_zero does not change any shape (the mask travels beside the tensor)."""
    b, t = cfg.batch_size, cfg.timesteps
    if cfg.has_embedding:
        steps = [ShapeStep("input", "Input", (b, t)), ShapeStep("embedding", "Embedding", (b, t, cfg.embedding_dim))]
    else:
        steps = [ShapeStep("input", "Input", (b, t, cfg.features))]
    if not cfg.is_rnn:
        if cfg.family == "conv1d":
            length = conv1d_length(t, cfg.kernel_size)
            steps.append(ShapeStep("conv1d", "Conv1D", (b, length, cfg.filters)))
            if cfg.pool_size > 1:
                steps.append(
                    ShapeStep("max_pooling1d", "MaxPooling1D", (b, pooled_length(length, cfg.pool_size), cfg.filters))
                )
        steps.append(ShapeStep("flatten", "Flatten", (b, flat_width(cfg))))
        if cfg.dense_hidden is not None:
            steps.append(ShapeStep("dense_hidden", "Dense", (b, cfg.dense_hidden)))
        if cfg.dense_units is not None:
            steps.append(ShapeStep("dense", "Dense", (b, cfg.dense_units)))
        return steps
    names = recurrent_names(cfg)
    for i, (name, units) in enumerate(zip(names, cfg.units, strict=True)):
        last = i == cfg.n_layers - 1
        width = layer_width(cfg, units)
        seq = (not last) or cfg.return_sequences  # layers below the last must return the whole sequence
        states = tuple((label, (b, units)) for label in state_labels(cfg)) if last and cfg.return_state else ()
        steps.append(
            ShapeStep(
                name, "Bidirectional" if cfg.bidirectional else cfg.cell, (b, t, width) if seq else (b, width), states
            )
        )
    if cfg.dense_units is not None:
        # Dense acts on the last axis, so a 3D sequence stays 3D (one output per step).
        steps.append(ShapeStep("dense", "Dense", steps[-1].output[:-1] + (cfg.dense_units,)))
    return steps


def keras_output_string(step: ShapeStep) -> str:
    """The 'Output Shape' cell of model.summary() for this step (a list when states are returned)."""
    if not step.states:
        return format_shape(step.output)
    return "[" + ", ".join(format_shape(s) for s in (step.output, *(shape for _, shape in step.states))) + "]"
