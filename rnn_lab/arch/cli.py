"""``python -m rnn_lab summary``: the Architecture explorer's summary and formulas from the command line."""

from __future__ import annotations

import argparse
import json

from rnn_lab.arch.config import MERGE_MODES, ArchConfig
from rnn_lab.arch.keras_model import build_model, summary_rows
from rnn_lab.arch.params import layer_formulas, total_params
from rnn_lab.errors import UsageError
from rnn_lab.settings import setting

MAX_CLI_PARAMS = 20_000_000  # building more takes many seconds and hundreds of MB; the formula still answers


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "summary",
        help="Keras summary and parameter formulas of a recurrent model",
        description="Build the model with Keras 3 and print its summary next to the analytic parameter formulas.",
    )
    setting("arch_cell").add_argument(p, "--cell", help="recurrent cell (default SimpleRNN)")
    p.add_argument(
        "--units",
        type=int,
        action="append",
        metavar="N",
        help="units of one recurrent layer; repeat to stack layers (default: one layer of 10)",
    )
    setting("arch_timesteps").add_argument(p, "--timesteps", help="window length (default 5)")
    setting("arch_features").add_argument(p, "--features", help="input features per step (default 1)")
    p.add_argument("--batch-size", type=int, default=None, help="fixed batch size (the old batch_input_shape)")
    setting("arch_bidirectional").add_argument(p, "--bidirectional", help="wrap every recurrent layer in Bidirectional")
    p.add_argument("--merge-mode", choices=MERGE_MODES, default=None, help="Bidirectional merge mode (default concat)")
    setting("arch_return_sequences").add_argument(
        p, "--return-sequences", help="the last recurrent layer returns every step"
    )
    setting("arch_return_state").add_argument(
        p, "--return-state", help="the last recurrent layer also returns its states"
    )
    setting("arch_dropout").add_argument(p, "--dropout", help="input dropout, 0 <= p < 1")
    setting("arch_recurrent_dropout").add_argument(p, "--recurrent-dropout", help="recurrent dropout, 0 <= p < 1")
    p.add_argument("--dense", type=int, default=None, metavar="N", help="add a Dense(N) head (default: no head)")
    setting("arch_family").add_argument(
        p,
        "--layer",
        help="layer family: the recurrent stack (default), Conv1D + pooling + Flatten, or Flatten + Dense",
    )
    setting("arch_filters").add_argument(p, "--filters", help="conv1d: filters f (default 16)")
    setting("arch_kernel_size").add_argument(p, "--kernel-size", help="conv1d: kernel size k (default 3)")
    setting("arch_pool").add_argument(p, "--pool", help="conv1d: MaxPooling1D size, 1 = none (default 2)")
    p.add_argument("--dense-hidden", type=int, default=None, help="conv1d/dense: hidden Dense(relu) units")
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
