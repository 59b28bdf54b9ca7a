"""The engine's pool of compiled slots: a private model copy, its optimizer and the compiled multi-step function
for one model structure, optimizer, loss and data shape. A run borrows a slot, copies its model's variables in,
trains, copies them back (:mod:`rnn_lab.train.engine`), so two runs never share state, even in two threads."""

from __future__ import annotations

import threading
import weakref

import numpy as np

CLASS_LOSSES = ("sparse_categorical_crossentropy",)  # softmax head, int labels; the history adds accuracy
SGD_MOMENTUM = 0.9  # "SGD with momentum"


def _structure_key(model) -> str:
    """The model's layer configs without names, seeds and initializers (which do not change the graph)."""
    import json

    def strip(obj):
        if isinstance(obj, dict):
            return {k: strip(v) for k, v in obj.items() if k not in ("name", "seed") and "initializer" not in k}
        if isinstance(obj, list):
            return [strip(v) for v in obj]
        return obj

    layers = [(type(layer).__name__, strip(layer.get_config())) for layer in model.layers]
    return json.dumps(layers, sort_keys=True, default=str)


def _make_optimizer(name: str, learning_rate: float):
    import keras

    if name == "adam":
        return keras.optimizers.Adam(learning_rate)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate)
    return keras.optimizers.SGD(learning_rate, momentum=SGD_MOMENTUM)


def _make_loss(name: str):
    """Per-sample loss (no reduction): the mean over the output dimension, like Keras' compiled losses."""
    import keras

    cls = {
        "mse": keras.losses.MeanSquaredError,
        "mae": keras.losses.MeanAbsoluteError,
        "huber": keras.losses.Huber,
        "sparse_categorical_crossentropy": keras.losses.SparseCategoricalCrossentropy,  # probabilities in, int y
    }[name]
    return cls(reduction=None)


