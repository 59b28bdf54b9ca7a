"""A :class:`~rnn_lab.train.runs.Run` in and out of the store.

A record keeps the experiment's settings (the share link's parameters, :func:`rnn_lab.share.encode`), the data's
identity (a bundled name, or the SHA-256 of an upload / own text whose bytes are a blob), the trained
architecture and training config, history, metrics, the run's details, the pages' results
(:mod:`rnn_lab.store.pack`: ``Run.results`` when the Run has it, and ``predictions``) and the ``.keras`` model.

:func:`load_run` gives back a :class:`StoredRun`: a Run whose model, predictions, results and prepared data load
the first time a page reads them (the model from its bytes, ``prepared`` rebuilt from the settings and the data
with the Data page's own preparation functions).
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import threading
from collections.abc import Mapping
from typing import Any

from rnn_lab.arch.config import ArchConfig
from rnn_lab.share import decode, encode
from rnn_lab.store.errors import StoreUnavailable
from rnn_lab.store.pack import pack, unpack, weights_bytes
from rnn_lab.store.store import sha256
from rnn_lab.store.writer import FINISH_DELAY, writer
from rnn_lab.tasks import task_of
from rnn_lab.train.engine import OPTIMIZER_STATES, TrainConfig
from rnn_lab.train.runs import Run, build

RESTORABLE = ("done", "stopped")  # states whose runs the pages can draw (metrics, predictions, a model)
DETAIL_FIELDS = (
    "source",
    "target",
    "features",
    "window",
    "horizon",
    "stopped",
    "stop_reason",
    "best_epoch",
    "batch_size",
    "full_batch",
    "train_seconds",
    "n",
    "notes",
    "pinned",
    "class_names",
)
_LAZY = object()


# ---------------------------------------------------------------------- settings and data
def experiment_settings(values: Mapping[str, Any]) -> dict[str, str]:
    """What a share link of this experiment carries (settings that differ from their defaults, as text)."""
    return encode(values)


def settings_values(settings: Mapping[str, str]) -> dict[str, Any]:
    """Every setting's value from a stored settings dict (missing -> default)."""
    return decode(settings)[0]


def data_identity(values: Mapping[str, Any], data_bytes: bytes | None = None) -> str:
    """``toy:NAME``, ``bundled:NAME``, ``digits:mnist``, ``text:NAME``; an upload or own text by its SHA-256."""
    kind = values.get("data_source_kind", "toy")
    spec = task_of(values)
    if kind == "upload":
        return f"upload:{sha256(data_bytes or b'')}"
    if kind == "text":
        name = values.get("data_text", "tiny-en")
        return f"text:own:{sha256(data_bytes or b'')}" if name == "own" else f"text:{name}"
    if kind == "digits":
        return "digits:mnist"
    if kind == "bundled":
        return f"bundled:{values.get('data_bundled', 'samsung')}"
    if spec.label_kind == "class":  # the classification toy, not the series toy
        return f"toy:{values.get('data_class_toy', 'first_vs_last')}"
    return f"toy:{values.get('data_toy', 'counting')}"


def prepare_from_values(values: Mapping[str, Any], data_bytes: bytes | None = None):
    """The prepared dataset the settings describe (:func:`rnn_lab.data.from_values.prepare_from_values`, the Data
    page's and the train command's path); ``data_bytes`` is the upload or the own text. DataError when it cannot be
    made."""
    from rnn_lab.data import from_values  # lazy: not on the home page's path (the readers, pandas windows)

    return from_values.prepare_from_values(values, data_bytes)


# ---------------------------------------------------------------------- models
def model_to_bytes(model) -> bytes:
    """The ``.keras`` file of ``model`` as bytes."""
    fd, path = tempfile.mkstemp(suffix=".keras")
    os.close(fd)
    try:
        model.save(path)
        with open(path, "rb") as fh:
            return fh.read()
    finally:
        os.unlink(path)


def model_from_bytes(data: bytes):
    import keras

    fd, path = tempfile.mkstemp(suffix=".keras")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return keras.models.load_model(path, compile=False)
    finally:
        os.unlink(path)


def initial_weights_bytes(arch, seed: int) -> bytes:
    """The weights a run starts from (the seeded initializers of :func:`rnn_lab.train.runs.build`), for a fork."""
    return weights_bytes(build(arch, seed).get_weights())


# ---------------------------------------------------------------------- saving
def arch_dict(arch) -> dict:
    out = dataclasses.asdict(arch)
    out["units"] = list(out["units"])
    return out


def run_details(run: Run) -> dict:
    return {key: getattr(run, key, None) for key in DETAIL_FIELDS}


def run_results(run: Run) -> bytes:
    """``Run.results`` (when the Run has it) and the predictions frame, packed."""
    payload: dict[str, Any] = {"predictions": run.predictions}
    results = getattr(run, "results", None)
    if isinstance(results, dict):
        kept = {}
        for key, value in results.items():  # a value of a type the store cannot keep is left out, not the run
            try:
                pack({key: value})
            except (TypeError, ValueError):
                continue
            kept[key] = value
        payload["results"] = kept
    return pack(payload)


