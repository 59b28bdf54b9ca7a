"""``python -m rnn_lab runs ...``: the runs a workspace saved (``train --save-run`` writes them).

Example::

    python -m rnn_lab train --data toy:counting --units 4 --epochs 5 --save-run --json   # prints run_id, workspace
    python -m rnn_lab runs list --workspace TOKEN --json
    python -m rnn_lab runs show RUN_ID --workspace TOKEN --json
    python -m rnn_lab runs delete RUN_ID --workspace TOKEN
    python -m rnn_lab runs delete-workspace --workspace TOKEN --yes
    python -m rnn_lab inside --run-id RUN_ID --workspace TOKEN --json

``RNN_LAB_DATA_DIR`` / ``RNN_LAB_DATABASE_URL`` choose the store, as for the app. A run of another workspace is
not found (exit 2); no command lists workspaces.
"""

from __future__ import annotations

import json
import math
from typing import Any

from rnn_lab.errors import UsageError
from rnn_lab.store import StoreUnavailable, default_store
from rnn_lab.store.progress import ProgressSaver, resume
from rnn_lab.store.records import finish_record, initial_weights_bytes, load_run, start_record
from rnn_lab.tasks import get_task
from rnn_lab.train.cli_data import data_values
from rnn_lab.train.runs import TrainError, layers_label, training_arch

SHOW_KEYS = (
    "id",
    "number",
    "name",
    "task",
    "state",
    "message",
    "epochs_done",
    "epochs_total",
    "data_identity",
    "settings",
    "arch",
    "train",
    "history",
    "metrics",
    "parent_run_id",
    "parent_kind",
    "checkpoint_epoch",
    "app_version",
    "created_at",
    "updated_at",
    "finished_at",
)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "runs",
        help="list, show or delete the runs saved in a workspace",
        description="The runs of one workspace in the run store (RNN_LAB_DATA_DIR / RNN_LAB_DATABASE_URL).",
    )
    sub = p.add_subparsers(dest="runs_command", required=True, parser_class=type(p))
    ls = sub.add_parser("list", help="the workspace's runs, oldest first")
    ls.add_argument(
        "--workspace",
        required=True,
        help="the workspace token (the link's ws= part; an older one starting with - is written --workspace=TOKEN)",
    )
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=list_command)
    show = sub.add_parser("show", help="one run: settings, state, history, metrics")
    show.add_argument("run_id")
    show.add_argument("--workspace", required=True)
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=show_command)
    rm = sub.add_parser("delete", help="delete one run")
    rm.add_argument("run_id")
    rm.add_argument("--workspace", required=True)
    rm.set_defaults(func=delete_command)
    more = sub.add_parser("resume", help="train a saved run N more epochs (its weights and optimizer state)")
    more.add_argument("run_id")
    more.add_argument("--workspace", required=True)
    more.add_argument("--epochs", type=int, required=True, help="how many more epochs")
    more.add_argument("--json", action="store_true")
    more.set_defaults(func=resume_command)
    rmw = sub.add_parser("delete-workspace", help="delete the workspace, every run and every file only it uses")
    rmw.add_argument("--workspace", required=True)
    rmw.add_argument("--yes", action="store_true", help="really delete")
    rmw.set_defaults(func=delete_workspace_command)


