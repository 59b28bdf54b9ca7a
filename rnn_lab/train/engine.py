"""The fast training engine: Keras models, driven by compiled multi-step calls instead of ``model.fit``.

Why not ``model.fit``: on the small data of a lesson, ``fit`` spends ~50 ms per epoch on Python
overhead (callbacks, iterators, logs), far more than the arithmetic. Here one ``tf.function``
(XLA-compiled when possible) runs *many* batches per call: it gathers each batch from a
per-run shuffled index schedule, applies the optimizer and computes the validation loss at
each epoch end, all in-graph. A call does a bounded amount of work (~0.1 s) so progress and the
Stop button stay responsive.

What stays the same as ``fit``: the model is a normal Keras model; each batch's loss is the
compiled loss (mean over the batch) plus any regularization losses; the epoch's training loss is
the batch-size-weighted mean of the batch losses (Keras' ``Mean`` loss tracker with
``sample_weight = batch size``); the validation loss is computed on the whole validation split with
the weights at the end of the epoch.

Text: inputs may be int32 token ids (n, T) and labels int32 (n,) (a class per text) or (n, T) (the next token
at every step). With labels per step the batch loss is the mean over the batch's steps, and where the model
carries a mask (``Embedding(mask_zero=True)``) the masked steps are left out of it: ``sum(loss * mask) /
sum(mask)``, exactly Keras' ``sum_over_batch_size`` reduction with a mask; accuracy counts the unmasked steps
(Keras' ``sparse_categorical_accuracy`` with the mask as sample weight), over the whole epoch. One difference
from ``fit`` remains with a mask: ``fit`` computes the validation loss batch by batch (32 samples) and averages
the batches, the engine takes the masked mean over the whole validation split at once (the same number when
the validation split fits one batch or has no mask).

Reproducibility: the initial weights come from the model's own seeded initializers (no global
seeding), the batch order from ``np.random.default_rng(seed)`` of the run. Compiled functions are
cached per model structure in a pool of *slots*; a run borrows a slot, copies its model's
variables in, trains, copies them back, so two runs never share state, even in two threads.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from rnn_lab.i18n import t
from rnn_lab.train.inference import (  # noqa: F401 (re-exported: engine.predict, engine.Inference, ...)
    FORECAST_STEPS,
    Inference,
    _as_inputs,
    predict,
    predict_outputs,
    warm_inference,
)
from rnn_lab.train.slots import (  # noqa: F401 (re-exported: engine.OPTIMIZER_STATES, engine._POOL, ...)
    _JIT,
    _POOL,
    _POOL_LOCK,
    _POOL_MAX,
    _WARMING,
    CLASS_LOSSES,
    OPTIMIZER_STATES,
    SGD_MOMENTUM,
    WARM_WAIT,
    _borrow,
    _give_back,
    _Slot,
    _slot_key,
    _structure_key,
)

OPTIMIZERS = ("adam", "rmsprop", "sgd")
LOSSES = ("mse", "mae", "huber", "sparse_categorical_crossentropy")
CALL_SECONDS = 0.1  # target wall time of one compiled call (keeps progress and Stop responsive)
MAX_STEPS_PER_CALL = 256  # size of the per-call schedule buffer (steps = batches)
# XLA compiling costs ~2-6 s once per model shape but makes each step several times faster; below this
# much work (steps x batch x time steps) a run is over before compiling would pay off (measured, see bench/).
XLA_MIN_WORK = 50_000


@dataclass(frozen=True)
class TrainConfig:
    """How to train (defaults: the classic Keras tutorial, Adam + MSE, 50 epochs)."""

    optimizer: str = "adam"  # adam | rmsprop | sgd (momentum 0.9)
    learning_rate: float = 0.001  # Keras' default for Adam and RMSprop
    loss: str = "mse"  # mse | mae | huber (delta 1.0) | sparse_categorical_crossentropy (classify: int labels)
    epochs: int = 50  # passes over the training windows
    batch_size: int = 32  # windows per gradient step; larger than the training set -> one full batch
    early_stopping: bool = False  # stop when the monitored loss has not improved for `patience` epochs
    patience: int = 5
    restore_best: bool = True  # with early stopping: keep the weights of the best epoch
    seed: int = 0  # initial weights (via the model's initializers) and batch order

    def validate(self) -> None:
        """Raise ValueError naming the allowed values."""
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {self.optimizer!r}")
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {', '.join(LOSSES)}; got {self.loss!r}")
        if not (
            isinstance(self.learning_rate, (int, float))
            and 0 < self.learning_rate <= 10
            and math.isfinite(self.learning_rate)
        ):
            raise ValueError(f"learning_rate must be a number in (0, 10]; got {self.learning_rate!r}")
        for name, low, high in (
            ("epochs", 1, 100_000),
            ("batch_size", 1, 1_000_000),
            ("patience", 1, 10_000),
            ("seed", 0, 2**31 - 1),
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{name} must be a whole number from {low} to {high}; got {value!r}")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class TrainResult:
    """What a training run produced (the weights are in the model that was passed in)."""

    history: dict[str, list[float]]  # "loss" (and "val_loss" when there is a validation split), one per epoch
    epochs_run: int  # completed epochs
    stop_reason: str | None = None  # None (all epochs) | "user" | "early_stopping" | "diverged"
    best_epoch: int | None = None  # 1-based, with early stopping
    batch_size: int = 0  # the batch size actually used
    full_batch: bool = False  # True when the requested batch size was larger than the training set
    train_seconds: float = 0.0  # wall time of the training loop only
    notes: list[str] = field(default_factory=list)  # message keys (train.note.*) for the page / CLI


ProgressFn = Callable[[int, dict, float, float], None]  # (epoch 1-based, logs, elapsed s, eta s)

# The divergence guard (issue 27; TensorFlow Playground #77 trains on silently while the loss explodes). A run stops
# with stop_reason "diverged" when its loss becomes NaN or infinite (at once: the graph skips that update), or when
# the TRAINING loss grew in each of GROWTH_EPOCHS consecutive epochs after the first GROWTH_GRACE epochs AND now stands
# above its first epoch's loss (worse than where training started) or at GROWTH_FACTOR times its lowest value or more.
# Five rises alone are not enough: full-batch Adam overshoots and climbs back for several epochs (the counting toy at
# lr 0.01 rises 5 epochs in a row from 0.014 to 0.048, 3.5 times, then falls again), and a plateau's noise rises five
# times in a row about once in 32 windows; a learning rate that is too large makes the loss climb past its start.
# The "ten times its lowest" branch also needs the loss back at GROWTH_FLOOR of its first epoch's or more: a loss that
# converged to ~1e-6 and wobbles to 1e-5 has risen tenfold but has not diverged (a 2,000-epoch counting run was
# stopped at epoch 340 that way before this floor).
# The weights are the ones the run has when it stops.
GROWTH_EPOCHS = 5
GROWTH_GRACE = 3
GROWTH_FACTOR = 10.0
GROWTH_FLOOR = 0.1


def loss_diverging(losses) -> bool:
    """True when ``losses`` (training loss per epoch) shows the growth the divergence guard stops (see above)."""
    v = [float(x) for x in losses]
    if len(v) < GROWTH_GRACE + GROWTH_EPOCHS + 1 or not all(math.isfinite(x) for x in v):
        return False
    tail = v[-(GROWTH_EPOCHS + 1) :]
    rising = all(b > a for a, b in zip(tail, tail[1:]))
    grew_back = v[-1] >= GROWTH_FACTOR * min(v) and v[-1] >= GROWTH_FLOOR * v[0]
    return rising and (v[-1] > v[0] or grew_back)


def divergence_kind(history: dict) -> str:
    """Why a diverged run stopped, read from what it kept: ``"growth"`` (the rule above held on its last epochs) or
    ``"nan"`` (the next loss was not finite: that epoch is not in the history)."""
    return "growth" if loss_diverging(history.get("loss", [])) else "nan"


def divergence_text(history: dict, learning_rate: float, lang: str = "en") -> str:
    """Why the divergence guard stopped a run, with its numbers (catalogue ``units.diverged.*``)."""
    loss, lr = history.get("loss", []), f"{learning_rate:g}"
    if divergence_kind(history) == "growth":
        low, now = min(loss), loss[-1]
        values = {"low": f"{low:.4g}", "now": f"{now:.4g}", "factor": f"{now / low:.3g}"}
        return t("units.diverged.growth", lang, n=GROWTH_EPOCHS, lr=lr, **values)
    return t("units.diverged.nan", lang, epochs=len(loss), lr=lr)


def effective_batch_size(batch_size: int, n_train: int) -> tuple[int, bool]:
    """``min(batch_size, n_train)`` and whether it was capped (one full batch)."""
    if n_train < 1:
        raise ValueError("there are no training windows: make the window shorter or the training split larger")
    return (n_train, True) if batch_size > n_train else (batch_size, False)


def epoch_schedule(rng: np.random.Generator, n: int, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """One epoch's batches: indices (P, bs) int32 from a fresh permutation, weights (P, bs) 1/0.

    The last batch of an epoch is usually smaller; it is padded with index 0 and weight 0, so
    every batch has the same static shape (no recompilation) and padded rows add nothing to the loss.
    """
    steps = -(-n // batch_size)  # P = ceil(n / bs)
    perm = rng.permutation(n).astype(np.int32)  # the epoch's order
    idx = np.zeros(steps * batch_size, dtype=np.int32)
    idx[:n] = perm
    w = np.zeros(steps * batch_size, dtype=np.float32)
    w[:n] = 1.0
    return idx.reshape(steps, batch_size), w.reshape(steps, batch_size)


def batch_orders(n: int, batch_size: int, epochs: int, seed: int) -> list[list[np.ndarray]]:
    """The exact batches (lists of row indices) the engine uses, epoch by epoch (for fit comparisons/export)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(epochs):
        idx, w = epoch_schedule(rng, n, batch_size)
        out.append([row[wr > 0] for row, wr in zip(idx, w)])
    return out


