"""The Inside page's NumPy traces for tests of its views, without Keras."""

from __future__ import annotations

import numpy as np

GATES_PER_CELL = {"simple_rnn": 1, "lstm": 4, "gru": 3}


def numpy_trace(cell: str, units: int, features: int, steps: int, direction: str = "forward", seed: int = 0):
    """A DirectionTrace from the NumPy cells with random weights (no Keras needed); x is (T, F)."""
    from rnn_lab.inside import numpy_rnn as nr

    rng = np.random.default_rng(seed)
    n = GATES_PER_CELL[cell] * units
    weights = {
        "kernel": rng.normal(0, 0.6, (features, n)),
        "recurrent_kernel": rng.normal(0, 0.6, (units, n)),
        "bias": rng.normal(0, 0.3, (2, n) if cell == "gru" else n),
    }
    x = rng.normal(size=(steps, features))
    xs = x[::-1] if direction == "backward" else x  # the backward pass reads the window from the end
    forward = {"simple_rnn": nr.simple_rnn_forward, "lstm": nr.lstm_forward, "gru": nr.gru_forward}[cell]
    values = forward(xs[None], **weights)
    if direction == "backward":
        values = {k: v[:, ::-1] for k, v in values.items()}  # original time order, as run_model stores it
    trace = nr.DirectionTrace(direction=direction, cell=cell, units=units, weights=weights, values=values)
    return trace, x