def run_state(run: Run) -> str:
    return "stopped" if run.stop_reason == "user" else "done"


def queue_record(
    store,
    token: str,
    values: Mapping[str, Any],
    trained,
    cfg,
    data_bytes: bytes | None,
    label: str,
    parent=None,
    run_id: str | None = None,
) -> tuple[str, int]:
    """A queued record for the page's training of ``trained`` (its training variant) named "#<number> ``label``";
    ``parent`` = (store id, number, "fork" | "resume") or None; ``run_id`` a new id chosen by the caller (its
    write queued to the store writer). Shared by the app's saving job and the workers'."""
    return start_record(
        store,
        token,
        values_for(values, trained, cfg),
        trained,
        cfg,
        data_bytes,
        "#{number} " + label,
        cfg.epochs,
        state="queued",
        parent=(parent[0], parent[2]) if parent else None,
        run_id=run_id,
    )


def start_record(
    store,
    token: str,
    values: Mapping[str, Any],
    arch,
    cfg,
    data_bytes: bytes | None,
    name: str,
    epochs_total: int,
    initial: bytes | None = None,
    state: str = "running",
    parent: tuple[str, str] | None = None,
    run_id: str | None = None,
) -> tuple[str, int]:
    """A new record for a training about to start (``name`` may hold ``{number}``)."""
    return store.start_run(
        token,
        name=name,
        task=task_of(values).name,
        settings=experiment_settings(values),
        arch=arch_dict(arch),
        train=cfg.to_dict(),
        data_identity=data_identity(values, data_bytes),
        data_bytes=data_bytes,
        epochs_total=epochs_total,
        initial_weights=initial,
        state=state,
        parent_run_id=parent[0] if parent else None,
        parent_kind=parent[1] if parent else None,
        run_id=run_id,
    )


def finish_record(store, run_id: str, run: Run, name: str | None = None) -> None:
    store.finish_run(
        run_id,
        state=run_state(run),
        epochs_done=run.epochs_run,
        history=run.history,
        metrics=run.metrics,
        details=run_details(run),
        results=run_results(run),
        model=model_to_bytes(run.model),
        optimizer_state=optimizer_state_bytes(run.model),
        name=name,
    )


def finish_record_later(
    store, run_id: str, run: Run, name: str | None = None, on_error=None, delay: float | None = None
) -> None:
    """:func:`finish_record` by the process's store writer (:mod:`rnn_lab.store.writer`), after the progress writes
    queued before it: the caller reports the run done at once. ``on_error(exc)`` gets a failed write; a reader of
    this record first waits with ``writer().wait(run_id)``; ``delay`` (default
    :data:`rnn_lab.store.writer.FINISH_DELAY`) lets the page draw the results first."""
    delay = FINISH_DELAY if delay is None else delay
    writer().submit(finish_record, store, run_id, run, name, key=run_id, on_error=on_error, delay=delay)


def optimizer_state_bytes(model) -> bytes | None:
    """The optimizer's variables when the model's training ended (Adam's step count and moments), for resume."""
    state = OPTIMIZER_STATES.pop(model, None)  # saved now: the store keeps it, not the session's memory
    return None if state is None else weights_bytes(state)


def values_for_run(values: Mapping[str, Any], run: Run) -> dict:
    """The settings of ``run``: the page's values with the run's own model and training (a comparison trains five
    models from one page's settings)."""
    return values_for(values, run.arch, run.train)


def values_for(values: Mapping[str, Any], arch, cfg) -> dict:
    out = dict(values)
    out.update(arch_family=arch.family, arch_cell=arch.cell, arch_layers=len(arch.units))
    for i, u in enumerate(arch.units, start=1):
        out[f"arch_units_{i}"] = u
    out.update(
        train_optimizer=cfg.optimizer,
        train_lr=cfg.learning_rate,
        train_loss=cfg.loss,
        train_epochs=cfg.epochs,
        train_batch_size=cfg.batch_size,
        train_seed=cfg.seed,
    )
    return out


def save_finished(
    store, token: str, run: Run, values: Mapping[str, Any], data_bytes: bytes | None = None
) -> tuple[str, int]:
    """Save a finished run in one go (the app, when a job ends): ``(run id, number)``. The run's name gets the
    workspace's number in place of the session's (``#9 LSTM...`` -> ``#1 LSTM...``)."""
    rest = run.name.split(" ", 1)[1] if run.name.startswith("#") and " " in run.name else run.name
    name = "#{number} " + rest
    values = values_for_run(values, run)
    run_id, number = start_record(
        store, token, values, run.arch, run.train, data_bytes, name, run.train.epochs, state="running"
    )
    try:
        finish_record(store, run_id, run)
    except StoreUnavailable:
        try:
            store.fail_run(run_id, "not saved", state="interrupted", epochs_done=run.epochs_run)
        except StoreUnavailable:
            pass
        raise
    return run_id, number