# A trained model -> its optimizer's variables when its training ended (Adam's step count and moments), so that
# "train N more epochs" continues where it stopped (the run store saves and restores them: rnn_lab.store).
OPTIMIZER_STATES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class _Slot:
    """A private model copy + optimizer + compiled step function for one model structure and data shape."""

    def __init__(self, model, optimizer: str, loss: str, jit: bool):
        import keras
        import tensorflow as tf

        self.model = keras.models.clone_model(model)
        self.optimizer = _make_optimizer(optimizer, 0.001)
        self.optimizer.build(self.model.trainable_variables)
        self.loss_obj = _make_loss(loss)
        classify = loss in CLASS_LOSSES
        self.step_seconds: float | None = None  # measured wall time of one step (after compilation)
        tv = self.model.trainable_variables
        m = self.model
        loss_obj = self.loss_obj
        opt = self.optimizer

        def entry_weights(per, pred, wb):
            """Weight of each entry of ``per``: (bs,) the rows' weights, or (bs, T) for labels per step: the row's
            weight times the model's mask (1 where a step holds a token, 0 for [PAD] with mask_zero; else 1)."""
            if len(per.shape) < 2:
                return wb
            mask = getattr(pred, "_keras_mask", None)  # set by Keras on the output of a masking model
            mask = tf.ones(tf.shape(per), wb.dtype) if mask is None else tf.cast(mask, wb.dtype)
            return mask * wb[:, None]

        def batch_loss(yb, pred, wb):
            """(the compiled loss of the batch, its number of rows): the mean over its (unmasked) entries."""
            if classify:  # yb (bs,) or (bs, T) class/token ids stored as float32 (exact below 2**24)
                yb = tf.cast(yb, tf.int32)
            else:
                yb = tf.reshape(yb, tf.shape(pred))
            per = loss_obj(yb, pred)  # (bs,) per-sample loss, or (bs, T) per step
            ew = entry_weights(per, pred, wb)
            return tf.math.divide_no_nan(tf.reduce_sum(per * ew), tf.reduce_sum(ew)), tf.reduce_sum(wb)

        def batch_hits(yb, pred, wb):
            """(correct predictions, entries counted) in the batch (Keras' sparse_categorical_accuracy); 0 for
            regression. Per-step labels count every unmasked step."""
            if not classify:
                return tf.constant(0.0), tf.constant(0.0)
            yb = tf.cast(yb, tf.int32)
            right = tf.cast(tf.equal(tf.argmax(pred, axis=-1, output_type=tf.int32), yb), wb.dtype)
            ew = entry_weights(right, pred, wb)
            return tf.reduce_sum(right * ew), tf.reduce_sum(ew)

        def val_scores(xv, yv):
            """(validation loss, validation accuracy) with the current weights."""
            if xv.shape[0] == 0:
                return tf.constant(float("nan")), tf.constant(float("nan"))
            pred = m(xv, training=False)
            ones = tf.ones(tf.shape(yv)[:1], pred.dtype)
            mean, _ = batch_loss(yv, pred, ones)
            hits, count = batch_hits(yv, pred, ones)
            return mean, tf.math.divide_no_nan(hits, count)

        def run(x, y, xv, yv, idx, w, val_flag, count):
            """Steps 0..count-1 of the schedule; returns per-step loss sums, weights and val losses."""
            steps = idx.shape[0]  # static buffer size; `count` varies per call without recompiling

            def apply(grads):
                opt.apply(grads, tv)
                return tf.constant(True)

            def body(s, ok, sums, weights, vals, hits, counts, vaccs):
                xb = tf.gather(x, idx[s])  # (bs, T, d) this step's windows, or (bs, T) token ids
                yb = tf.gather(y, idx[s])  # (bs,) their labels, or (bs, T) the next token at every step
                with tf.GradientTape() as tape:
                    pred = m(xb, training=True)  # (bs, 1), (bs, K) class probabilities, or (bs, T, V)
                    loss, n = batch_loss(yb, pred, w[s])  # the compiled loss: mean over the (unpadded) batch
                    if m.losses:
                        loss = loss + tf.add_n(m.losses)
                right, counted = batch_hits(yb, pred, w[s])  # with the weights before this update, as fit's metrics
                # An Embedding's gradient comes as tf.IndexedSlices, one slice per token read, so a token read
                # k times in the batch has k slices. Keras 3's Adam and RMSprop square the gradient slice by slice
                # on the TensorFlow backend: v gets sum(g_i^2) instead of (sum g_i)^2 and a frequent token's row
                # takes a wrong step (Keras' own fit does the same; on the JAX backend it is dense and right).
                # Dense gradients sum the slices first: the textbook update (tests/test_train_engine_text.py).
                grads = [
                    tf.convert_to_tensor(g) if isinstance(g, tf.IndexedSlices) else g for g in tape.gradient(loss, tv)
                ]
                # A NaN/inf loss or gradient: skip the update and end the call, so the weights stay finite.
                ok = tf.math.is_finite(loss)
                for g in grads:
                    ok = tf.logical_and(ok, tf.reduce_all(tf.math.is_finite(g)))
                tf.cond(ok, lambda: apply(grads), lambda: tf.constant(False))
                loss = tf.where(ok, loss, float("nan"))
                here = tf.equal(tf.range(steps), s)  # (steps,) one-hot position of this step
                sums = tf.where(here, loss * n, sums)  # batch loss x batch size (Keras' Mean, sample_weight = bs)
                weights = tf.where(here, n, weights)
                hits = tf.where(here, right, hits)
                counts = tf.where(here, counted, counts)
                v, va = tf.cond(
                    val_flag[s],
                    lambda: val_scores(xv, yv),
                    lambda: (tf.constant(float("nan")), tf.constant(float("nan"))),
                )
                vals = tf.where(here, v, vals)
                vaccs = tf.where(here, va, vaccs)
                return s + 1, ok, sums, weights, vals, hits, counts, vaccs

            init = (
                tf.constant(0),
                tf.constant(True),
                tf.zeros([steps]),
                tf.zeros([steps]),
                tf.fill([steps], float("nan")),
                tf.zeros([steps]),
                tf.zeros([steps]),
                tf.fill([steps], float("nan")),
            )
            _, _, sums, weights, vals, hits, counts, vaccs = tf.while_loop(
                lambda s, ok, *_: tf.logical_and(s < count, ok), body, init, maximum_iterations=steps
            )
            return sums, weights, vals, hits, counts, vaccs

        self.run = tf.function(run, jit_compile=jit, reduce_retracing=True)

        def predict(x):
            return m(x, training=False)

        self.predict = tf.function(predict, jit_compile=jit, reduce_retracing=True)

    def load(self, model, learning_rate: float) -> None:
        """Copy the run's model state in and reset the optimizer (a fresh optimizer, as in a new run), or give it
        the state this model's optimizer had when its training ended (a resumed run: :data:`OPTIMIZER_STATES`)."""
        for mine, theirs in zip(self.model.variables, model.variables, strict=True):
            mine.assign(theirs.value)
        saved = OPTIMIZER_STATES.get(model)
        fits = saved is not None and [tuple(a.shape) for a in saved] == [
            tuple(v.shape) for v in self.optimizer.variables
        ]
        for i, v in enumerate(self.optimizer.variables):
            v.assign(saved[i].astype(v.dtype) if fits else np.zeros(v.shape, dtype=v.dtype))
        self.optimizer.learning_rate = learning_rate

    def store(self, model) -> None:
        for mine, theirs in zip(self.model.variables, model.variables, strict=True):
            theirs.assign(mine.value)
        OPTIMIZER_STATES[model] = [np.array(v.value) for v in self.optimizer.variables]

    def weights(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """The model's weights as ``model.get_weights()`` orders them, and the optimizer's variables, now."""
        return [np.array(v.value) for v in self.model.weights], [np.array(v.value) for v in self.optimizer.variables]

    def snapshot(self) -> list[np.ndarray]:
        return [np.array(v.value) for v in self.model.variables]

    def restore(self, values: list[np.ndarray]) -> None:
        for v, value in zip(self.model.variables, values, strict=True):
            v.assign(value)


_POOL: dict[tuple, list[_Slot]] = {}
_POOL_LOCK = threading.Lock()
_POOL_MAX = 12  # slots kept (each a small model copy and its compiled functions)
_JIT: dict[str, bool] = {}  # structure key -> whether XLA compilation worked


def _slot_key(model, cfg, shapes: tuple, jit: bool) -> tuple:
    return (_structure_key(model), cfg.optimizer, cfg.loss, shapes, jit)


_WARMING: dict[tuple, tuple[threading.Event, int]] = {}  # slot key -> (set when warmed, the warming thread)
WARM_WAIT = 120.0  # seconds a run waits for a warm-up of its own key rather than compiling a second copy


def _borrow(model, cfg, shapes: tuple, jit: bool) -> tuple[tuple, _Slot]:
    key = _slot_key(model, cfg, shapes, jit)
    with _POOL_LOCK:
        warming = _WARMING.get(key)
    if warming is not None and warming[1] != threading.get_ident():
        warming[0].wait(WARM_WAIT)  # the compiled slot is almost ready: take it instead of tracing again
    with _POOL_LOCK:
        free = _POOL.get(key)
        if free:
            return key, free.pop()
    return key, _Slot(model, cfg.optimizer, cfg.loss, jit)


def _give_back(key: tuple, slot: _Slot) -> None:
    with _POOL_LOCK:
        if sum(len(v) for v in _POOL.values()) >= _POOL_MAX:
            _POOL.pop(next(iter(_POOL)))  # forget the oldest structure
        _POOL.setdefault(key, []).append(slot)
