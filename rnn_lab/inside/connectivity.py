"""Gradient connectivity ||dŷ/dx_t|| per time step, and the vanishing-gradient experiment.

Connectivity (the idea of Distill's "Visualizing memorization in RNNs", Madsen 2019) asks: if the input at
step t moved a little, how much would the prediction move? For a window X (T, F) and prediction ŷ (K,):

    connectivity[t] = || dŷ / dx_t ||_F = sqrt( sum_k sum_f (dŷ_k / dX[t, f])^2 )

computed exactly with ``tf.GradientTape``. A SimpleRNN multiplies the gradient by W_hh^T diag(1 - h^2) once
per step back, so it usually shrinks geometrically toward early steps (the vanishing gradient); the LSTM's
cell state c_t = f*c_{t-1} + i*g gives an additive path that keeps it alive.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from rnn_lab.arch.config import ArchConfig
from rnn_lab.arch.keras_model import build_model
from rnn_lab.data.prepare import prepare
from rnn_lab.data.toys import TOYS, make_toy
from rnn_lab.i18n import t
from rnn_lab.train.engine import TrainConfig, train
from rnn_lab.train.scheduler import default_scheduler

EXPERIMENT_CELLS = ("SimpleRNN", "LSTM", "GRU")
FADED = 0.5  # early/late ratio below which the conclusion says a cell's gradient fades towards the start


def _first_output(out):
    return out[0] if isinstance(out, (list, tuple)) else out


def connectivity(model, windows: np.ndarray) -> np.ndarray:
    """||dŷ/dx_t|| for every window and time step: (n, T) float64 (one window (T, F) gives (1, T)).

    ŷ is the model's (first) output for the window, flattened per window; with several outputs the
    Frobenius norm of the Jacobian block of step t is used (one output: the plain gradient norm).
    """
    import tensorflow as tf

    x = np.asarray(windows, dtype=np.float32)
    if x.ndim == 2:
        x = x[None]  # (1, T, F)
    xt = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = _first_output(model(xt, training=False))
        y = tf.reshape(y, (tf.shape(y)[0], -1))  # (n, K) outputs per window
    if y.shape[-1] == 1:
        grad = tape.gradient(y, xt)[:, None]  # (n, 1, T, F): windows are independent, so this is per window
    else:
        grad = tape.batch_jacobian(y, xt)  # (n, K, T, F)
    grad = np.asarray(grad, dtype=np.float64)
    return np.sqrt(np.sum(grad**2, axis=(1, 3)))  # (n, T)


def embedded(model, ids: np.ndarray):
    """(e, mask): the first layer's (the Embedding's) vectors (n, T, d_e) for ``ids`` and its mask (None without
    ``mask_zero``), as tensors."""
    import tensorflow as tf

    embedding = model.layers[0]
    x_ids = tf.convert_to_tensor(np.asarray(ids).astype("int32"))
    return tf.convert_to_tensor(embedding(x_ids)), embedding.compute_mask(x_ids)


def after_embedding(model, e, mask):
    """The model's output from its Embedding's vectors ``e`` on: the layers after it, one by one, each given the
    mask as Keras hands it on (so ``model(ids)`` == ``after_embedding(model, *embedded(model, ids))``)."""
    import inspect

    x, m = e, mask
    for layer in model.layers[1:]:
        takes_mask = "mask" in inspect.signature(layer.call).parameters
        out = layer(x, mask=m) if takes_mask and m is not None else layer(x)
        m = layer.compute_mask(x, m) if m is not None else None
        x = _first_output(out)
    return x


def token_connectivity(model, ids: np.ndarray, at: int | None = None) -> np.ndarray:
    """||dŷ/de_t|| for token ids (n, T): (n, T) float64, where e_t = E[id_t] is the vector the Embedding hands the
    next layer at step t (token ids are not continuous; their vectors are, so the question "how much would the
    answer move if the input at step t moved a little" is asked of e_t).

    ŷ is the model's answer: the class probabilities of a many-to-one model, or, for a language model (an output
    at every step), the probability of its most likely next token after step ``at`` (1-based; one scalar, so one
    backward pass whatever the vocabulary). The model is run layer by layer from the Embedding's output, with its
    mask passed on as Keras does (``mask_zero``: [PAD] steps get no gradient)."""
    import tensorflow as tf

    ids = np.asarray(ids)
    if ids.ndim == 1:
        ids = ids[None]  # (1, T)
    e, mask = embedded(model, ids)
    with tf.GradientTape() as tape:
        tape.watch(e)
        x = after_embedding(model, e, mask)
        if len(x.shape) == 3:  # (n, T, V): the distribution after step `at`; its most likely token's probability
            step = ids.shape[1] if at is None else int(at)
            probs = x[:, step - 1, :]  # (n, V)
            y = tf.reduce_max(probs, axis=-1, keepdims=True)  # (n, 1)
        else:
            y = tf.reshape(x, (tf.shape(x)[0], -1))  # (n, K)
    if y.shape[-1] == 1:
        grad = tape.gradient(y, e)[:, None]  # (n, 1, T, d_e)
    else:
        grad = tape.batch_jacobian(y, e)  # (n, K, T, d_e)
    grad = np.asarray(grad, dtype=np.float64)
    return np.sqrt(np.sum(grad**2, axis=(1, 3)))  # (n, T)


def early_late_ratio(conn: np.ndarray, fraction: float = 0.25) -> float:
    """mean connectivity of the first ``fraction`` of steps / mean of the last ``fraction`` (robust decay summary).

    Near 0: the early inputs barely reach the prediction (vanishing gradient); near or above 1: they matter
    as much as the recent ones.
    """
    conn = np.asarray(conn, dtype=np.float64).reshape(-1, np.shape(conn)[-1]).mean(axis=0)  # (T,)
    k = max(1, round(len(conn) * fraction))
    late = float(conn[-k:].mean())
    return float(conn[:k].mean()) / late if late > 0 else float("inf")


# ---------------------------------------------------------------------------------------------------------
# The experiment: the same task, seed, data, size and budget for SimpleRNN, LSTM and GRU.
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExperimentConfig:
    """The vanishing-gradient experiment on the ``long_memory`` toy (defaults finish well under 60 s)."""

    # The answer is rho * (the value lag steps back); window = lag, so it is the window's 1st value. One lag
    # everywhere: the toy's default (40), also the Data page's and the "Why LSTM?" lesson's.
    lag: int = TOYS["long_memory"].params["lag"]
    length: int = 2000  # values in the toy series
    units: int = 16  # hidden units of every model
    epochs: int = 20  # same budget for every model
    batch_size: int = 64
    learning_rate: float = 0.01  # Adam
    seed: int = 0  # data, initial weights and batch order
    n_windows: int = 64  # validation windows averaged for the connectivity plot
    cells: tuple[str, ...] = EXPERIMENT_CELLS

    def validate(self) -> None:
        if not 2 <= self.lag <= 200:
            raise ValueError(f"lag must be from 2 to 200; got {self.lag}")
        if not 1 <= self.units <= 256:
            raise ValueError(f"units must be from 1 to 256; got {self.units}")
        if not 1 <= self.epochs <= 200:
            raise ValueError(f"epochs must be from 1 to 200; got {self.epochs}")
        if self.length < 5 * self.lag:
            raise ValueError(f"length must be at least 5 x lag = {5 * self.lag}; got {self.length}")
        for cell in self.cells:
            if cell not in EXPERIMENT_CELLS:
                raise ValueError(f"cell must be one of {', '.join(EXPERIMENT_CELLS)}; got {cell!r}")


@dataclass
class CellResult:
    cell: str
    val_loss: list[float]  # validation MSE after each epoch
    train_loss: list[float]
    connectivity: np.ndarray  # (T,) mean ||dŷ/dx_t|| over validation windows
    ratio: float  # early_late_ratio(connectivity)
    baseline_mse: float  # predicting 0 (the scaled series mean) on validation
    seconds: float
    model: object = None  # the trained Keras model


@dataclass
class ExperimentResult:
    config: ExperimentConfig
    results: list[CellResult] = field(default_factory=list)  # the cells that finished, in cfg.cells order
    seconds: float = 0.0
    stopped: bool = False  # the user pressed Stop: ``results`` holds only the cells finished before that
    interrupted: str | None = None  # the cell that was training when Stop came (left out: a partial budget)

    @property
    def missing(self) -> list[str]:
        """Cells of the configuration that have no result (after Stop)."""
        done = {r.cell for r in self.results}
        return [c for c in self.config.cells if c not in done]

    def by_cell(self) -> dict[str, CellResult]:
        return {r.cell: r for r in self.results}


def long_memory_data(cfg: ExperimentConfig):
    """The long_memory toy, windowed with window = lag, standard-scaled on the training rows only."""
    df = make_toy("long_memory", length=cfg.length, seed=cfg.seed, lag=cfg.lag)
    return prepare(
        df,
        "value",
        window=cfg.lag,
        horizon=1,
        val_frac=0.2,
        test_frac=0.0,
        scaling="standard",
        source="toy:long_memory",
    )


def _build(cell: str, cfg: ExperimentConfig, timesteps: int, features: int):
    arch = ArchConfig(cell=cell, units=(cfg.units,), timesteps=timesteps, features=features, dense_units=1)
    return build_model(arch, seed=cfg.seed), arch


def _train(model, data, cfg: ExperimentConfig, on_epoch, stop=None) -> tuple[list[float], list[float], str | None]:
    """Train with the Train page's fast engine (same loss, optimizer and batch order rules as the page)."""
    tcfg = TrainConfig(
        optimizer="adam",
        learning_rate=cfg.learning_rate,
        loss="mse",
        epochs=cfg.epochs,
        batch_size=cfg.batch_size,
        seed=cfg.seed,
    )
    result = train(
        model,
        data.X_train,
        data.y_train,
        data.X_val,
        data.y_val,
        cfg=tcfg,
        progress=lambda epoch, logs, _elapsed, _eta: on_epoch(epoch, logs.get("loss"), logs.get("val_loss")),
        stop=stop,
    )
    return list(result.history["loss"]), list(result.history.get("val_loss", [])), result.stop_reason


