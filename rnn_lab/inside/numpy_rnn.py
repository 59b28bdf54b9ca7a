"""Recurrent layers written out in NumPy, one equation per line, reading the weights of a real Keras model.

This is the reference the "Inside the cell" page shows and the tests check against Keras (float64 here,
float32 in Keras; they agree within 1e-5). Shapes in the comments: B = batch, T = time steps, F = input
features, U = units. Every forward pass returns each intermediate value for every time step, so the page
can step through time without running Keras again.

Keras weight layout (Keras 3, ``keras/src/layers/rnn/*.py``):
- SimpleRNN: ``kernel`` (F, U), ``recurrent_kernel`` (U, U), ``bias`` (U,).
- LSTM: ``kernel`` (F, 4U), ``recurrent_kernel`` (U, 4U), ``bias`` (4U,); the four column blocks are the
  gates in the order **i, f, c, o** (input gate, forget gate, candidate cell g, output gate).
- GRU: ``kernel`` (F, 3U), ``recurrent_kernel`` (U, 3U); blocks in the order **z, r, h** (update gate,
  reset gate, candidate h~). With ``reset_after=True`` (the Keras default) ``bias`` is (2, 3U): row 0 is
  added to the input part, row 1 to the recurrent part, and the reset gate multiplies the recurrent part
  *after* the matrix product. With ``reset_after=False`` ``bias`` is (3U,) and r multiplies h_{t-1} first.
- Bidirectional: a forward copy and a backward copy (``go_backwards=True``) of the layer; with
  ``return_sequences`` the backward outputs are flipped back to the original time order, then merged
  (concat, sum, ave, mul or None = both returned); ``return_state`` gives forward states then backward states.
- Embedding: ``embeddings`` (V, d_e); token ids (B, T) become ``E[ids]`` (B, T, d_e). With ``mask_zero=True`` the
  mask is ``ids != 0``: at a masked step a recurrent layer computes its gates but keeps the previous state (h, and c
  for an LSTM), and its output there is the previous output (zeros with ``zero_output_for_mask``, which
  Bidirectional forces when it returns sequences); layers returning sequences pass the mask on, Dense ignores it.
"""

from __future__ import annotations

import ctypes
import glob
import os
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

