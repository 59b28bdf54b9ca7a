"""A training run from start to finish, and what is kept of it.

:func:`execute` takes the prepared data (Data page), the architecture (Architecture page) and the
training configuration, builds the Keras model with its seeded initializers, trains it with the
fast engine, then scores it against the naive baseline. Everything the pages draw of a run (predictions on every
split, the recursive forecast, the metrics, the parameter count, the worst samples) is computed there, once, with
the engine's compiled inference, and kept on the run (``Run.predictions``, ``Run.metrics``, ``Run.results``): a
page script only draws. The page keeps the returned :class:`Run` objects in ``st.session_state["runs"]``; the
Inside page reads ``run.name``, ``run.model``, ``run.arch``.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from rnn_lab.arch.config import training_variant
from rnn_lab.tasks import Task, get_task, task_of_data
from rnn_lab.train import engine
from rnn_lab.train import metrics as M
from rnn_lab.train.engine import (
    FORECAST_STEPS,
    ProgressFn,
    TrainConfig,
    TrainResult,
    effective_batch_size,
)
from rnn_lab.train.errors import TrainError  # noqa: F401 (its home was here: runs.TrainError still works)
from rnn_lab.train.predictions import (  # noqa: F401 (re-exported: runs.score, runs.most_wrong, ...)
    SPLITS,
    WORST_N,
    _most_wrong,
    class_predictions_frame,
    mark_filled_labels,
    most_wrong,
    predictions_frame,
    score,
    score_classify,
    token_predictions_frame,
)
from rnn_lab.train.scheduler import QueueFull, default_scheduler

_IDS = itertools.count(1)
_IDS_LOCK = threading.Lock()


@dataclass
class Run:
    """One finished (or stopped) training run."""

    id: int
    name: str
    arch: Any  # the ArchConfig actually trained (training variant: the data's window and features, Dense head)
    train: TrainConfig
    source: str  # data source, e.g. "toy:counting"
    target: str
    features: tuple[str, ...]
    window: int
    horizon: int
    history: dict[str, list[float]]
    metrics: dict  # {"split", "model": {...}, "naive": {...}, "skill", "verdict"}
    model: Any  # the trained keras.Model
    predictions: pd.DataFrame  # split, index, actual, predicted, naive (original units)
    stopped: bool = False  # True when the user pressed Stop
    stop_reason: str | None = None  # None | "user" | "early_stopping" | "diverged"
    best_epoch: int | None = None
    batch_size: int = 0  # actually used
    full_batch: bool = False
    train_seconds: float = 0.0
    n: dict = field(default_factory=dict)  # windows per split
    notes: list[str] = field(default_factory=list)
    prepared: Any = None  # the PreparedData it was trained on (for the forecast and the export)
    task: str = "forecast"  # forecast | classify | next_token: decides the metrics; tasks are never overlaid
    pinned: bool = False  # kept when the session's run limit drops the oldest runs (rnn_lab.train.limits)
    class_names: tuple[str, ...] | None = None  # classify: the names of the classes, index = class
    # What the pages draw that used to be computed at render time, computed once by the job (run_results): only
    # DataFrames, Series, numpy arrays and plain numbers/strings/None, so a store can serialise it generically.
    # Keys: "params" (int), "forecast" (pd.Series of engine.FORECAST_STEPS values, or None), "forecast_reason"
    # (str or None), "worst" (pd.DataFrame of the WORST_N samples most wrong, or None for a forecast run).
    results: dict = field(default_factory=dict)

    @property
    def metric_name(self) -> str:
        """The one number Compare ranks runs of this task by: test RMSE (lower is better), accuracy (higher) or,
        for a language model, perplexity (lower)."""
        return self.task_spec.rank_metric

    @property
    def task_spec(self) -> Task:
        """The task object (:mod:`rnn_lab.tasks`) the run was trained for: the library asks it, not the name."""
        return get_task(self.task)

    @property
    def epochs_run(self) -> int:
        return len(self.history.get("loss", []))

    @property
    def final_loss(self) -> float:
        return self.history["loss"][-1] if self.history.get("loss") else float("nan")

    def summary(self) -> dict:
        """Plain data for tables and JSON: the run, its training, and its task's test metrics beside the baseline."""
        rnn = self.arch.is_rnn
        head = {"id": self.id, "name": self.name}
        spec = self.task_spec
        head.update(spec.summary_head(self.task, self.arch.family))  # forecast: none (its original keys)
        numbers = spec.label_kind == "number"  # a forecast names its cell and units even for a non-recurrent model
        head.update(
            cell=self.arch.cell if rnn or numbers else self.arch.family,
            units=list(self.arch.units) if rnn or numbers else [],
            epochs=self.epochs_run,
            final_loss=self.final_loss,
            final_val_loss=self.history["val_loss"][-1] if self.history.get("val_loss") else None,
            split=self.metrics["split"],
        )
        scores = spec.summary_scores(self.metrics)
        return {**head, **scores, "train_seconds": self.train_seconds}