def run_experiment(
    cfg: ExperimentConfig | None = None,
    progress: Callable[[float, str], None] | None = None,
    stop: threading.Event | None = None,
    on_cell: Callable[[CellResult], None] | None = None,
) -> ExperimentResult:
    """Train every cell of ``cfg.cells`` on long_memory with the same seed/data/size/budget; measure connectivity.

    The initial weights come from the seeded initializers of ``build_model`` (no global seeding), the batch
    order from the engine's seeded schedule. ``progress(fraction, cell)`` is called after every epoch of every
    model (fraction in 0..1), ``on_cell(result)`` when a cell is finished. Setting ``stop`` ends the experiment
    within a fraction of a second: the finished cells are kept, the one in training is left out (its budget
    would not be the others'), and the result says so (``stopped``, ``interrupted``, ``missing``).
    """
    cfg = cfg or ExperimentConfig()
    cfg.validate()
    started = time.perf_counter()
    data = long_memory_data(cfg)
    windows = data.X_val[: cfg.n_windows]  # (n, T, 1) the same windows for every model
    baseline = float(np.mean(np.square(data.y_val)))  # predict the scaled mean (0) every time
    result = ExperimentResult(config=cfg)
    total = len(cfg.cells) * cfg.epochs
    for k, cell in enumerate(cfg.cells):
        if stop is not None and stop.is_set():
            result.stopped = True
            break
        t0 = time.perf_counter()
        if progress:
            progress(k * cfg.epochs / total, cell)
        model, _ = _build(cell, cfg, data.window, data.n_features)

        def on_epoch(epoch, _train, _val, k=k, cell=cell):
            if progress:
                progress((k * cfg.epochs + epoch) / total, cell)

        train_curve, val_curve, stop_reason = _train(model, data, cfg, on_epoch, stop)
        if stop_reason == "user":
            result.stopped, result.interrupted = True, cell
            break
        conn = connectivity(model, windows).mean(axis=0)  # (T,)
        done = CellResult(
            cell=cell,
            val_loss=val_curve,
            train_loss=train_curve,
            connectivity=conn,
            ratio=early_late_ratio(conn),
            baseline_mse=baseline,
            seconds=time.perf_counter() - t0,
            model=model,
        )
        result.results.append(done)
        if on_cell:
            on_cell(done)
    result.seconds = time.perf_counter() - started
    return result