# ---------------------------------------------------------------------- loading
class StoredRun(Run):
    """A Run read back from the store. ``model``, ``predictions``, ``results`` and ``prepared`` load on first use."""

    def _lazy(self, name: str):
        value = self.__dict__.get("_" + name, _LAZY)
        if value is _LAZY:
            with self.__dict__["_load_lock"]:
                value = self.__dict__.get("_" + name, _LAZY)
                if value is _LAZY:
                    value = self._load(name)
                    self.__dict__["_" + name] = value
        return value

    def _load(self, name: str):
        store, token, run_id = self.__dict__["_source"]
        if name == "model":
            data = store.model_bytes(token, run_id)
            return None if data is None else model_from_bytes(data)
        if name in ("predictions", "results"):
            rec = store.run_record(token, run_id, blobs_too=True)
            packed = unpack(rec["results"] if rec else None)
            self.__dict__["_predictions"] = packed.get("predictions")
            self.__dict__["_results"] = packed.get("results", {})
            return self.__dict__["_" + name]
        if name == "prepared":
            rec = store.run_record(token, run_id, blobs_too=True)
            return prepare_from_values(settings_values(rec["settings"]), rec.get("data_bytes"))
        raise AttributeError(name)

    def _set(self, name: str, value) -> None:
        self.__dict__["_" + name] = value

    # identity, not field by field: comparing two runs must not load their models (trim_runs uses ``in``)
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"StoredRun(id={self.id!r}, name={self.name!r}, store_id={self.__dict__.get('store_id')!r})"

    model = property(lambda self: self._lazy("model"), lambda self, v: self._set("model", v))
    predictions = property(lambda self: self._lazy("predictions"), lambda self, v: self._set("predictions", v))
    results = property(lambda self: self._lazy("results"), lambda self, v: self._set("results", v))
    prepared = property(lambda self: self._lazy("prepared"), lambda self, v: self._set("prepared", v))


def has_model(run) -> bool:
    """Whether ``run`` has a model, without loading a stored one (pages filter runs by this on every rerun)."""
    known = getattr(run, "__dict__", {}).get("has_model")
    return bool(known) if known is not None else getattr(run, "model", None) is not None


def _known(cls, values: dict) -> dict:
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in values.items() if k in names}


def _run_fields() -> set[str]:
    return {f.name for f in dataclasses.fields(Run)}


def run_from_record(store, token: str, rec: dict) -> StoredRun:
    """The StoredRun of a record (``run_record`` without blobs)."""
    details = rec.get("details") or {}
    fields = _run_fields()
    kwargs: dict[str, Any] = {
        "id": rec["number"],
        "name": rec["name"],
        "arch": ArchConfig(**_known(ArchConfig, rec["arch"])),  # keys a newer app added are left out
        "train": TrainConfig(**_known(TrainConfig, rec["train"])),
        "source": details.get("source") or rec["data_identity"],
        "target": details.get("target") or "",
        "features": tuple(details.get("features") or ()),
        "window": details.get("window") or 0,
        "horizon": details.get("horizon") or 0,
        "history": rec["history"] or {},
        "metrics": rec["metrics"] or {},
        "model": _LAZY,
        "predictions": _LAZY,
        "prepared": _LAZY,
        "task": rec["task"],
    }
    for key in (
        "stopped",
        "stop_reason",
        "best_epoch",
        "batch_size",
        "full_batch",
        "train_seconds",
        "n",
        "notes",
        "pinned",
    ):
        if details.get(key) is not None:
            kwargs[key] = details[key]
    if details.get("class_names") is not None:
        kwargs["class_names"] = tuple(details["class_names"])
    if "results" in fields:
        kwargs["results"] = _LAZY
    kwargs = {k: v for k, v in kwargs.items() if k in fields}
    run = StoredRun.__new__(StoredRun)
    run.__dict__["_load_lock"] = threading.Lock()
    run.__dict__["_source"] = (store, token, rec["id"])
    if "results" not in fields:
        run.__dict__["_results"] = _LAZY
    Run.__init__(run, **kwargs)
    run.store_id = rec["id"]
    run.has_model = rec.get("has_model", True)
    run.parent_run_id = rec.get("parent_run_id")
    return run


def load_run(store, token: str, run_id: str) -> StoredRun | None:
    """The run ``run_id`` of ``token``'s workspace, or None (unknown, another workspace's, or not finished)."""
    rec = store.run_record(token, run_id)
    if rec is None or rec["state"] not in RESTORABLE:
        return None
    return run_from_record(store, token, rec)


def load_runs(store, token: str) -> tuple[list[StoredRun], list[dict]]:
    """``(runs the pages can draw, the other records)``: finished/stopped runs, oldest first, and the summaries
    of runs interrupted, failed or still running."""
    restorable, others = [], []
    for summary in store.list_runs(token):
        if summary["state"] in RESTORABLE:
            rec = store.run_record(token, summary["id"])
            if rec is None:
                continue
            try:
                restorable.append(run_from_record(store, token, rec))
            except (TypeError, ValueError, KeyError):  # a record this version cannot read: listed, not drawn
                others.append({**summary, "state": "unreadable"})
        else:
            others.append(summary)
    return restorable, others
