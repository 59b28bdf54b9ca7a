"""Inference of a trained model: eager batched calls (:func:`predict`, :func:`predict_outputs`) and the compiled
inference a finished run's results need, computed once inside its job (:class:`Inference`, from a pool of
compiled copies like the engine's slots)."""

from __future__ import annotations

import threading

import numpy as np

from rnn_lab.train.metrics import recursive_forecast
from rnn_lab.train.slots import _POOL_MAX, _structure_key


def _as_inputs(X) -> np.ndarray:
    """Token ids (an integer array (n, T)) stay int32; anything else becomes float32 windows."""
    X = np.asarray(X)
    if X.ndim == 2 and np.issubdtype(X.dtype, np.integer):
        return X.astype(np.int32)
    return X.astype(np.float32)


def predict(model, X, batch_size: int = 4096) -> np.ndarray:
    """Model outputs (n,) for windows ``X`` (n, T, d), in the model's (scaled) units, without ``model.predict``'s overhead."""
    X = _as_inputs(X)
    if len(X) == 0:
        return np.zeros(0, np.float32)
    outs = [np.asarray(model(X[i : i + batch_size], training=False)) for i in range(0, len(X), batch_size)]
    return np.concatenate(outs).reshape(len(X), -1)[:, 0]


def predict_outputs(model, X, batch_size: int = 4096) -> np.ndarray:
    """The model's full output for ``X``, batched, without ``model.predict``'s overhead: (n, K) class probabilities
    for a softmax head (n, T, V on every step for a language model), (n, outputs) for a regression head."""
    X = _as_inputs(X)
    if len(X) == 0:
        shape = getattr(model, "output_shape", (None, 0))
        return np.zeros((0, *(d or 0 for d in shape[1:])), np.float32)
    outs = [np.asarray(model(X[i : i + batch_size], training=False)) for i in range(0, len(X), batch_size)]
    return np.concatenate(outs)


# ---------------------------------------------------------------------------------------------
# Compiled inference: what a finished run's results need, computed once inside its job
# ---------------------------------------------------------------------------------------------


class _Predictor:
    """A private model copy with compiled inference for one model structure and input shape: the outputs of a
    batch (one graph for every batch size) and the recursive forecast as one compiled loop of ``steps`` steps
    (the eager way called the model ``steps`` times from Python, each call walking the time steps in Python)."""

    def __init__(self, model, sample_shape: tuple, dtype, steps: int):
        import keras
        import tensorflow as tf

        self.model = keras.models.clone_model(model)
        self.steps = steps
        m = self.model
        spec = tf.TensorSpec((None, *sample_shape), tf.as_dtype(dtype))
        self.outputs = tf.function(lambda x: m(x, training=False), input_signature=[spec])

        def forecast(window):  # (1, T, 1) float32, scaled: the most recent window
            out = tf.TensorArray(tf.float32, size=steps)

            def body(k, w, out):
                y_hat = tf.cast(tf.reshape(m(w, training=False), (1, -1))[:, :1], tf.float32)  # (1, 1) next value
                w = tf.concat([w[:, 1:, :], tf.reshape(y_hat, (1, 1, 1))], axis=1)  # drop the oldest, append guess
                return k + 1, w, out.write(k, y_hat[0, 0])

            _, _, out = tf.while_loop(lambda k, w, out: k < steps, body, (tf.constant(0), window, out))
            return out.stack()  # (steps,)

        self.forecast = tf.function(forecast, input_signature=[tf.TensorSpec((1, *sample_shape), tf.float32)])

    def load(self, model) -> None:
        for mine, theirs in zip(self.model.variables, model.variables, strict=True):
            mine.assign(theirs.value)


_PREDICTORS: dict[tuple, list[_Predictor]] = {}
_PREDICTORS_LOCK = threading.Lock()
FORECAST_STEPS = 200  # the compiled forecast's length: the Train page's largest "Forecast steps" (a prefix is shown)


class Inference:
    """The compiled inference of one trained model, borrowed from a pool for the duration of a ``with`` block
    (two jobs never share a copy's weights). ``outputs(X)`` is :func:`predict_outputs`; ``predict(X)`` is
    :func:`predict`; ``forecast(last_window)`` the recursive forecast of :data:`FORECAST_STEPS` values."""

    def __init__(self, model, X):
        X = _as_inputs(X)
        self._model = model
        self._key = (_structure_key(model), X.shape[1:], str(X.dtype))
        self._sample, self._dtype = X.shape[1:], X.dtype
        self._p: _Predictor | None = None

    def __enter__(self) -> Inference:
        with _PREDICTORS_LOCK:
            free = _PREDICTORS.get(self._key)
            self._p = free.pop() if free else None
        try:
            if self._p is None:
                self._p = _Predictor(self._model, self._sample, self._dtype, FORECAST_STEPS)
            self._p.load(self._model)
        except Exception:  # noqa: BLE001 - a structure that cannot be copied or traced: the eager calls, same numbers
            self._p = None
        return self

    def __exit__(self, *exc) -> None:
        if self._p is not None:
            with _PREDICTORS_LOCK:
                if sum(len(v) for v in _PREDICTORS.values()) < _POOL_MAX:
                    _PREDICTORS.setdefault(self._key, []).append(self._p)
        self._p = None

    def _compiled(self, name: str, *args):
        """The compiled function's answer, or None when it cannot trace this model (then never tried again)."""
        if self._p is None:
            return None
        try:
            return np.asarray(getattr(self._p, name)(*args))
        except Exception:  # noqa: BLE001 - e.g. a layer that does not trace: fall back to the eager call
            self._p = None
            return None

    def outputs(self, X, batch_size: int = 4096) -> np.ndarray:
        X = _as_inputs(X)
        outs = []
        for i in range(0, len(X), batch_size):
            out = self._compiled("outputs", X[i : i + batch_size])
            if out is None:
                return predict_outputs(self._model, X, batch_size)
            outs.append(out)
        return np.concatenate(outs) if outs else predict_outputs(self._model, X)

    def __call__(self, X, training: bool = False) -> np.ndarray:
        """Called like the Keras model it copies (inference only): e.g. text generation, one token at a time."""
        return self.outputs(X)

    def predict(self, X, batch_size: int = 4096) -> np.ndarray:
        X = _as_inputs(X)
        if len(X) == 0:
            return np.zeros(0, np.float32)
        return self.outputs(X, batch_size).reshape(len(X), -1)[:, 0]

    def forecast(self, last_window: np.ndarray) -> np.ndarray:
        """:data:`FORECAST_STEPS` values after ``last_window`` (T, 1), scaled, each fed back in (float64, like
        :func:`rnn_lab.train.metrics.recursive_forecast`)."""
        window = np.asarray(last_window, np.float32)[None]  # (1, T, 1)
        out = self._compiled("forecast", window)
        if out is None:
            return recursive_forecast(lambda x: predict(self._model, x), window[0], FORECAST_STEPS)
        return out.astype(np.float64)


def warm_inference(model, X, forecast: bool) -> None:
    """Trace the compiled inference of ``model``'s structure ahead of its first run (the warm-up job calls it)."""
    X = _as_inputs(X)
    if len(X) == 0:
        return
    with Inference(model, X) as inf:
        inf.outputs(X[:1])
        if forecast:
            inf.forecast(X[0])