# Gate blocks of the kernel columns, in Keras order (name, meaning).
GATES = {
    "simple_rnn": (("h", "hidden state"),),
    "lstm": (("i", "input gate"), ("f", "forget gate"), ("c", "candidate cell g"), ("o", "output gate")),
    "gru": (("z", "update gate"), ("r", "reset gate"), ("h", "candidate h~")),
}
# Per-step values each cell records (besides the input x).
TRACE_KEYS = {
    "simple_rnn": ("h",),
    "lstm": ("i", "f", "g", "o", "c", "h"),
    "gru": ("z", "r", "hh", "h"),
}
RNN_CLASSES = {"SimpleRNN": "simple_rnn", "LSTM": "lstm", "GRU": "gru"}


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic sigmoid 1 / (1 + e^-x), written to avoid overflow for large |x|."""
    return np.exp(-np.logaddexp(0.0, -x))


def hard_sigmoid(x: np.ndarray) -> np.ndarray:
    """Keras 3 hard sigmoid: relu6(x + 3) / 6."""
    return np.clip(x + 3.0, 0.0, 6.0) / 6.0


def softmax(x: np.ndarray) -> np.ndarray:
    """Softmax over the last axis (a classifier head's class probabilities), shifted by the max to avoid overflow."""
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


ACTIVATIONS = {
    "tanh": np.tanh,
    "sigmoid": sigmoid,
    "hard_sigmoid": hard_sigmoid,
    "relu": lambda x: np.maximum(x, 0.0),
    "linear": lambda x: x,
    "softsign": lambda x: x / (1.0 + np.abs(x)),
    "softmax": softmax,
}


def activation_fn(name: str):
    """The NumPy function for a Keras activation name (ValueError naming the supported ones otherwise)."""
    if name is None:
        return ACTIVATIONS["linear"]
    if name not in ACTIVATIONS:
        raise ValueError(f"activation {name!r} is not supported here; use one of {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]


def _openblas_local_threads():
    """OpenBLAS's ``openblas_set_num_threads_local`` from NumPy's bundled library, or None if it is not there."""
    libs = glob.glob(os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "numpy.libs", "*openblas*.so*"))
    for path in libs:
        try:
            fn = ctypes.CDLL(path).openblas_set_num_threads_local
        except (OSError, AttributeError):
            continue
        fn.restype, fn.argtypes = ctypes.c_int, [ctypes.c_int]
        return fn
    return None


_SET_LOCAL_THREADS = _openblas_local_threads()


@contextmanager
def single_thread_blas():
    """Run the step loop's small (1, U) @ (U, U) products on one BLAS thread (this thread only).

    A recurrence is a chain of small matrix-vector products; OpenBLAS's worker threads only add
    hand-over costs there, and on a busy 2-core machine they spin: 15x slower measured for (1, 1024) @ (1024, 1024).
    """
    previous = _SET_LOCAL_THREADS(1) if _SET_LOCAL_THREADS else None
    try:
        yield
    finally:
        if previous is not None and previous > 0:
            _SET_LOCAL_THREADS(previous)


# ---------------------------------------------------------------------------------------------------------
# The three cells. x is (B, T, F); every function returns {name: (B, T, U)} in processing order.
# ---------------------------------------------------------------------------------------------------------


def _keep(mask, t: int, new: np.ndarray, old: np.ndarray) -> np.ndarray:
    """The state after step t: ``new`` where the step is real, ``old`` where it is masked (Keras keeps the state)."""
    if mask is None:
        return new
    return np.where(mask[:, t, None], new, old)  # mask (B, T) bool -> (B, 1) against (B, U)


def _blocks(matrix, n: int) -> list[np.ndarray]:
    """The n gate blocks (column slices) of a Keras kernel, as contiguous float64 arrays (fast matmul)."""
    return [np.ascontiguousarray(b) for b in np.split(np.asarray(matrix, dtype=np.float64), n, axis=1)]


def simple_rnn_forward(
    x, kernel, recurrent_kernel, bias=None, h0=None, activation="tanh", mask=None
) -> dict[str, np.ndarray]:
    """SimpleRNN: h_t = tanh(x_t W + h_{t-1} U + b); at a masked step (``mask`` (B, T) False) h_t = h_{t-1}."""
    act = activation_fn(activation)
    x = np.asarray(x, dtype=np.float64)  # (B, T, F) input window
    W = np.asarray(kernel, dtype=np.float64)  # (F, U) input -> hidden
    U = np.asarray(recurrent_kernel, dtype=np.float64)  # (U, U) hidden -> hidden
    b = np.zeros(U.shape[0]) if bias is None else np.asarray(bias, dtype=np.float64)  # (U,) bias
    B, T, _ = x.shape
    h = np.zeros((B, U.shape[0])) if h0 is None else np.asarray(h0, dtype=np.float64)  # (B, U) h_0
    hs = np.zeros((B, T, U.shape[0]))
    for t in range(T):
        h = _keep(mask, t, act(x[:, t] @ W + h @ U + b), h)  # (B, U) hidden state h_t
        hs[:, t] = h
    return {"h": hs}


def lstm_forward(
    x,
    kernel,
    recurrent_kernel,
    bias=None,
    h0=None,
    c0=None,
    activation="tanh",
    recurrent_activation="sigmoid",
    mask=None,
) -> dict[str, np.ndarray]:
    """LSTM with the Keras gate order i, f, c, o: c_t = f*c_{t-1} + i*g, h_t = o*tanh(c_t).

    At a masked step the gates are computed (and recorded) but c and h keep their previous values, as in Keras."""
    act, gate = activation_fn(activation), activation_fn(recurrent_activation)
    x = np.asarray(x, dtype=np.float64)  # (B, T, F) input window
    W_i, W_f, W_c, W_o = _blocks(kernel, 4)  # each (F, U)
    U_i, U_f, U_c, U_o = _blocks(recurrent_kernel, 4)  # each (U, U)
    n = W_i.shape[1]
    bias = np.zeros(4 * n) if bias is None else np.asarray(bias, dtype=np.float64)
    b_i, b_f, b_c, b_o = np.split(bias, 4)  # each (U,)
    B, T, _ = x.shape
    h = np.zeros((B, n)) if h0 is None else np.asarray(h0, dtype=np.float64)  # (B, U) h_0
    c = np.zeros((B, n)) if c0 is None else np.asarray(c0, dtype=np.float64)  # (B, U) c_0
    out = {key: np.zeros((B, T, n)) for key in TRACE_KEYS["lstm"]}
    for t in range(T):
        x_t = x[:, t]  # (B, F) input at step t
        i = gate(x_t @ W_i + h @ U_i + b_i)  # (B, U) input gate: how much of g to write
        f = gate(x_t @ W_f + h @ U_f + b_f)  # (B, U) forget gate: how much of c_{t-1} to keep
        g = act(x_t @ W_c + h @ U_c + b_c)  # (B, U) candidate cell values
        o = gate(x_t @ W_o + h @ U_o + b_o)  # (B, U) output gate: how much of the cell to show
        c_new = f * c + i * g  # (B, U) cell state c_t (the long-term memory)
        h = _keep(mask, t, o * act(c_new), h)  # (B, U) hidden state h_t (the output)
        c = _keep(mask, t, c_new, c)
        for key, value in zip(("i", "f", "g", "o", "c", "h"), (i, f, g, o, c, h), strict=True):
            out[key][:, t] = value
    return out


def gru_forward(
    x,
    kernel,
    recurrent_kernel,
    bias=None,
    h0=None,
    reset_after=True,
    activation="tanh",
    recurrent_activation="sigmoid",
    mask=None,
) -> dict[str, np.ndarray]:
    """GRU with the Keras gate order z, r, h: h_t = z*h_{t-1} + (1-z)*h~_t (h_{t-1} kept at a masked step)."""
    act, gate = activation_fn(activation), activation_fn(recurrent_activation)
    x = np.asarray(x, dtype=np.float64)  # (B, T, F) input window
    W_z, W_r, W_h = _blocks(kernel, 3)  # each (F, U)
    U_z, U_r, U_h = _blocks(recurrent_kernel, 3)  # each (U, U)
    n = W_z.shape[1]
    if bias is None:
        bias = np.zeros((2, 3 * n)) if reset_after else np.zeros(3 * n)
    bias = np.asarray(bias, dtype=np.float64)
    if reset_after:
        b_z, b_r, b_h = np.split(bias[0], 3)  # each (U,) input bias
        rb_z, rb_r, rb_h = np.split(bias[1], 3)  # each (U,) recurrent bias
    else:
        b_z, b_r, b_h = np.split(bias, 3)  # each (U,)
        rb_z = rb_r = rb_h = 0.0
    B, T, _ = x.shape
    h = np.zeros((B, n)) if h0 is None else np.asarray(h0, dtype=np.float64)  # (B, U) h_0
    out = {key: np.zeros((B, T, n)) for key in TRACE_KEYS["gru"]}
    for t in range(T):
        x_t = x[:, t]  # (B, F) input at step t
        z = gate(x_t @ W_z + b_z + h @ U_z + rb_z)  # (B, U) update gate: how much of h_{t-1} to keep
        r = gate(x_t @ W_r + b_r + h @ U_r + rb_r)  # (B, U) reset gate: how much of h_{t-1} feeds h~
        if reset_after:
            hh = act(x_t @ W_h + b_h + r * (h @ U_h + rb_h))  # (B, U) candidate h~_t (reset after the product)
        else:
            hh = act(x_t @ W_h + b_h + (r * h) @ U_h)  # (B, U) candidate h~_t (reset before the product)
        h = _keep(mask, t, z * h + (1.0 - z) * hh, h)  # (B, U) hidden state h_t
        for key, value in zip(("z", "r", "hh", "h"), (z, r, hh, h), strict=True):
            out[key][:, t] = value
    return out


# ---------------------------------------------------------------------------------------------------------
# Reading a Keras model and running it layer by layer.
# ---------------------------------------------------------------------------------------------------------


@dataclass
class DirectionTrace:
    """One pass of one recurrent layer over the window (forward, or the backward copy of a Bidirectional).

    ``values[name]`` is (B, T, U) in the ORIGINAL time order (the backward pass is flipped back), so step t
    of the forward and backward heatmaps belong to the same input x_t.
    """

    direction: str  # "forward" | "backward"
    cell: str  # "simple_rnn" | "lstm" | "gru"
    units: int
    weights: dict[str, np.ndarray]  # kernel, recurrent_kernel, bias (float64 copies)
    values: dict[str, np.ndarray]  # TRACE_KEYS[cell] -> (B, T, U)
    reset_after: bool = True
    activation: str = "tanh"
    recurrent_activation: str = "sigmoid"


@dataclass
class LayerRun:
    """What one Keras layer did to the window, computed in NumPy."""

    name: str
    kind: str  # "simple_rnn" | "lstm" | "gru" | "dense" | "dropout" | "keras" (run by Keras itself)
    x: np.ndarray  # (B, T, F) or (B, F) input of the layer ((B, T) token ids for an Embedding)
    output: np.ndarray | tuple  # what Keras returns as the layer's main output
    states: list[np.ndarray] = field(default_factory=list)  # final states, Keras order
    directions: list[DirectionTrace] = field(default_factory=list)  # 1, or 2 for Bidirectional
    merge_mode: str | None = None
    return_sequences: bool = False
    mask: np.ndarray | None = None  # (B, T) bool: the steps this layer reads (False = [PAD] with mask_zero)

    @property
    def recurrent(self) -> bool:
        return self.kind in RNN_CLASSES.values()


@dataclass
class ModelRun:
    """Every layer's NumPy run plus the model output (``keras_layers``: layers NumPy did not rewrite)."""

    layers: list[LayerRun]
    output: np.ndarray
    keras_layers: list[str] = field(default_factory=list)

    @property
    def recurrent_layers(self) -> list[LayerRun]:
        return [layer for layer in self.layers if layer.recurrent]


def _weights(cell_layer) -> dict[str, np.ndarray]:
    cell = getattr(cell_layer, "cell", cell_layer)
    out = {
        "kernel": np.asarray(cell.kernel.numpy(), dtype=np.float64),
        "recurrent_kernel": np.asarray(cell.recurrent_kernel.numpy(), dtype=np.float64),
    }
    out["bias"] = None if getattr(cell, "bias", None) is None else np.asarray(cell.bias.numpy(), dtype=np.float64)
    return out


def _run_direction(
    rnn_layer, x: np.ndarray, direction: str, initial_state=None, mask=None
) -> tuple[DirectionTrace, list]:
    """Run one Keras SimpleRNN/LSTM/GRU layer (its weights) over x; return its trace and final states."""
    kind = RNN_CLASSES[type(rnn_layer).__name__]
    cell = rnn_layer.cell
    config = rnn_layer.get_config()
    weights = _weights(rnn_layer)
    activation = config.get("activation", "tanh")
    recurrent_activation = config.get("recurrent_activation", "sigmoid")
    backwards = bool(getattr(rnn_layer, "go_backwards", False))
    xs = x[:, ::-1] if backwards else x  # (B, T, F) in processing order
    ms = None if mask is None else (mask[:, ::-1] if backwards else mask)  # (B, T) bool, processing order
    init = [None] * 2 if initial_state is None else [np.asarray(s, dtype=np.float64) for s in initial_state]
    if kind == "simple_rnn":
        values = simple_rnn_forward(xs, **weights, h0=init[0], activation=activation, mask=ms)
        states = [values["h"][:, -1]]
    elif kind == "lstm":
        values = lstm_forward(
            xs,
            **weights,
            h0=init[0],
            c0=init[1],
            activation=activation,
            recurrent_activation=recurrent_activation,
            mask=ms,
        )
        states = [values["h"][:, -1], values["c"][:, -1]]
    else:
        values = gru_forward(
            xs,
            **weights,
            h0=init[0],
            reset_after=bool(cell.reset_after),
            activation=activation,
            recurrent_activation=recurrent_activation,
            mask=ms,
        )
        states = [values["h"][:, -1]]
    if backwards:
        values = {key: value[:, ::-1] for key, value in values.items()}  # back to the original time order
    trace = DirectionTrace(
        direction=direction,
        cell=kind,
        units=int(cell.units),
        weights=weights,
        values=values,
        reset_after=bool(getattr(cell, "reset_after", True)),
        activation=activation,
        recurrent_activation=recurrent_activation,
    )
    return trace, states


def _keras_style_output(layer, trace: DirectionTrace, mask=None) -> np.ndarray:
    """The output Keras returns for one direction: all steps in processing order, or the last processed one.

    With a mask the output at a masked step is the previous output (the kept h), or zeros when the layer has
    ``zero_output_for_mask`` (Bidirectional sets it on both copies when they return sequences)."""
    h = trace.values["h"]  # (B, T, U) original time order
    if mask is not None and bool(getattr(layer, "zero_output_for_mask", False)):
        h = np.where(mask[:, :, None], h, 0.0)  # (B, T, U): zeros where the step is masked
    backwards = bool(getattr(layer, "go_backwards", False))
    if layer.return_sequences:
        return h[:, ::-1] if backwards else h
    return h[:, 0] if backwards else h[:, -1]


def run_rnn_layer(layer, x: np.ndarray, initial_state=None, mask=None) -> LayerRun:
    """Run a Keras SimpleRNN/LSTM/GRU or Bidirectional layer in NumPy; output and states as Keras gives them.

    ``mask`` (B, T) bool (an Embedding's ``ids != 0`` with mask_zero): False steps are skipped as Keras skips them."""
    x = np.asarray(x, dtype=np.float64)
    mask = None if mask is None else np.asarray(mask, dtype=bool)
    name = type(layer).__name__
    if name == "Bidirectional":
        fwd_layer, bwd_layer = layer.forward_layer, layer.backward_layer
        half = None if initial_state is None else len(initial_state) // 2
        fwd, fwd_states = _run_direction(fwd_layer, x, "forward", None if half is None else initial_state[:half], mask)
        bwd, bwd_states = _run_direction(bwd_layer, x, "backward", None if half is None else initial_state[half:], mask)
        y = _keras_style_output(fwd_layer, fwd, mask)
        y_rev = _keras_style_output(bwd_layer, bwd, mask)
        if layer.return_sequences:
            y_rev = y_rev[:, ::-1]  # Keras flips the backward sequence back to the input's time order
        mode = layer.merge_mode
        if mode == "concat":
            output = np.concatenate([y, y_rev], axis=-1)  # (B, [T,] 2U)
        elif mode == "sum":
            output = y + y_rev
        elif mode == "ave":
            output = (y + y_rev) / 2.0
        elif mode == "mul":
            output = y * y_rev
        elif mode is None:
            output = (y, y_rev)
        else:
            raise ValueError(f"merge_mode {mode!r} is not one of concat, sum, ave, mul, None")
        return LayerRun(
            name=layer.name,
            kind=fwd.cell,
            x=x,
            output=output,
            states=fwd_states + bwd_states,
            directions=[fwd, bwd],
            merge_mode=mode,
            return_sequences=bool(layer.return_sequences),
            mask=mask,
        )
    if name not in RNN_CLASSES:
        raise ValueError(f"{name} is not a recurrent layer (SimpleRNN, LSTM, GRU or Bidirectional)")
    trace, states = _run_direction(layer, x, "forward", initial_state, mask)
    return LayerRun(
        name=layer.name,
        kind=trace.cell,
        x=x,
        output=_keras_style_output(layer, trace, mask),
        states=states,
        directions=[trace],
        return_sequences=bool(layer.return_sequences),
        mask=mask,
    )


def _dense(layer, x: np.ndarray) -> np.ndarray:
    kernel = np.asarray(layer.kernel.numpy(), dtype=np.float64)  # (in, out)
    y = x @ kernel  # (B, [T,] out)
    if getattr(layer, "bias", None) is not None:
        y = y + np.asarray(layer.bias.numpy(), dtype=np.float64)  # (out,) bias
    return activation_fn(layer.get_config().get("activation", "linear"))(y)


def _layers_in_order(model) -> list:
    return [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]


def reads_tokens(model) -> bool:
    """True when the model starts with an Embedding: its input is token ids (B, T), not numbers (B, T, F)."""
    layers = _layers_in_order(model)
    return bool(layers) and type(layers[0]).__name__ == "Embedding"


def _as_batch(model, window) -> np.ndarray:
    """One input (T, F) or token ids (T,) -> a batch of one; a batch stays as it is."""
    if reads_tokens(model):
        ids = np.asarray(window)
        if not np.issubdtype(ids.dtype, np.integer) and not np.array_equal(ids, np.round(ids)):
            raise ValueError("the model reads token ids: whole numbers are expected")
        ids = ids.astype(np.int64)
        return ids[None] if ids.ndim == 1 else ids  # (T,) -> (1, T)
    x = np.asarray(window, dtype=np.float64)
    return x[None] if x.ndim == 2 else x  # (T, F) -> (1, T, F)


def embedding_matrix(model) -> np.ndarray:
    """The Embedding's weight matrix E (V, d_e) as float64: row i is the vector of token id i."""
    if not reads_tokens(model):
        raise ValueError("the model has no Embedding in front: it reads numbers, not token ids")
    return np.asarray(_layers_in_order(model)[0].embeddings.numpy(), dtype=np.float64)


def run_model(model, window: np.ndarray) -> ModelRun:
    """Run a chain of layers (Sequential or a functional chain) in NumPy, layer by layer.

    Recurrent layers, Dense, Dropout (identity at inference) and Flatten are rewritten in NumPy; any other
    layer is run by Keras and named in ``keras_layers``. A layer with ``return_state`` passes only its
    main output to the next layer (its states are kept in ``LayerRun.states``).
    """
    with single_thread_blas():
        return _run_model(model, window)


def _run_model(model, window: np.ndarray) -> ModelRun:
    x = _as_batch(model, window)  # (B, T, F) numbers, or (B, T) token ids
    mask = None  # (B, T) bool once an Embedding with mask_zero has made one
    runs: list[LayerRun] = []
    keras_layers: list[str] = []
    for layer in _layers_in_order(model):
        name = type(layer).__name__
        if isinstance(x, tuple):
            raise ValueError(f"layer {layer.name} receives two tensors (merge_mode=None); NumPy cannot chain that")  # noqa: TRY004
        if name == "Embedding":
            E = np.asarray(layer.embeddings.numpy(), dtype=np.float64)  # (V, d_e)
            if x.min() < 0 or x.max() >= E.shape[0]:
                raise ValueError(f"token ids must be from 0 to {E.shape[0] - 1} (the Embedding's vocabulary)")
            run = LayerRun(name=layer.name, kind="embedding", x=x, output=E[x])  # (B, T) ids -> (B, T, d_e)
            if bool(getattr(layer, "mask_zero", False)):
                mask = x != 0  # (B, T): [PAD] = id 0 is "no token"
            run.mask = mask
        elif name in RNN_CLASSES or name == "Bidirectional":
            run = run_rnn_layer(layer, x, mask=mask)
            if not run.return_sequences:
                mask = None  # Keras: a layer that returns one vector per sequence passes no mask on
        elif name == "Dense":
            run = LayerRun(name=layer.name, kind="dense", x=x, output=_dense(layer, x))
        elif name in ("Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout"):
            run = LayerRun(name=layer.name, kind="dropout", x=x, output=x)  # identity when not training
        elif name == "Flatten":
            run = LayerRun(name=layer.name, kind="keras", x=x, output=x.reshape(x.shape[0], -1))
        else:
            out = layer(x.astype(np.float32))
            out = out[0] if isinstance(out, (list, tuple)) else out
            run = LayerRun(name=layer.name, kind="keras", x=x, output=np.asarray(out, dtype=np.float64))
            keras_layers.append(layer.name)
        runs.append(run)
        x = run.output
    return ModelRun(layers=runs, output=x[0] if isinstance(x, tuple) else x, keras_layers=keras_layers)


def keras_output(model, window: np.ndarray) -> np.ndarray:
    """The model's own output for the window (float32 Keras; int32 token ids), first tensor if it returns several."""
    x = _as_batch(model, window)
    x = x.astype(np.int32) if reads_tokens(model) else x.astype(np.float32)
    out = model(x, training=False)
    if isinstance(out, (list, tuple)):
        out = out[0]  # main output first (return_state / merge_mode=None give several tensors)
    return np.asarray(out, dtype=np.float64)


def max_abs_diff(model, window: np.ndarray, run: ModelRun | None = None) -> float:
    """NumPy vs Keras: max |Δ| between the model output and the NumPy rewrite, on this window."""
    run = run or run_model(model, window)
    return float(np.max(np.abs(run.output - keras_output(model, window))))
