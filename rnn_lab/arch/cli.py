"""``python -m rnn_lab summary``: the Architecture explorer's summary and formulas from the command line."""

from __future__ import annotations

import argparse
import json

from rnn_lab.arch.config import MAX_LAYERS, ArchConfig
from rnn_lab.arch.keras_model import build_model, summary_rows
from rnn_lab.arch.params import layer_formulas, total_params
from rnn_lab.errors import UsageError
from rnn_lab.flags import Flag, add_flags

MAX_CLI_PARAMS = 20_000_000  # building more takes many seconds and hundreds of MB; the formula still answers


# Every flag of `summary` sets an Architecture page setting (rnn_lab.flags); "not given" (None) where the explorer
# shows a switch instead: --batch-size fixes the batch, --dense adds a head, --merge-mode needs --bidirectional.
SUMMARY_FLAGS = (
    Flag("arch_cell", "--cell"),
    Flag(
        "arch_units_1",
        "--units",
        default=None,
        help="units_append",
        kwargs={"action": "append", "metavar": "N"},
        also=("arch_layers", *(f"arch_units_{i}" for i in range(2, MAX_LAYERS + 1))),
    ),
    Flag("arch_timesteps", "--timesteps"),
    Flag("arch_features", "--features"),
    Flag("arch_batch_size", "--batch-size", default=None, also=("arch_fixed_batch",)),
    Flag("arch_bidirectional", "--bidirectional"),
    Flag("arch_merge_mode", "--merge-mode", default=None),
    Flag("arch_return_sequences", "--return-sequences"),
    Flag("arch_return_state", "--return-state"),
    Flag("arch_dropout", "--dropout"),
    Flag("arch_recurrent_dropout", "--recurrent-dropout"),
    Flag("arch_dense_units", "--dense", default=None, kwargs={"metavar": "N"}, also=("arch_dense",)),
    Flag("arch_family", "--layer"),
    Flag("arch_filters", "--filters"),
    Flag("arch_kernel_size", "--kernel-size"),
    Flag("arch_pool", "--pool"),
    Flag("arch_dense_hidden", "--dense-hidden", default=None),
)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "summary",
        help="Keras summary and parameter formulas of a recurrent model",
        description="Build the model with Keras 3 and print its summary next to the analytic parameter formulas.",
    )
    add_flags(p, SUMMARY_FLAGS)
    p.add_argument("--softmax", action="store_true", help="the Dense head uses softmax (a classifier's head)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=run)


def config_from_args(args: argparse.Namespace) -> ArchConfig:
    """The ArchConfig the arguments describe (ValueError / UsageError with one clear line when invalid)."""
    if args.merge_mode is not None and not args.bidirectional:
        raise UsageError("--merge-mode only applies with --bidirectional")
    return ArchConfig(
        cell=args.cell,
        units=tuple(args.units or (10,)),
        bidirectional=args.bidirectional,
        merge_mode=args.merge_mode or "concat",
        return_sequences=args.return_sequences,
        return_state=args.return_state,
        dropout=args.dropout,
        recurrent_dropout=args.recurrent_dropout,
        timesteps=args.timesteps,
        features=args.features,
        batch_size=args.batch_size,
        dense_units=args.dense,
        head_activation="softmax" if getattr(args, "softmax", False) else "linear",
        family=getattr(args, "layer", "rnn"),
        filters=getattr(args, "filters", 16),
        kernel_size=getattr(args, "kernel_size", 3),
        pool_size=getattr(args, "pool", 2),
        dense_hidden=getattr(args, "dense_hidden", None),
    )


def summary_report(cfg: ArchConfig) -> dict:
    """Keras's summary rows joined with the analytic formulas, as the ``--json`` output."""
    rows = summary_rows(build_model(cfg))
    formulas = {f.name: f for f in layer_formulas(cfg)}
    layers = []
    for row in rows["layers"]:
        f = formulas[row["name"]]
        layers.append({**row, "formula_params": f.params, "formula": f.plain})
    return {"layers": layers, "total_params": rows["total_params"]}


def format_table(report: dict) -> str:
    """A plain-text table like model.summary(), with the formula beside each layer."""
    head = ("Layer (type)", "Output Shape", "Param #", "Formula")
    body = [
        (f"{r['name']} ({r['type']})", r["output_shape"], f"{r['params']:,}", r["formula"]) for r in report["layers"]
    ]
    widths = [max(len(row[i]) for row in (head, *body)) for i in range(4)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [line.format(*head), "  ".join("-" * w for w in widths)]
    out += [line.format(*row) for row in body]
    out.append(f"Total params: {report['total_params']:,}")
    return "\n".join(s.rstrip() for s in out)


def run(args: argparse.Namespace) -> int:
    cfg = config_from_args(args)  # validates before TensorFlow is imported: bad input fails fast
    if (n := total_params(cfg)) > MAX_CLI_PARAMS:
        raise UsageError(
            f"the model has {n:,} parameters (by the formulas), more than the {MAX_CLI_PARAMS:,} "
            "this command builds with Keras; use fewer or smaller layers"
        )
    report = summary_report(cfg)
    mismatch = [r["name"] for r in report["layers"] if r["params"] != r["formula_params"]]
    print(json.dumps(report, indent=2) if args.json else format_table(report))
    if mismatch:  # would be a bug in rnn_lab.arch.params: say so instead of hiding it
        raise RuntimeError(f"formula disagrees with Keras for {', '.join(mismatch)}")
    return 0