def check_before(prepared, arch, cfg: TrainConfig) -> list[str]:
    """Raise :class:`TrainError` for impossible settings; return note keys (e.g. one full batch)."""
    cfg.validate()

    task = task_of_data(prepared)
    if cfg.loss not in task.losses:  # e.g. MSE on class labels, or cross-entropy on a number series
        raise TrainError("loss_task", loss=cfg.loss, task=task.name, allowed=", ".join(task.losses))
    if task.label_kind == "class":
        present = int(np.count_nonzero(np.bincount(prepared.y_train, minlength=prepared.n_classes)))
        if prepared.n_classes < 2 or present < 2:
            raise TrainError("few_classes", n=present)
    n_train = len(prepared.y_train)
    if n_train < 1:
        raise TrainError("no_train", window=prepared.window)
    if arch.timesteps != prepared.window or arch.features != prepared.n_features:
        raise TrainError(
            "shape",
            timesteps=arch.timesteps,
            features=arch.features,
            window=prepared.window,
            n_features=prepared.n_features,
        )
    from rnn_lab.arch.params import total_params  # lazy: not on the home page's path
    from rnn_lab.train.limits import check_run_size

    check_run_size(total_params(arch), cfg.epochs, n_train)  # a shared server's caps (environment variables)
    _, full = effective_batch_size(cfg.batch_size, n_train)
    return ["train.note.full_batch"] if full else []


def training_arch(arch, prepared):
    """The architecture trained on ``prepared``: the explored layers, the data's shape, the task's head
    (Dense(1) to forecast, Dense(n_classes, softmax) to classify)."""
    return training_variant(arch, prepared)


_WARM_REQUESTS: dict[tuple, Any] = {}  # request -> the warm-up's scheduler Ticket
_WARM_LOCK = threading.Lock()


def _warm_request(trained, prepared, cfg: TrainConfig) -> tuple:
    """What decides the compiled slot, known without TensorFlow: the model, the data shapes, the settings."""
    return (
        repr(trained),
        prepared.X_train.shape,
        prepared.X_val.shape,
        cfg.optimizer,
        cfg.loss,
        cfg.batch_size,
        cfg.epochs,
    )


def wait_for_warm_up(trained, prepared, cfg: TrainConfig, timeout: float = 120.0) -> None:
    """A press of Train that comes while the page's warm-up of the same model is still importing TensorFlow or
    compiling waits for it, instead of compiling a second copy beside it (two compilations on two cores).

    A warm-up still waiting in the queue is cancelled instead: this run compiles the slot itself, and waiting
    for a job queued behind it would hold this run's place for nothing."""
    with _WARM_LOCK:
        ticket = _WARM_REQUESTS.get(_warm_request(trained, prepared, cfg))
    if ticket is None:
        return
    if ticket.state == "queued":
        ticket.scheduler.cancel(ticket)
    if ticket.state == "running":
        ticket.wait(timeout)


def warm_up_in_background(prepared, arch, cfg: TrainConfig, scheduler=None, session_id: str = ""):
    """Queue a job that compiles the engine slot training ``arch`` on ``prepared`` with ``cfg`` will use, so
    that the first press of Train does not pay TensorFlow's import, tracing and XLA compilation (issue 9.2).
    A warm-up is a job like a training: it waits its turn (issue 12). Once per (model, data shapes, optimizer,
    loss, batch, epochs); cheap to call on every rerun (no TensorFlow on the caller's thread). Returns the
    scheduler's ticket, or None when already requested, the queue is full or the settings cannot train (the
    Train button will say why)."""
    try:
        trained = training_arch(arch, prepared)
        check_before(prepared, trained, cfg)
    except (TrainError, ValueError):
        return None
    request = _warm_request(trained, prepared, cfg)
    scheduler = scheduler or default_scheduler()

    def work(stop: threading.Event) -> None:
        if stop.is_set():
            return
        try:
            model = build(trained, cfg.seed)
            engine.warm_up(model, prepared.X_train, prepared.y_train, prepared.X_val, prepared.y_val, cfg)
            if stop.is_set():
                return
            univariate = task_of_data(prepared).forecasts and not M.can_forecast(
                prepared.features, prepared.target, prepared.horizon
            )  # the compiled inference the run's results will use (its forecast loop only where one is drawn)
            engine.warm_inference(model, prepared.X_train, forecast=univariate)
        except Exception:  # noqa: BLE001 - a failed warm-up only means the first run compiles itself
            with _WARM_LOCK:
                _WARM_REQUESTS.pop(request, None)

    with _WARM_LOCK:
        earlier = _WARM_REQUESTS.get(request)
        if earlier is not None and not (earlier.state == "cancelled" and earlier.started_at is None):
            return None  # requested already (a warm-up cancelled before it ran may be asked for again)
        try:
            ticket = scheduler.submit(session_id, work, label="warm-up")
        except QueueFull:
            return None  # a warm-up is only a head start; the run will compile when its turn comes
        _WARM_REQUESTS[request] = ticket
    return ticket


