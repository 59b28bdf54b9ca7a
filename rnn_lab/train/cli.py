"""``python -m rnn_lab train``: train on a toy, a bundled series or a CSV file and print the losses and metrics.

Example::

    python -m rnn_lab train --data toy:counting --epochs 50 --json
    python -m rnn_lab train --data prices.csv --target Close --features Close,Volume --window 20 --cell LSTM --units 32
    python -m rnn_lab train --task classify --data digits:mnist --cell LSTM --units 32 --epochs 2 --json
    python -m rnn_lab train --task classify --data digits:mnist --family conv1d --filters 16 --kernel-size 3
    python -m rnn_lab train --task next_token --data text:tiny-en --tokens char --cell LSTM --units 48 --epochs 200 \
        --lr 0.01 --batch-size 8 --save lm.keras --json
    python -m rnn_lab train --task classify --data text:nsmc --tokens char --maxlen 40 --cell GRU --units 32 --epochs 4
    python -m rnn_lab generate --run lm.keras --prompt "she" --length 30 --temperature 0 --seed 0 --json

With ``--json`` the output is ``{"task", "config", "n_train", "n_val", "n_test", "history": {"loss", "val_loss"},
"metrics": {"model", "naive", "skill", "mape_note", ...}, "train_seconds"}``; ``train_seconds`` is training
alone. ``mape`` is null with ``mape_note`` "crosses_zero" or "near_zero" when the labels change sign or come near
zero (a percentage error would mislead), else ``mape_note`` is null. A forecast run adds ``"forecast": {"steps", "calendar", "dates", "values", "unit", "reason"}``: the recursive forecast of
``--forecast-steps`` values (default 20) in original units, dated on the series' own calendar as the Train page
draws it (``calendar`` "B" = the next business days of a stock series; ``dates`` are row numbers when the series
has none), or ``values: null`` and the ``reason`` it cannot be made (several input columns, horizon > 1).
With ``--task classify`` the history adds ``accuracy``/``val_accuracy`` and the metrics are ``{"split",
"model": {"accuracy", "loss", "precision", "recall"}, "baseline": {"accuracy", "class"}, "confusion", "verdict"}``.
With ``--task next_token`` (text) the history has ``accuracy`` per token and the metrics are ``{"split", "n_tokens",
"model": {"accuracy", "loss", "perplexity"}, "baseline": {"accuracy", "loss", "perplexity", "token"}, "verdict"}``
(the unigram baseline); text runs add ``"text": {"tokens", "maxlen", "padding", "truncating", "vocab_size"}`` to the
config. ``--save RUN.keras`` writes the model and its vocabulary beside it (``RUN.vocab.json``), which
``generate --run RUN.keras`` reads.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from rnn_lab.arch.config import MAX_LAYERS, ArchConfig
from rnn_lab.errors import UsageError
from rnn_lab.flags import Flag, add_flags
from rnn_lab.tasks import get_task
from rnn_lab.train.cli_data import (  # noqa: F401 (re-exported: train.cli.load_prepared, ... for inside and tests)
    CLASS_SOURCES,
    DATA_FLAGS,
    LIMIT_FLAG,
    SAMPLES_FLAG,
    TASK_FLAG,
    TEXT_FLAGS,
    load_classes,
    load_data,
    load_prepared,
    load_text,
    task_of_args,
)
from rnn_lab.train.cli_report import (  # noqa: F401 (re-exported: train.cli.text_config, result_dict, ...)
    _PRINTS,
    CLASS_HISTORY,
    _clean_number,
    _run_dict,
    class_result_dict,
    forecast_dict,
    forecast_result_dict,
    print_classes,
    print_numbers,
    print_tokens,
    result_dict,
    series_unit,
    text_config,
    token_result_dict,
)
from rnn_lab.train.compare import compare_names
from rnn_lab.train.engine import TrainConfig
from rnn_lab.train.generate import generate, load_run, save_run, vocab_path
from rnn_lab.train.runs import COMPARE_MODELS, TrainError, compare_models, compare_row, execute
from rnn_lab.train.settings import KERAS_LR

# The flags that set a setting, one table per stage (rnn_lab.flags: type, choices, default and help come from the
# setting and the catalogue's cli.* messages). Shared by train, compare and inside; a command overrides a default by
# replacing the row (see COMPARE_FLAGS). The data's (TASK_FLAG, SAMPLES_FLAG, DATA_FLAGS, LIMIT_FLAG, TEXT_FLAGS) are
# in rnn_lab.train.cli_data, which names the flag of a setting out of range.
UNITS_ALSO = ("arch_layers", *(f"arch_units_{i}" for i in range(2, MAX_LAYERS + 1)))  # one number per layer
MODEL_FLAGS = (
    Flag("arch_cell", "--cell"),
    Flag("arch_family", "--family"),
    Flag("arch_filters", "--filters"),
    Flag("arch_kernel_size", "--kernel-size"),
    Flag("arch_pool", "--pool"),
    Flag("arch_dense_hidden", "--dense-hidden", default=None),  # default: no hidden layer
    Flag("arch_units_1", "--units", default=[10], help="units_stack", kwargs={"nargs": "+"}, also=UNITS_ALSO),
)
TRAIN_FLAGS = (
    Flag("train_epochs", "--epochs"),
    Flag("train_batch_size", "--batch-size"),
    Flag("train_lr", "--lr", help="train_lr_page"),
    Flag("train_optimizer", "--optimizer"),
    Flag("train_loss", "--loss", default=None),  # default: the task's loss
    Flag("train_early_stopping", "--early-stopping"),
    Flag("train_patience", "--patience"),
    Flag("train_restore_best", "--restore-best"),
    Flag("train_seed", "--seed"),
    Flag("train_forecast_steps", "--forecast-steps"),
)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "train",
        help="train a recurrent model and compare it with the naive baseline",
        description="Train a recurrent model (fast engine) and score it against persistence.",
    )
    add_flags(p, (TASK_FLAG,))
    p.add_argument(
        "--data",
        required=True,
        help="toy:counting | toy:NAME | bundled:NAME | path to a CSV/Excel file | classify: digits:mnist, "
        "toy:first_vs_last, text:nsmc | next_token: text:tiny-en, text:tiny-ko, text:FILE (one sentence a line)",
    )
    add_flags(p, (LIMIT_FLAG,))
    add_text_arguments(p)
    p.add_argument("--save", help="save the trained model to this .keras file (text: the vocabulary beside it)")
    p.add_argument(
        "--save-run", action="store_true", help="save the run in the run store (progress too); prints run_id, workspace"
    )
    p.add_argument("--workspace", help="with --save-run: the workspace token to add the run to (default: a new one)")
    add_flags(p, (SAMPLES_FLAG, *DATA_FLAGS, *MODEL_FLAGS, *TRAIN_FLAGS))
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)
    add_compare_parser(subparsers)
    add_generate_parser(subparsers)


def add_text_arguments(p) -> None:
    """Tokens, length, padding and vocabulary of text data, and the Embedding in front of the model."""
    add_flags(p, TEXT_FLAGS)


def run(args) -> int:
    task = task_of_args(args)
    if args.forecast_steps < 1:
        raise UsageError(f"--forecast-steps must be at least 1, got {args.forecast_steps}")
    prepared = load_data(args, task)
    tokens = getattr(prepared, "input_kind", "values") == "tokens"
    cfg = TrainConfig(
        optimizer=args.optimizer,
        learning_rate=args.lr,
        loss=args.loss or get_task(task).default_loss,
        epochs=args.epochs,
        batch_size=args.batch_size,
        early_stopping=args.early_stopping,
        patience=args.patience,
        restore_best=args.restore_best,
        seed=args.seed,
    )
    arch = ArchConfig(
        cell=args.cell,
        units=tuple(args.units),
        timesteps=prepared.window,
        features=prepared.n_features,
        family=args.family,
        filters=args.filters,
        kernel_size=args.kernel_size,
        pool_size=args.pool,
        dense_hidden=args.dense_hidden,
        embedding_vocab=prepared.vocab_size if tokens else None,  # the data's vocabulary (training_variant too)
        embedding_dim=args.embedding_dim,
        mask_zero=bool(args.mask_zero) and tokens,
    )
    saved = remote = None
    if args.save_run and os.environ.get("RNN_LAB_SCHEDULER", "").strip().lower() == "celery":
        from rnn_lab.workers.cli import WorkerTraining  # a worker trains it (issue 25); upward: in here

        remote = WorkerTraining(args, task, prepared, arch, cfg)
    elif args.save_run:
        from rnn_lab.store.cli import SavedTraining  # upward (the store is above train): in here

        saved = SavedTraining(args, task, prepared, arch, cfg)
    try:
        if remote is not None:
            result = remote.run()
        else:
            result = execute(prepared, arch, cfg, name=saved and saved.name, progress=saved and saved.progress)
    except TrainError as err:
        if saved:
            saved.fail(err.text("en"))
        raise UsageError(err.text("en")) from None
    except BaseException as err:  # Ctrl+C or a crash: the record says so instead of "running" forever
        if saved:
            saved.fail(
                f"{type(err).__name__}: {err}", "interrupted" if isinstance(err, KeyboardInterrupt) else "failed"
            )
        raise
    out = result_dict(result, prepared)
    if result.task_spec.forecasts:
        out["forecast"] = forecast_dict(result, args.forecast_steps)
    if saved:
        out.update(saved.finish(result))
    if remote is not None:
        out.update(remote.finish())
    if args.save:
        if not tokens:
            result.model.save(args.save)
        else:
            save_run(result.model, prepared, args.save)
        out["saved"] = {"model": str(args.save)}
        if tokens:
            out["saved"]["vocab"] = str(vocab_path(args.save))
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    _PRINTS[result.task_spec.label_kind](out, result)
    return 0


def add_generate_parser(subparsers) -> None:
    """``python -m rnn_lab generate``: text from a next-token model saved by ``train --save``."""
    p = subparsers.add_parser(
        "generate",
        help="generate text from a trained next-token model, token by token",
        description="Generate text from a model saved by `train --task next_token --save RUN.keras` (its vocabulary "
        "is read from RUN.vocab.json beside it).",
    )
    p.add_argument("--run", required=True, help="the .keras file written by train --save")
    p.add_argument("--prompt", required=True, help="the first word(s) or letter(s)")
    p.add_argument("--length", type=int, default=50, help="tokens to generate (default 50)")
    p.add_argument("--temperature", type=float, default=0.8, help="0 = always the most probable token (default 0.8)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=generate_command)


def generate_command(args) -> int:
    """With ``--json``: ``{"prompt", "text", "tokens", "ids", "steps": [{"id", "token", "p", "top": [{"token",
    "id", "p"} x 5]}], "ended", "temperature", "seed"}`` (``ended``: the model picked [END] before ``--length``)."""
    if not Path(args.run).is_file():
        raise UsageError(f"no such model file: {args.run}")
    model, spec = load_run(args.run)
    out = generate(model, spec, args.prompt, args.length, args.temperature, args.seed)
    if args.json:
        print(json.dumps({**out.to_dict(), "temperature": args.temperature, "seed": args.seed}, ensure_ascii=False))
        return 0
    print(out.text)
    for i, step in enumerate(out.steps, start=1):
        top = ", ".join(f"{t['token']!r} {t['p']:.2f}" for t in step["top"])
        print(f"  {i:3d} {step['token']!r}  top 5: {top}")
    if out.ended:
        print(f"the model ended the line ([END]) after {len(out.ids) - 1} tokens")
    return 0


# compare: one size for every model, and a short budget
COMPARE_FLAGS = (
    Flag("arch_units_1", "--units", default=32, help="units_one", also=("arch_layers",)),  # one recurrent layer
    Flag("arch_filters", "--filters"),
    Flag("arch_kernel_size", "--kernel-size"),
    Flag("arch_pool", "--pool"),
    Flag("arch_dense_hidden", "--dense-hidden", default=32, help="arch_dense_hidden_compare"),
    Flag("train_epochs", "--epochs", default=5),
    Flag("train_batch_size", "--batch-size"),
    Flag("train_lr", "--lr", default=KERAS_LR),
    Flag("train_seed", "--seed"),
)


def add_compare_parser(subparsers) -> None:
    """``python -m rnn_lab compare``: the same data, budget and seed for several models, one row each."""
    p = subparsers.add_parser(
        "compare",
        help="train SimpleRNN, LSTM, GRU, Conv1D and Dense on the same split and compare them",
        description="Train several models with the same budget (epochs, batch size, seed) on the same split.",
    )
    add_flags(p, (TASK_FLAG,))
    p.add_argument("--data", required=True, help="as for train")
    p.add_argument(
        "--models",
        help="comma-separated (default all five; next_token: SimpleRNN,LSTM,GRU, the models that predict every step)",
    )
    add_flags(p, (LIMIT_FLAG, SAMPLES_FLAG, *DATA_FLAGS, *COMPARE_FLAGS))
    p.add_argument("--json", action="store_true")
    add_text_arguments(p)
    p.set_defaults(func=compare)


def compare(args) -> int:
    if args.models is not None:  # checked before any data is read
        names = [m.strip() for m in args.models.split(",") if m.strip()]
        unknown = [m for m in names if m not in COMPARE_MODELS]
        if unknown or not names:
            raise UsageError(f"--models takes {', '.join(COMPARE_MODELS)}; got {', '.join(unknown) or 'none'}")
    task = task_of_args(args)
    prepared = load_data(args, task)
    if args.models is None:
        names = list(compare_names(prepared))
    cfg = TrainConfig(
        learning_rate=args.lr,
        loss=get_task(task).default_loss,
        epochs=args.epochs,
        batch_size=args.batch_size,
        seed=args.seed,
    )
    base = ArchConfig(
        units=(args.units,),
        timesteps=prepared.window,
        features=prepared.n_features,
        filters=args.filters,
        kernel_size=args.kernel_size,
        pool_size=args.pool,
        dense_hidden=args.dense_hidden,
        embedding_dim=args.embedding_dim,  # token ids only: every model reads through this Embedding
        mask_zero=args.mask_zero,
    )
    try:
        rows = [compare_row(r) for r in compare_models(prepared, base, cfg, names)]
    except TrainError as err:
        raise UsageError(err.text("en")) from None
    except ValueError as err:  # e.g. Conv1D named for a language model, which predicts at every step
        raise UsageError(str(err)) from None
    rows = [{k: _clean_number(v) for k, v in row.items()} for row in rows]
    if args.json:
        print(
            json.dumps({"task": task, "data": prepared.source, "epochs": args.epochs, "seed": args.seed, "rows": rows})
        )
        return 0
    metric = rows[0]["metric"]
    base_key = {"accuracy": "baseline_accuracy", "perplexity": "baseline_perplexity"}.get(metric, "naive_rmse")
    print(f"{task} on {prepared.source}, {args.epochs} epochs, seed {args.seed} ({rows[0]['split']} split)")
    print(f"{'model':16s} {'params':>8s} {'seconds':>8s} {metric:>9s} {'baseline':>9s}")
    for r in rows:
        print(f"{r['model']:16s} {r['params']:8d} {r['train_seconds']:8.2f} {r[metric]:9.4f} {r[base_key]:9.4f}")
    return 0
