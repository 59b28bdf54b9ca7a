"""``python -m rnn_lab train``: train on a toy, a bundled series or a CSV file and print the losses and metrics.

Example::

    python -m rnn_lab train --data toy:counting --epochs 50 --json
    python -m rnn_lab train --data prices.csv --target Close --features Close,Volume --window 20 --cell LSTM --units 32

With ``--json`` the output is ``{"config", "n_train", "n_val", "n_test", "history": {"loss", "val_loss"},
"metrics": {"model", "naive", "skill", ...}, "train_seconds"}``; ``train_seconds`` is training alone.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from rnn_lab.cli import UsageError
from rnn_lab.train.settings import DEFAULT_LR


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "train",
        help="train a recurrent model and compare it with the naive baseline",
        description="Train a recurrent model (fast engine) and score it against persistence.",
    )
    p.add_argument(
        "--data",
        required=True,
        help="toy:counting | toy:NAME | bundled:NAME | path to a CSV/Excel file",
    )
    p.add_argument("--target", help="target column (default: the source's usual target)")
    p.add_argument("--features", help="comma-separated input columns (default: the target alone)")
    p.add_argument(
        "--window",
        type=int,
        help="time steps per window (default: 5 for counting, else the source's)",
    )
    p.add_argument(
        "--horizon",
        type=int,
        default=1,
        help="predict this many steps ahead (default 1)",
    )
    p.add_argument(
        "--val",
        type=float,
        help="validation fraction (default 0 for counting, else 0.15)",
    )
    p.add_argument("--test", type=float, help="test fraction (default 0 for counting, else 0.15)")
    p.add_argument(
        "--scaling",
        choices=("none", "minmax", "standard"),
        help="default none for counting, else minmax",
    )
    p.add_argument("--cell", default="SimpleRNN", choices=("SimpleRNN", "LSTM", "GRU"))
    p.add_argument(
        "--units",
        type=int,
        nargs="+",
        default=[10],
        help="units per stacked layer, e.g. --units 32 16",
    )
    p.add_argument("--epochs", type=int, default=50)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument(
        "--lr", type=float, default=DEFAULT_LR, help=f"default {DEFAULT_LR} (Keras: 0.001; see the Train page)"
    )
    p.add_argument("--optimizer", default="adam", choices=("adam", "rmsprop", "sgd"))
    p.add_argument("--loss", default="mse", choices=("mse", "mae", "huber"))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def load_prepared(args):
    """The PreparedData described by the arguments (same defaults as the Data page)."""
    from rnn_lab.data.clean import clean
    from rnn_lab.data.errors import DataError
    from rnn_lab.data.prepare import prepare, split_rows
    from rnn_lab.data.settings import source_defaults
    from rnn_lab.data.sources import BUNDLED, load_bundled, load_toy
    from rnn_lab.data.toys import TOYS

    spec = args.data
    try:
        if spec.startswith("toy:"):
            name = spec[4:]
            if name not in TOYS:
                raise UsageError(f"unknown toy {name!r}; use one of {', '.join(TOYS)}")
            loaded = load_toy(name)
            defaults = source_defaults("toy", name)
        elif spec.startswith("bundled:"):
            name = spec[8:]
            if name not in BUNDLED:
                raise UsageError(f"unknown bundled series {name!r}; use one of {', '.join(BUNDLED)}")
            loaded = load_bundled(name)
            defaults = source_defaults("bundled", bundled=name)
        else:
            path = Path(spec)
            if not path.is_file():
                raise UsageError(f"no such file: {spec} (use toy:NAME, bundled:NAME or a CSV path)")
            from rnn_lab.data.reader import read_file

            loaded = read_file(path, source=f"upload:{path.name}")
            defaults = source_defaults("upload")
            defaults["data_target"] = "Close" if "Close" in loaded.frame.columns else loaded.frame.columns[0]
        frame = loaded.frame
        target = args.target or defaults.get("data_target", "value")
        if target not in frame.columns:
            raise UsageError(f"no column {target!r}; the columns are {', '.join(map(str, frame.columns))}")
        features = [f.strip() for f in args.features.split(",") if f.strip()] if args.features else [target]
        for f in features:
            if f not in frame.columns:
                raise UsageError(f"no column {f!r}; the columns are {', '.join(map(str, frame.columns))}")
        window = args.window if args.window is not None else defaults["data_window"]
        val = args.val if args.val is not None else defaults["data_val_frac"]
        test = args.test if args.test is not None else defaults["data_test_frac"]
        scaling = args.scaling or defaults["data_scaling"]
        if not (0 <= val < 1 and 0 <= test < 1 and val + test < 1):
            raise UsageError(f"--val and --test must be fractions with val + test < 1 (got {val} and {test})")
        columns = list(dict.fromkeys([*features, target]))
        fit_rows, _ = split_rows(len(frame), val, test)
        frame, _ = clean(frame, columns, "ffill", "leave", fit_rows=fit_rows)
        return prepare(
            frame,
            target,
            features,
            window,
            args.horizon,
            val,
            test,
            scaling,
            source=loaded.source,
        )
    except DataError as err:
        raise UsageError(err.text("en")) from None


def _clean_number(x):
    return None if isinstance(x, float) and not math.isfinite(x) else x


def result_dict(run, prepared) -> dict:
    """The JSON output of the command for a finished run."""
    from dataclasses import asdict

    metrics = {
        "split": run.metrics["split"],
        "model": {k: _clean_number(v) for k, v in run.metrics["model"].items()},
        "naive": {k: _clean_number(v) for k, v in run.metrics["naive"].items()},
        "skill": _clean_number(run.metrics["skill"]),
        "verdict": run.metrics["verdict"],
        "diagnosis": [{"finding": key, **values} for key, values in run.metrics.get("diagnosis") or []],
    }
    arch = asdict(run.arch)
    arch["units"] = list(arch["units"])
    return {
        "config": {
            "data": prepared.source,
            "target": prepared.target,
            "features": list(prepared.features),
            "window": prepared.window,
            "horizon": prepared.horizon,
            "scaling": prepared.scaler.kind,
            "arch": arch,
            "train": run.train.to_dict(),
            "batch_size_used": run.batch_size,
        },
        "n_train": run.n["train"],
        "n_val": run.n["val"],
        "n_test": run.n["test"],
        "history": {
            "loss": run.history.get("loss", []),
            "val_loss": run.history.get("val_loss", []),
        },
        "metrics": metrics,
        "stop_reason": run.stop_reason,
        "train_seconds": run.train_seconds,
    }


def run(args) -> int:
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.train.engine import TrainConfig
    from rnn_lab.train.runs import TrainError, execute

    prepared = load_prepared(args)
    cfg = TrainConfig(
        optimizer=args.optimizer,
        learning_rate=args.lr,
        loss=args.loss,
        epochs=args.epochs,
        batch_size=args.batch_size,
        seed=args.seed,
    )
    arch = ArchConfig(
        cell=args.cell,
        units=tuple(args.units),
        timesteps=prepared.window,
        features=prepared.n_features,
    )
    try:
        result = execute(prepared, arch, cfg)
    except TrainError as err:
        raise UsageError(err.text("en")) from None
    out = result_dict(result, prepared)
    if args.json:
        print(json.dumps(out))
        return 0
    from rnn_lab import i18n

    hist = out["history"]
    print(f"data {prepared.source}: {out['n_train']} train / {out['n_val']} val / {out['n_test']} test windows")
    for note in result.notes:
        print("note:", i18n.t(note, "en"))
    if result.stop_reason == "diverged":
        print("stopped:", i18n.t("train.stop.diverged", "en"))
    print(
        f"final loss {hist['loss'][-1]:.6g}"
        + (f", val_loss {hist['val_loss'][-1]:.6g}" if hist["val_loss"] else "")
        + f" after {len(hist['loss'])} epochs in {out['train_seconds']:.2f} s"
    )
    m = out["metrics"]
    split = i18n.t(f"train.split.{m['split']}", "en")
    print(f"metrics on {split}:")
    for who in ("model", "naive"):
        vals = ", ".join(f"{k.upper()} {v:.6g}" if v is not None else f"{k.upper()} n/a" for k, v in m[who].items())
        print(f"  {who:5s} {vals}")
    print(
        f"  skill {m['skill']:.4f}" if m["skill"] is not None else "  skill n/a",
        "-",
        i18n.t(f"train.verdict.{m['verdict']}", "en"),
    )
    for finding in m.get("diagnosis") or []:  # as in the JSON: {"finding": key, **values}
        key, values = finding["finding"], {k: v for k, v in finding.items() if k != "finding"}
        if "split" in values:
            values = {**values, "split": i18n.t(f"train.split_short.{values['split']}", "en")}
        print("  -", i18n.t(f"train.diagnosis.{key}", "en", **values).replace("**", ""))
    return 0