def build(arch, seed: int):
    """The Keras model with per-layer seeded initializers (no global seeding)."""
    from rnn_lab.arch.keras_model import build_model  # lazy: not on the home page's path

    return build_model(arch, seed=seed)


def execute(
    prepared,
    arch,
    cfg: TrainConfig,
    name: str | None = None,
    progress: ProgressFn | None = None,
    stop: threading.Event | None = None,
    jit: bool | None = None,
    start=None,
) -> Run:
    """Train ``arch`` on ``prepared`` with ``cfg`` and return the scored :class:`Run`.

    ``arch`` may be the explorer's config: it is turned into its training variant first. ``start`` (a trained
    Keras model of the same architecture) resumes it: its weights, and its optimizer's state when known
    (``engine.OPTIMIZER_STATES``), instead of the seeded initial weights.
    """
    arch = training_arch(arch, prepared)
    notes = check_before(prepared, arch, cfg)
    wait_for_warm_up(arch, prepared, cfg)
    model = build(arch, cfg.seed)
    if start is not None:  # resume (rnn_lab.store): the weights and the optimizer's state it ended with
        model.set_weights(start.get_weights())
        if start in engine.OPTIMIZER_STATES:
            engine.OPTIMIZER_STATES[model] = engine.OPTIMIZER_STATES[start]
    result: TrainResult = engine.train(
        model,
        prepared.X_train,
        prepared.y_train,
        prepared.X_val,
        prepared.y_val,
        cfg,
        progress=progress,
        stop=stop,
        jit=jit,
    )
    spec = task_of_data(prepared)
    task = spec.name
    with engine.Inference(model, prepared.X_train) as inference:  # compiled, once, here: pages only draw
        pred, metrics = _PREDICT_AND_SCORE[spec.label_kind](model, prepared, inference)
        results = run_results(model, prepared, task, pred, metrics, inference.forecast)
    sizes = prepared.split_sizes
    with _IDS_LOCK:
        run_id = next(_IDS)
    return Run(
        id=run_id,
        name=name or f"#{run_id} {layers_label(arch)} {cfg.optimizer} lr={cfg.learning_rate:g}",
        arch=arch,
        train=cfg,
        source=prepared.source,
        target=getattr(prepared, "target", ""),  # classify: no target column, the labels are the classes
        features=tuple(getattr(prepared, "features", ())),
        window=prepared.window,
        horizon=getattr(prepared, "horizon", 0),
        history=result.history,
        metrics=metrics,
        model=model,
        predictions=pred,
        stopped=result.stop_reason == "user",
        stop_reason=result.stop_reason,
        best_epoch=result.best_epoch,
        batch_size=result.batch_size,
        full_batch=result.full_batch,
        train_seconds=result.train_seconds,
        n=sizes,
        notes=sorted(set(notes + result.notes)),
        prepared=prepared,
        task=task,
        class_names=getattr(prepared, "class_names", None),
        results=results,
    )


def _predict_numbers(model, prepared, inference) -> tuple[pd.DataFrame, dict]:
    pred = mark_filled_labels(predictions_frame(model, prepared, inference.predict), prepared)
    return pred, score(pred, prepared.split_sizes)


def _predict_classes(model, prepared, inference) -> tuple[pd.DataFrame, dict]:
    pred = class_predictions_frame(model, prepared, inference.outputs)
    return pred, score_classify(pred, prepared)


def _predict_tokens(model, prepared, inference) -> tuple[pd.DataFrame, dict]:
    return token_predictions_frame(model, prepared, inference.outputs)


# The predictions frame and scoring of a run, by what its labels are (Task.label_kind).
_PREDICT_AND_SCORE = {"number": _predict_numbers, "class": _predict_classes, "token": _predict_tokens}