# ---------------------------------------------------------------------------------------------
# Compiled slots
# ---------------------------------------------------------------------------------------------


WARM_THREAD = "rnn-lab-warm-up"


def _run_plan(cfg: TrainConfig, X_train, X_val, jit: bool | None, struct: str) -> tuple[tuple, bool]:
    """The slot shapes and the XLA decision :func:`train` makes for this data and config (one place)."""
    n = len(X_train)
    bs, _ = effective_batch_size(cfg.batch_size, n)
    steps_per_epoch = -(-n // bs)
    buffer = max(MAX_STEPS_PER_CALL, steps_per_epoch)
    shapes = (tuple(X_train.shape), tuple(X_val.shape), bs, buffer)
    if jit is None:
        jit = _JIT.get(struct, cfg.epochs * steps_per_epoch * bs * X_train.shape[1] >= XLA_MIN_WORK)
    return shapes, jit


def warm_key(model, X_train, X_val, cfg: TrainConfig) -> tuple:
    """The compiled slot a run of ``model`` on this data with ``cfg`` will use."""
    X_train = _as_inputs(X_train)
    X_val = np.zeros((0, *X_train.shape[1:]), X_train.dtype) if X_val is None or len(X_val) == 0 else _as_inputs(X_val)
    struct = _structure_key(model)
    shapes, jit = _run_plan(cfg, X_train, X_val, None, struct)
    return _slot_key(model, cfg, shapes, jit)


def is_warm(key: tuple) -> bool:
    with _POOL_LOCK:
        return bool(_POOL.get(key)) or key in _WARMING


def warm_up(model, X_train, y_train, X_val=None, y_val=None, cfg: TrainConfig | None = None) -> tuple:
    """Pay tracing and compiling before the user presses Train: one epoch on a copy of ``model`` compiles the
    slot the real run will borrow (same structure, optimizer, loss, shapes, XLA decision) and leaves it in
    the pool; :func:`predict` is traced for the splits' shapes too. ``model`` itself is not changed.
    Idempotent per slot key; returns the key. Meant for a background thread when the Train page opens.
    """
    import keras

    cfg = cfg or TrainConfig()
    key = warm_key(model, X_train, X_val, cfg)
    event = threading.Event()
    with _POOL_LOCK:
        if _POOL.get(key) or key in _WARMING:
            return key
        _WARMING[key] = (event, threading.get_ident())
    try:
        copy = keras.models.clone_model(model)
        copy.set_weights(model.get_weights())
        one = TrainConfig(**{**asdict(cfg), "epochs": 1, "early_stopping": False})
        train(copy, X_train, y_train, X_val, y_val, one, jit=key[-1])
        for X in (X_train, X_val):
            if X is not None and len(X):
                predict(copy, X)
    finally:
        with _POOL_LOCK:
            _WARMING.pop(key, None)
        event.set()
    return key


def clear_cache() -> None:
    """Forget every compiled slot (frees memory; the next run compiles again)."""
    with _POOL_LOCK:
        _POOL.clear()


# ---------------------------------------------------------------------------------------------
# The training loop
# ---------------------------------------------------------------------------------------------


def _as_arrays(X, y, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) as the engine holds them: X float32 (n, T, d) or int32 ids (n, T); y float32 (n,), or (n, T) when
    token inputs come with a label per step (next_token). Class ids are stored as float32 (exact below 2**24)."""
    X = _as_inputs(X)
    tokens = X.dtype == np.int32
    y = np.asarray(y, dtype=np.float32)
    if tokens and y.ndim == 2 and y.shape == X.shape:
        pass  # one label per step
    else:
        y = y.reshape(len(X), -1)[:, 0] if len(X) else np.zeros(0, np.float32)
    if X.ndim != 3 and not tokens:
        raise ValueError(f"{name} windows must have shape (samples, timesteps, features); got {X.shape}")
    if not np.all(np.isfinite(X)) or not np.all(np.isfinite(y)):
        raise ValueError(f"the {name} data contain missing or infinite values; clean them on the Data page")
    return X, y


def _check_labels(model, *labels: np.ndarray) -> None:
    """Class labels must be whole numbers in [0, K) for a softmax head of K units (plain words, not a TF error)."""
    k = model.output_shape[-1] if not isinstance(model.output_shape, list) else model.output_shape[0][-1]
    if k is None or k < 2:
        raise ValueError("a classifier needs a softmax head with at least two units (one per class)")
    for y in labels:
        if len(y) and (np.any(y != np.round(y)) or y.min() < 0 or y.max() >= k):
            raise ValueError(f"class labels must be whole numbers from 0 to {k - 1} for a head of {k} classes")


def train(
    model,
    X_train,
    y_train,
    X_val=None,
    y_val=None,
    cfg: TrainConfig | None = None,
    progress: ProgressFn | None = None,
    stop: threading.Event | None = None,
    jit: bool | None = None,
) -> TrainResult:
    """Train ``model`` (built, any Keras model with one output) in place and return its history.

    ``progress(epoch, logs, elapsed, eta)`` is called after every completed epoch (from this
    thread); ``stop`` is checked between compiled calls (at most ~0.1 s apart): the epochs
    completed so far stay in the history and the model keeps its current weights.
    A loss that becomes NaN or infinite stops the run (``stop_reason == "diverged"``) and the
    model gets back the last weights that gave a finite loss.
    """
    import tensorflow as tf

    cfg = cfg or TrainConfig()
    cfg.validate()
    X_train, y_train = _as_arrays(X_train, y_train, "training")
    if X_val is None or len(X_val) == 0:
        X_val = np.zeros((0, *X_train.shape[1:]), X_train.dtype)
        y_val = np.zeros((0, *y_train.shape[1:]), np.float32)
    X_val, y_val = _as_arrays(X_val, y_val, "validation")
    if cfg.loss in CLASS_LOSSES:
        _check_labels(model, y_train, y_val)
    n = len(X_train)
    bs, full_batch = effective_batch_size(cfg.batch_size, n)
    notes = ["train.note.full_batch"] if full_batch else []
    struct = _structure_key(model)
    shapes, jit = _run_plan(cfg, X_train, X_val, jit, struct)
    job = TrainCall(model, X_train, y_train, X_val, y_val, cfg, progress, stop, bs, full_batch, notes, shapes)
    if not jit:
        return _train(job, use_jit=False)
    try:
        return _train(job, use_jit=True)
    except (tf.errors.InvalidArgumentError, tf.errors.UnimplementedError) as err:
        if "XLA" not in str(err) and "compil" not in str(err).lower():
            raise
        _JIT[struct] = False  # this structure cannot be XLA-compiled: plain graph mode from now on
        return _train(job, use_jit=False)


@dataclass
class TrainCall:
    """One training call as :func:`train` prepared it for the loop: the model, the arrays as the engine holds them
    (validation possibly empty), the settings, the callbacks, and the plan (batch size, slot shapes)."""

    model: Any
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    cfg: TrainConfig
    progress: ProgressFn | None
    stop: threading.Event | None
    bs: int  # the batch size used (the whole training split when it is smaller)
    full_batch: bool
    notes: list[str]
    shapes: tuple  # (X_train shape, X_val shape, batch size, schedule buffer): the compiled slot's key part


_HERE = threading.local()  # the training thread's slot while its progress callback runs at a call's last epoch end


def epoch_weights() -> tuple[list[np.ndarray], list[np.ndarray]] | None:
    """Called from a ``progress`` callback: ``(weights, optimizer variables)`` after the epoch just reported (the
    weights in ``model.get_weights()`` order), or None when the compiled call went on past that epoch end; the next
    call then stops at an epoch end, so asking again at the next epochs gets them (a store's checkpoint)."""
    slot = getattr(_HERE, "slot", None)
    if slot is None:
        _HERE.wanted = True
        return None
    return slot.weights()


def _train(job: TrainCall, use_jit: bool) -> TrainResult:
    import tensorflow as tf

    model, X_train, y_train, X_val, y_val = job.model, job.X_train, job.y_train, job.X_val, job.y_val
    cfg, progress, stop, bs, full_batch = job.cfg, job.progress, job.stop, job.bs, job.full_batch
    notes, shapes = job.notes, job.shapes

    n = len(X_train)
    has_val = len(X_val) > 0
    steps_per_epoch = -(-n // bs)
    buffer = shapes[3]
    key, slot = _borrow(model, cfg, shapes, use_jit)
    try:
        slot.load(model, cfg.learning_rate)
        x_t, y_t = tf.constant(X_train), tf.constant(y_train)
        xv_t, yv_t = tf.constant(X_val), tf.constant(y_val)
        rng = np.random.default_rng(cfg.seed)  # this run's shuffling, independent of every other run

        classify = cfg.loss in CLASS_LOSSES
        history: dict[str, list[float]] = {"loss": []}
        if has_val:
            history["val_loss"] = []
        if classify:
            history["accuracy"] = []
            if has_val:
                history["val_accuracy"] = []
        result = TrainResult(
            history=history,
            epochs_run=0,
            batch_size=bs,
            full_batch=full_batch,
            notes=notes,
        )
        monitor = "val_loss" if has_val else "loss"
        best, best_epoch, best_weights, waited = math.inf, 0, None, 0

        # Schedule buffer: upcoming steps (possibly spanning several epochs) and where each epoch ends.
        pending_idx: list[np.ndarray] = []
        pending_w: list[np.ndarray] = []
        epochs_scheduled = 0
        acc_sum, acc_n, acc_hits, acc_count = 0.0, 0.0, 0.0, 0.0  # running totals of the current epoch
        start = time.perf_counter()
        done_steps = 0
        total_steps = cfg.epochs * steps_per_epoch
        _HERE.wanted = False
        while result.epochs_run < cfg.epochs:
            if stop is not None and stop.is_set():
                result.stop_reason = "user"
                break
            # How many steps this call: ~CALL_SECONDS of work; never past an epoch end when
            # early stopping must decide after each epoch.
            if slot.step_seconds is None:
                count = min(steps_per_epoch, 8)
            else:
                count = max(1, min(buffer, int(CALL_SECONDS / max(slot.step_seconds, 1e-6))))
            remaining = total_steps - done_steps
            count = min(count, remaining)
            in_epoch = done_steps % steps_per_epoch
            if cfg.early_stopping or _HERE.wanted:  # epoch_weights() was asked for: end this call at an epoch end
                count = min(count, steps_per_epoch - in_epoch)
                _HERE.wanted = False
            while sum(len(a) for a in pending_idx) < count and epochs_scheduled < cfg.epochs:
                i, w = epoch_schedule(rng, n, bs)
                pending_idx.append(i)
                pending_w.append(w)
                epochs_scheduled += 1
            idx = np.concatenate(pending_idx)
            w = np.concatenate(pending_w)
            idx_buf = np.zeros((buffer, bs), np.int32)
            w_buf = np.zeros((buffer, bs), np.float32)
            idx_buf[:count], w_buf[:count] = idx[:count], w[:count]
            step_no = done_steps + np.arange(buffer)
            flags = ((step_no + 1) % steps_per_epoch == 0) & (np.arange(buffer) < count) & has_val
            t0 = time.perf_counter()
            sums, weights, vals, hits, counts, vaccs = slot.run(
                x_t,
                y_t,
                xv_t,
                yv_t,
                tf.constant(idx_buf),
                tf.constant(w_buf),
                tf.constant(flags),
                tf.constant(count, tf.int32),
            )
            sums, weights, vals = sums.numpy(), weights.numpy(), vals.numpy()
            hits, counts, vaccs = hits.numpy(), counts.numpy(), vaccs.numpy()
            dt = time.perf_counter() - t0
            if done_steps > 0 or slot.step_seconds is not None:  # the first call of a new slot includes compiling
                per_step = dt / count
                slot.step_seconds = per_step if slot.step_seconds is None else 0.5 * (slot.step_seconds + per_step)
            elif count > 0:
                slot.step_seconds = None if dt > 0.5 else dt / count
            rest_idx, rest_w = idx[count:], w[count:]
            pending_idx, pending_w = ([rest_idx], [rest_w]) if len(rest_idx) else ([], [])

            diverged = False
            for s in range(count):
                acc_sum += float(sums[s])
                acc_n += float(weights[s])
                acc_hits += float(hits[s])
                acc_count += float(counts[s])
                done_steps += 1
                if done_steps % steps_per_epoch:
                    continue
                loss = acc_sum / acc_n
                accuracy = acc_hits / acc_count if acc_count else float("nan")
                acc_sum, acc_n, acc_hits, acc_count = 0.0, 0.0, 0.0, 0.0
                logs = {"loss": loss}
                if has_val:
                    logs["val_loss"] = float(vals[s])
                if classify:
                    logs["accuracy"] = accuracy
                    if has_val:
                        logs["val_accuracy"] = float(vaccs[s])
                if not all(math.isfinite(v) for v in logs.values()):
                    diverged = True
                    break
                for k, v in logs.items():
                    history[k].append(v)
                result.epochs_run += 1
                elapsed = time.perf_counter() - start
                eta = elapsed / done_steps * (total_steps - done_steps)
                if progress is not None:
                    _HERE.slot = slot if s == count - 1 else None  # the slot's weights are this epoch's
                    try:
                        progress(result.epochs_run, dict(logs), elapsed, eta)
                    finally:
                        _HERE.slot = None
                if loss_diverging(history["loss"]):  # the loss climbs epoch after epoch: stop now
                    result.stop_reason = "diverged"
                    break
                if cfg.early_stopping:
                    if logs[monitor] < best:
                        best, best_epoch, waited = logs[monitor], result.epochs_run, 0
                        if cfg.restore_best:
                            best_weights = slot.snapshot()
                    else:
                        waited += 1
                        if waited >= cfg.patience:
                            result.stop_reason = "early_stopping"
                            break
            if diverged or not np.all(np.isfinite(sums[:count])):
                # The graph skipped the update whose loss or gradient was not finite and ended the call: the
                # weights are the last finite ones; the history keeps the epochs completed before.
                result.stop_reason = "diverged"
                break
            if result.stop_reason:
                break
        result.train_seconds = time.perf_counter() - start
        if cfg.early_stopping:
            result.best_epoch = best_epoch or None
            if cfg.restore_best and best_weights is not None:
                slot.restore(best_weights)
        slot.store(model)
    except Exception:
        slot = None  # a failed slot is not reused
        raise
    finally:
        if slot is not None:
            _give_back(key, slot)
    return result