def conclusion(result: ExperimentResult, lang: str = "en") -> str:
    """A plain-words conclusion built from the numbers that came out (catalogue templates filled with values)."""
    rows = result.results
    if not rows:
        return ""
    if len(rows) == 1:  # stopped after one cell: nothing to compare yet
        r = rows[0]
        parts = [t("inside.exp.single", lang, cell=r.cell, loss=r.val_loss[-1], baseline=r.baseline_mse, ratio=r.ratio)]
        if r.val_loss[-1] < 0.5 * r.baseline_mse:
            parts.append(t("inside.exp.learned", lang, cells=r.cell))
        elif r.val_loss[-1] >= 0.8 * r.baseline_mse:
            parts.append(t("inside.exp.failed", lang, cells=r.cell))
        return " ".join(parts)
    parts = []
    best = min(rows, key=lambda r: r.val_loss[-1])
    worst = max(rows, key=lambda r: r.val_loss[-1])
    parts.append(
        t(
            "inside.exp.best",
            lang,
            best=best.cell,
            best_loss=best.val_loss[-1],
            worst=worst.cell,
            worst_loss=worst.val_loss[-1],
            baseline=best.baseline_mse,
        )
    )
    keep = max(rows, key=lambda r: r.ratio)
    lose = min(rows, key=lambda r: r.ratio)
    if lose.ratio < FADED and keep.ratio >= 2 * lose.ratio:  # early steps get under half the late steps' gradient
        parts.append(
            t(
                "inside.exp.decay",
                lang,
                lose=lose.cell,
                lose_ratio=lose.ratio,
                keep=keep.cell,
                keep_ratio=keep.ratio,
                factor=keep.ratio / max(lose.ratio, 1e-12),
            )
        )
    else:
        parts.append(
            t("inside.exp.no_decay", lang, lose=lose.cell, lose_ratio=lose.ratio, keep=keep.cell, keep_ratio=keep.ratio)
        )
    learned = [r.cell for r in rows if r.val_loss[-1] < 0.5 * r.baseline_mse]
    failed = [r.cell for r in rows if r.val_loss[-1] >= 0.8 * r.baseline_mse]
    if learned:
        parts.append(t("inside.exp.learned", lang, cells=", ".join(learned)))
    if failed:
        parts.append(t("inside.exp.failed", lang, cells=", ".join(failed)))
    return " ".join(parts)