def run_results(model, prepared, task: str, pred: pd.DataFrame, metrics: dict, forecast_fn=None) -> dict:
    """What the pages draw of a finished run beyond its predictions and metrics (see :attr:`Run.results`).
    ``forecast_fn(last_window (T, 1)) -> (engine.FORECAST_STEPS,)`` scaled values (the compiled loop in a job)."""
    series, reason = None, "not_forecast"
    forecasts = get_task(task).forecasts
    if forecasts:
        series, reason = _forecast(prepared, FORECAST_STEPS, forecast_fn or _eager_forecast_fn(model, FORECAST_STEPS))
    worst = None if forecasts else _most_wrong(task, metrics["split"], pred, prepared, WORST_N)
    return {
        "params": int(model.count_params()),
        "forecast": series,
        "forecast_reason": reason,
        "worst": worst,
    }


def _eager_forecast_fn(model, steps: int):
    """The recursive forecast the old way: ``steps`` eager calls of the engine's ``predict`` (the reference)."""
    return lambda last: M.recursive_forecast(lambda x: engine.predict(model, x), last, steps)


def _forecast(prepared, steps: int, forecast_fn) -> tuple[pd.Series | None, str | None]:
    p = prepared
    reason = M.can_forecast(p.features, p.target, p.horizon)
    if reason:
        return None, reason
    col = p.series[p.target].to_numpy(np.float64)
    last = p.scaler.transform_column(col[-p.window :], p.target).reshape(p.window, 1)  # (T, 1) scaled
    scaled = np.asarray(forecast_fn(last), np.float64)[:steps]
    return pd.Series(p.inverse_y(scaled), index=M.future_index(p.series.index, steps), name="forecast"), None


def layers_label(arch) -> str:
    """Short name of the trained layers: ``LSTM(32)``, ``Bidirectional(LSTM(16-16))``, ``Conv1D(16, 3)``,
    ``Dense(32)``, or ``Flatten + Dense(10)`` (a Dense model without a hidden layer: its only layer is the head).

    A stack's units are joined by "-" (``LSTM(16-16)``: two LSTM(16) layers): a comma would read as Keras's own
    arguments, as in ``Conv1D(16, 3)`` or the Keras code view's ``layers.LSTM(16, ...)``. The run names, the runs
    table, the class board and the Train page's model line all use this one spelling."""
    if arch.family == "conv1d":
        return f"Conv1D({arch.filters}, {arch.kernel_size})"
    if arch.family == "dense":
        return f"Dense({arch.dense_hidden})" if arch.dense_hidden else f"Flatten + Dense({arch.dense_units})"
    cells = f"{arch.cell}({'-'.join(str(u) for u in arch.units)})"
    return f"Bidirectional({cells})" if getattr(arch, "bidirectional", False) else cells


def forecast(run: Run, steps: int) -> tuple[pd.Series | None, str | None]:
    """Recursive forecast of ``steps`` values after the end of the series (original units), or (None, reason key).

    The first ``steps`` of the forecast the job computed (``run.results``, compiled; a recursive forecast's first
    values do not depend on its length); computed here, eagerly, only for a run without results."""
    if not run.task_spec.forecasts:
        return None, "not_forecast"
    results = run.results or {}
    if "forecast_reason" in results and (results["forecast"] is None or steps <= len(results["forecast"])):
        series = results["forecast"]
        if series is None:
            return None, results["forecast_reason"]
        return series.iloc[:steps], None
    return _forecast(run.prepared, steps, _eager_forecast_fn(run.model, steps))


def best_run(runs: list[Run], task: str | None = None, source: str | None = None) -> Run | None:
    """Among the runs of ``task`` on the data ``source`` (default: the latest run's): the lowest model RMSE
    (forecast), the highest accuracy (classify) or the lowest perplexity (next token). Runs of other tasks or on
    other data are never ranked against these (an RMSE on one series says nothing about one on another)."""
    if not runs:
        return None
    task = task or runs[-1].task
    same = [r for r in runs if r.task == task]
    source = (same[-1].source if same else "") if source is None else source
    same = [r for r in same if r.source == source]
    return get_task(task).best(same)


def runs_by_task(runs: list[Run]) -> dict[str, list[Run]]:
    """Runs grouped by task, in order: Compare draws each group on its own axes (RMSE and accuracy never share one)."""
    out: dict[str, list[Run]] = {}
    for run in runs:
        out.setdefault(run.task, []).append(run)
    return out