def clean_json(value: Any) -> Any:
    """NaN and infinities become null (strict JSON)."""
    if isinstance(value, dict):
        return {k: clean_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_json(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def open_store():
    try:
        return default_store()
    except StoreUnavailable as err:
        raise UsageError(err.text("en")) from None


def _record(args) -> dict:
    store = open_store()
    try:
        rec = store.run_record(args.workspace, args.run_id)
    except StoreUnavailable as err:
        raise UsageError(err.text("en")) from None
    if rec is None:
        raise UsageError(f"no run {args.run_id} in this workspace")
    return rec


def list_command(args) -> int:
    store = open_store()
    items = store.list_runs(args.workspace)
    if args.json:
        print(json.dumps({"runs": items}, ensure_ascii=False))
        return 0
    if not items:
        print("no runs in this workspace")
    for r in items:
        print(
            f"#{r['number']:<3d} {r['state']:<11s} {r['epochs_done']}/{r['epochs_total']} epochs  {r['name']}  {r['id']}"
        )
    return 0


def show_command(args) -> int:
    rec = _record(args)
    out = clean_json({k: rec.get(k) for k in SHOW_KEYS})
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(f"{out['name']} ({out['task']}): {out['state']}, {out['epochs_done']} epochs")
    if out["checkpoint_epoch"] is not None:
        print(f"weights saved after epoch {out['checkpoint_epoch']} (runs resume continues from there)")
    if out["message"]:
        print("message:", out["message"])
    print("data:", out["data_identity"])
    for key in ("settings", "metrics"):
        print(f"{key}:", json.dumps(out[key], ensure_ascii=False))
    return 0


def resume_command(args) -> int:
    """With ``--json``: ``{"run_id", "parent", "number", "epochs", "history", "metrics"}``; the history holds the
    parent's epochs followed by the new ones."""
    if args.epochs < 1:
        raise UsageError("--epochs must be 1 or more")
    store = open_store()
    try:
        out = resume(store, args.workspace, args.run_id, args.epochs)
    except StoreUnavailable as err:
        raise UsageError(err.text("en")) from None
    except TrainError as err:
        raise UsageError(err.text("en")) from None
    if out is None:
        raise UsageError(
            f"no finished run {args.run_id} with a model (or interrupted one with weights) in this workspace"
        )
    run_id, number, run = out
    result = clean_json(
        {
            "run_id": run_id,
            "parent": args.run_id,
            "number": number,
            "epochs": run.epochs_run,
            "history": run.history,
            "metrics": run.metrics,
        }
    )
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"run #{number} ({run_id}): {run.epochs_run} epochs in all, final loss {run.final_loss:.6g}")
    return 0


def delete_command(args) -> int:
    store = open_store()
    if not store.delete_run(args.workspace, args.run_id):
        raise UsageError(f"no run {args.run_id} in this workspace")
    print(f"deleted run {args.run_id}")
    return 0


def delete_workspace_command(args) -> int:
    if not args.yes:
        raise UsageError("deleting a workspace removes every run in it: add --yes")
    store = open_store()
    if not store.delete_workspace(args.workspace):
        raise UsageError("no such workspace")
    print("deleted the workspace and its runs")
    return 0


# ---------------------------------------------------------------------- train --save-run
def cli_values(args, task: str, prepared) -> tuple[dict, bytes | None]:
    """The settings (as the pages name them) of a ``train`` command, and the upload / own text bytes: what the
    run record keeps so the pages can rebuild the same dataset and a share link can repeat the experiment."""
    given = data_values(args, task)  # the data settings, decided as the command prepared its dataset
    values, data_bytes = given.values, given.data_bytes
    if get_task(task).label_kind == "class":
        values["arch_dense_units"] = prepared.n_classes
    units = list(args.units)
    values.update(
        arch_cell=args.cell,
        arch_layers=len(units),
        arch_family=args.family,
        arch_filters=args.filters,
        arch_kernel_size=args.kernel_size,
        arch_pool=args.pool,
        arch_dense_hidden=args.dense_hidden or 0,
        arch_timesteps=prepared.window,
        arch_features=prepared.n_features,
        arch_embedding=getattr(prepared, "input_kind", "values") == "tokens",
        arch_embedding_dim=args.embedding_dim,
        arch_mask_zero=bool(args.mask_zero),
        train_optimizer=args.optimizer,
        train_lr=args.lr,
        train_epochs=args.epochs,
        train_batch_size=args.batch_size,
        train_seed=args.seed,
    )
    if args.loss:
        values["train_loss"] = args.loss
    for i, u in enumerate(units, start=1):
        values[f"arch_units_{i}"] = u
    return values, data_bytes


def stored_inside(args):
    """``inside --run-id``: (task, prepared, model, description) of a saved run of ``--workspace``."""
    if not args.workspace:
        raise UsageError("--run-id needs --workspace TOKEN (the workspace the run belongs to)")
    store = open_store()
    try:
        run = load_run(store, args.workspace, args.run_id)
    except StoreUnavailable as err:
        raise UsageError(err.text("en")) from None
    if run is None:
        raise UsageError(f"no finished run {args.run_id} in this workspace")
    prepared, model = run.prepared, run.model
    if model is None:
        raise UsageError(f"run {args.run_id} has no saved model")
    return run.task, prepared, model, {"source": "run", "file": f"run:{args.run_id}", "name": run.name}


class SavedTraining:
    """``train --save-run``: the record made before training, progress saved while it trains (every
    ``RNN_LAB_SAVE_EVERY`` seconds, default 2), the finished run, or the failure. When the store cannot be used the
    training goes on unsaved and the JSON says why (``store_error``)."""

    def __init__(self, args, task: str, prepared, arch, cfg):
        import os
        import sys

        self.store = self.run_id = self.saver = None
        self.token, self.error = None, None
        trained = training_arch(arch, prepared)
        self.name = f"{layers_label(trained)} {cfg.optimizer} lr={cfg.learning_rate:g}"
        try:
            values, data_bytes = cli_values(args, task, prepared)
            self.store = default_store()
            self.token = self.store.open_workspace(args.workspace)
            self.run_id, number = start_record(
                self.store,
                self.token,
                values,
                trained,
                cfg,
                data_bytes,
                "#{number} " + self.name,
                cfg.epochs,
                initial=initial_weights_bytes(trained, cfg.seed),
            )
            self.name = f"#{number} {self.name}"
            every = float(os.environ.get("RNN_LAB_SAVE_EVERY", "2") or 2)
            self.saver = ProgressSaver(self.store, self.run_id, every=every)
        except StoreUnavailable as err:
            self.error = err.text("en")
            print(f"note: {self.error}", file=sys.stderr)

    @property
    def progress(self):
        return self.saver

    def fail(self, message: str, state: str = "failed") -> None:
        if self.run_id is None:
            return
        try:
            epochs = self.saver.epoch if self.saver else 0
            self.store.fail_run(self.run_id, message, state=state, epochs_done=epochs)
        except StoreUnavailable:
            pass

    def finish(self, run) -> dict:
        if self.run_id is not None and self.error is None:
            try:
                finish_record(self.store, self.run_id, run)
            except StoreUnavailable as err:
                self.error = err.text("en")
            except Exception as err:  # noqa: BLE001 - the run trained and is printed; saving it failed
                self.error = f"not saved: {type(err).__name__}: {err}"
                self.fail(self.error)
        if self.saver is not None and self.saver.error is not None and self.error is None:
            self.error = self.saver.error.text("en")
        return {
            "run_id": self.run_id if self.error is None else None,
            "workspace": self.token,
            **({"store_error": self.error} if self.error else {}),
        }