class ExperimentJob:
    """The experiment submitted to the training scheduler (it trains models too), so the page stays usable; the
    page polls :meth:`snapshot`.

    The job never touches Streamlit. States: ``queued`` -> ``running`` -> ``done`` | ``error``, or ``queued`` ->
    ``stopped`` when stopped before its turn. :meth:`stop` ends a running one within a fraction of a second,
    keeping the cells already finished (see :func:`run_experiment`).
    """

    def __init__(self, cfg: ExperimentConfig, scheduler=None, session_id: str = ""):
        cfg.validate()  # a bad setting is a message on the page, not a dead thread
        self.cfg = cfg
        self.fraction = 0.0
        self.cell: str | None = None  # the cell in training
        self.done: list[str] = []  # the cells finished so far
        self._state = "running"  # once the scheduler has started the work
        self.result: ExperimentResult | None = None
        self.error: Exception | None = None
        self.consumed = False  # the page moved the result into the session
        self._lock = threading.Lock()
        self.scheduler = scheduler or default_scheduler()
        self.ticket = self.scheduler.submit(session_id, self._work, label="experiment")
        self.stop_event = self.ticket.stop_event

    def _progress(self, fraction: float, cell: str) -> None:
        with self._lock:
            self.fraction, self.cell = fraction, cell

    def _cell_done(self, done: CellResult) -> None:
        with self._lock:
            self.done.append(done.cell)

    def _work(self, stop: threading.Event) -> None:
        try:
            self.result = run_experiment(self.cfg, self._progress, stop=stop, on_cell=self._cell_done)
            self._state = "done"
        except Exception as err:  # noqa: BLE001 - any failure is reported in the page as a plain message
            self.error = err
            self._state = "error"

    @property
    def state(self) -> str:
        """``queued`` while waiting its turn, ``stopped`` when cancelled before it, else the work's own state."""
        ticket_state = self.ticket.state
        if ticket_state == "queued":
            return "queued"
        if ticket_state == "cancelled" and self.ticket.started_at is None:
            return "stopped"
        if ticket_state == "error" and self._state == "running":
            return "error"
        return self._state

    def _seconds_running(self) -> float:
        """Seconds since the experiment started training (the wait in the queue is not counted)."""
        started = self.ticket.started_at
        return 0.0 if started is None else time.monotonic() - started

    def snapshot(self) -> dict:
        """A consistent copy of the progress for drawing, with the place in the queue while waiting."""
        queue = self.ticket.queue_info()  # the scheduler's lock, taken before (never inside) this job's
        with self._lock:
            return {
                "fraction": self.fraction,
                "cell": self.cell,
                "done": list(self.done),
                "seconds": self._seconds_running(),
                "state": self.state,
                "stopping": self.stop_event.is_set(),
                **queue,
            }

    def stop(self) -> None:
        """Stop after the cell in training (its finished cells are kept), or leave the queue if waiting."""
        self.scheduler.cancel(self.ticket)

    @property
    def running(self) -> bool:
        return self.state in ("queued", "running")

    def join(self, timeout: float | None = None) -> None:
        self.ticket.wait(timeout)