class TrainJob:
    """A training run submitted to the scheduler; the page polls it (the job never touches Streamlit).

    States: ``queued`` -> ``running`` -> ``done`` | ``error``, or ``queued`` -> ``stopped`` when stopped (or its
    session ended) before its turn came: no run, no error. ``history`` grows epoch by epoch. :attr:`running`
    is true while queued too: the job is not finished and the page keeps polling it.
    Raises :class:`~rnn_lab.train.scheduler.QueueFull` when the queue is at its hard limit.
    """

    def __init__(self, prepared, arch, cfg: TrainConfig, live: bool = True, scheduler=None, session_id: str = ""):
        self.cfg = cfg
        self.live = live
        self.history: dict[str, list[float]] = {"loss": [], "val_loss": []}
        self.epoch = 0
        self.elapsed = 0.0
        self.eta = float("nan")
        self.run: Run | None = None
        self.error: Exception | None = None
        self.started = time.time()
        self.consumed = False  # the page moved the finished run into the session's run list
        self._state = "running"  # once the scheduler has started the work
        self._lock = threading.Lock()
        self.scheduler = scheduler or default_scheduler()
        self.ticket = self.scheduler.submit(session_id, lambda stop: self._work(prepared, arch, stop), label="train")
        self.stop_event = self.ticket.stop_event

    def _progress(self, epoch: int, logs: dict, elapsed: float, eta: float) -> None:
        with self._lock:
            self.epoch = epoch
            self.elapsed = elapsed
            self.eta = eta
            for k, v in logs.items():
                self.history.setdefault(k, []).append(v)

    def _work(self, prepared, arch, stop: threading.Event) -> None:
        try:
            self.run = execute(prepared, arch, self.cfg, progress=self._progress, stop=stop)
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
            return "error"  # the work was killed by something stronger than an Exception
        return self._state

    def snapshot(self) -> dict:
        """A consistent copy of the progress for drawing, with the place in the queue while waiting."""
        queue = self.ticket.queue_info()
        state = "queued" if queue["position"] else self.state
        with self._lock:
            return {
                "epoch": self.epoch,
                "epochs": self.cfg.epochs,
                "elapsed": self.elapsed,
                "eta": self.eta,
                "history": {k: list(v) for k, v in self.history.items()},
                "state": state,
                "queued": state == "queued",
                **queue,
            }

    def stop(self) -> None:
        """Stop at the next epoch boundary (the run is kept, marked stopped), or leave the queue if waiting."""
        self.scheduler.cancel(self.ticket)

    @property
    def running(self) -> bool:
        return self.state in ("queued", "running")

    def join(self, timeout: float | None = None) -> None:
        self.ticket.wait(timeout)


COMPARE_MODELS = ("SimpleRNN", "LSTM", "GRU", "Conv1D", "Dense")


def compare_arch(name: str, base):
    """The architecture of one Compare row: ``base`` (units, filters, sizes) with the cell or family ``name``."""
    from dataclasses import replace

    if name in ("SimpleRNN", "LSTM", "GRU"):
        return replace(base, family="rnn", cell=name)
    if name == "Conv1D":
        return replace(base, family="conv1d")
    if name == "Dense":
        return replace(base, family="dense")
    raise ValueError(f"model must be one of {', '.join(COMPARE_MODELS)}; got {name!r}")


def compare_models(prepared, base, cfg: TrainConfig, names=COMPARE_MODELS, progress=None, stop=None) -> list[Run]:
    """Train each of ``names`` on the same split with the same budget (epochs, batch size, seed): one Run each.

    ``progress(i, name)`` is called before model ``i`` starts; ``stop`` ends the comparison between models.
    A model that cannot fit the data (e.g. a Conv1D kernel longer than the window) raises ValueError naming it.
    """
    runs = []
    for i, name in enumerate(names):
        if stop is not None and stop.is_set():
            break
        if progress is not None:
            progress(i, name)
        try:
            arch = compare_arch(name, base)
        except ValueError as err:
            raise ValueError(f"{name}: {err}") from None
        runs.append(execute(prepared, arch, cfg, stop=stop))
    return runs


def compare_row(run: Run) -> dict:
    """One Compare row as plain data: the model, its parameters, its training time and its test metric(s)."""
    row = {
        "model": layers_label(run.arch),
        "params": int(run.results["params"]) if "params" in (run.results or {}) else int(run.model.count_params()),
        "train_seconds": run.train_seconds,
        "epochs": run.epochs_run,
        "split": run.metrics["split"],
        "metric": run.metric_name,
    }
    row.update(run.task_spec.compare_scores(run.metrics))
    row["final_loss"] = run.final_loss
    return row
