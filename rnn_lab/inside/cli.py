"""``python -m rnn_lab inside``: the hidden state and the gates of one step of one window, and NumPy vs Keras.

Example::

    python -m rnn_lab inside --cell LSTM --units 8 --data toy:sine --window 20 --step 5 --json
    python -m rnn_lab inside --run my_run.keras --data prices.csv --target Close --window 20 --split test --index 3
    python -m rnn_lab inside --task classify --data digits:mnist --cell LSTM --units 16 --split test --index 7 --json
    python -m rnn_lab inside --task next_token --data text:tiny-ko --cell GRU --units 8 --sentence "나는 학교에" --json
    python -m rnn_lab inside --task classify --data text:nsmc --limit-train 200 --maxlen 30 --mask-zero --json

The model is the architecture with its seeded initial weights (as the Inside page's "untrained" model), or
with ``--run`` a ``.keras`` file exported from the Train page. With ``--json`` the output is ``{"model",
"data", "layer", "step", "directions": [{"direction", "values": {name: [...]}}], "prediction",
"max_abs_diff", "keras_layers"}``; the value names are those of the page (x, h_prev, then a + h for
SimpleRNN, c_prev, i, f, g, o, c, h for LSTM, z, r, hh, h for GRU).

With ``--task classify`` (digits:mnist, toy:first_vs_last) the model ends in ``Dense(n_classes, softmax)`` and the
object adds ``"decision": {"class_names", "true", "predicted", "probabilities"}``: ``probabilities[t-1]`` is what
the head gives if the sequence stopped at step t (:func:`rnn_lab.inside.decision.decision_through_time`), the last
row the model's own answer (``max_abs_diff_at_T`` from Keras).

On text (``--data text:...``, the text options as in ``train``) the model starts with ``Embedding(V, d_e)``; the
sentence is a sample (``--split``/``--index``) or ``--sentence`` (tokenised with the dataset's vocabulary). The
object adds ``"text": {"tokens", "ids", "unknown", "mask_zero"}`` (one token per step), ``"embedding": {"dim",
"explained"}`` (the PCA of the Embedding rows, [PAD] left out) and for next_token ``"next_token": {"top",
"after_sentence"}``: the top-5 ``[token, p]`` after step t, and after the sentence's last real token.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from rnn_lab.arch.config import ArchConfig, training_variant
from rnn_lab.arch.keras_model import build_model
from rnn_lab.data.digits import SPLIT_SEED
from rnn_lab.errors import UsageError
from rnn_lab.flags import Flag, add_flags
from rnn_lab.inside.decision import DecisionUndefined, decision_through_time
from rnn_lab.inside.numpy_rnn import embedding_matrix, keras_output, max_abs_diff, reads_tokens, run_model
from rnn_lab.inside.settings import SPLITS
from rnn_lab.inside.text import (
    TOP_K,
    SentenceError,
    embedding_pca,
    encode_sentence,
    last_token_step,
    next_token_top,
    step_tokens,
)
from rnn_lab.tasks import get_task, task_of_data
from rnn_lab.train.cli import (
    DATA_FLAGS,
    LIMIT_FLAG,
    SAMPLES_FLAG,
    TASK_FLAG,
    UNITS_ALSO,
    add_text_arguments,
    load_classes,
    load_prepared,
    load_text,
    task_of_args,
    text_config,
)

SPLIT_NAMES = {"train": "training", "val": "validation", "test": "test"}


# The untrained model (the page's "untrained" source): not given = the architecture's defaults, and a clear error
# when given together with --run, which brings its own
INSIDE_MODEL_FLAGS = (
    Flag("arch_cell", "--cell", default=None),
    Flag("arch_units_1", "--units", default=None, help="units_stack", kwargs={"nargs": "+"}, also=UNITS_ALSO),
    Flag("arch_bidirectional", "--bidirectional"),
    Flag("inside_seed", "--seed"),
)
# where to look: the window, the layer and the step (the Inside page's pickers)
INSIDE_FLAGS = (
    Flag("inside_split", "--split", default=None),  # default val, else the first non-empty split
    Flag("inside_window", "--index"),
    Flag("inside_layer", "--layer"),
    Flag("inside_step", "--step", default=None),  # default: the last step
)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "inside",
        help="hidden state and gates at one time step, computed in NumPy and checked against Keras",
        description="Run one window through the model in NumPy (every gate, every step), print one step and the "
        "largest difference from Keras's own output.",
    )
    p.add_argument(
        "--data",
        help="(required unless --run-id) toy:counting | toy:NAME | bundled:NAME | path to a CSV/Excel file | classify: digits:mnist, "
        "toy:first_vs_last, text:nsmc | next_token: text:tiny-en, text:tiny-ko, text:FILE",
    )
    add_flags(p, (TASK_FLAG, replace(LIMIT_FLAG, default=200)))
    add_text_arguments(p)
    p.add_argument("--sentence", help="text: read this sentence instead of --split/--index")
    add_flags(p, (replace(SAMPLES_FLAG, default=400), *DATA_FLAGS, *INSIDE_MODEL_FLAGS))
    p.add_argument("--run", metavar="RUN.keras", help="a trained model exported from the Train page instead")
    p.add_argument("--run-id", help="a run saved in the run store (train --save-run, the app): its model and data")
    p.add_argument("--workspace", help="with --run-id: the workspace token the run belongs to")
    add_flags(p, INSIDE_FLAGS)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def _model(args, prepared, classes: int | None = None):
    """(Keras model, description) from ``--run`` or from the architecture arguments."""
    if args.run:
        if args.cell or args.units or args.bidirectional:
            raise UsageError("--cell, --units and --bidirectional describe an untrained model; --run brings its own")
        path = Path(args.run)
        if not path.is_file():
            raise UsageError(f"no such model file: {args.run}")
        import keras

        try:
            model = keras.models.load_model(path, compile=False)
        except Exception as err:  # noqa: BLE001 - any unreadable file is one clear line
            raise UsageError(f"cannot read {args.run} as a Keras model ({type(err).__name__}: {err})") from None
        shape = tuple(model.input_shape[1:]) if not isinstance(model.input_shape, list) else None
        tokens = getattr(prepared, "input_kind", "values") == "tokens"
        if tokens:
            if shape != (prepared.window,) or not reads_tokens(model):
                raise UsageError(
                    f"{path.name} expects inputs of shape {shape}, the text gives {prepared.window} token ids: "
                    "use the --maxlen it was trained with"
                )
            if embedding_matrix(model).shape[0] != prepared.vocab_size:
                raise UsageError(
                    f"{path.name} reads a vocabulary of {embedding_matrix(model).shape[0]} tokens, the text gives "
                    f"{prepared.vocab_size}: use the --tokens and --vocab it was trained with"
                )
        elif shape != (prepared.window, prepared.n_features):
            raise UsageError(
                f"{path.name} expects windows of shape {shape}, the data gives "
                f"({prepared.window}, {prepared.n_features}): use the --window and --features it was trained with"
            )
        return model, {"source": "run", "file": str(path), "name": model.name}

    if getattr(prepared, "input_kind", "values") == "tokens":  # the Embedding and the task's head, as the page builds
        try:
            arch = training_variant(
                ArchConfig(
                    cell=args.cell or "SimpleRNN",
                    units=tuple(args.units or (10,)),
                    bidirectional=args.bidirectional,
                    embedding_dim=args.embedding_dim,
                    mask_zero=args.mask_zero,
                ),
                prepared,
            )
        except ValueError as err:
            raise UsageError(str(err)) from None
        return build_model(arch, seed=args.seed), {
            "source": "untrained",
            "cell": arch.cell,
            "units": list(arch.units),
            "bidirectional": arch.bidirectional,
            "seed": args.seed,
            "embedding": [arch.embedding_vocab, arch.embedding_dim],
            "mask_zero": arch.mask_zero,
        }
    arch = ArchConfig(
        cell=args.cell or "SimpleRNN",
        units=tuple(args.units or (10,)),
        bidirectional=args.bidirectional,
        timesteps=prepared.window,
        features=prepared.n_features,
        dense_units=classes or 1,
        head_activation="softmax" if classes else "linear",
    )
    model = build_model(arch, seed=args.seed)
    return model, {
        "source": "untrained",
        "cell": arch.cell,
        "units": list(arch.units),
        "bidirectional": arch.bidirectional,
        "seed": args.seed,
    }


def _window(args, prepared):
    """(split, index, window (T, F)) from ``--split`` / ``--index``; an empty default split falls back."""
    sizes = {s: len(prepared.X(s)) for s in SPLITS}
    if args.split is not None:
        split = args.split
        if sizes[split] == 0:
            available = ", ".join(f"{s} ({n})" for s, n in sizes.items() if n) or "none"
            raise UsageError(f"the {SPLIT_NAMES[split]} split has no windows; splits with windows: {available}")
    else:
        split = "val" if sizes["val"] else next((s for s in SPLITS if sizes[s]), None)
        if split is None:
            raise UsageError("the data gives no windows: use a shorter --window or a longer series")
    if not 0 <= args.index < sizes[split]:
        raise UsageError(f"--index must be from 0 to {sizes[split] - 1} for the {SPLIT_NAMES[split]} split")
    return split, args.index, prepared.X(split)[args.index]


def inside_report(args) -> dict:
    """Everything the command prints, as the ``--json`` object."""
    import numpy as np

    from rnn_lab.inside import views  # plotly: `python -m rnn_lab --help` need not load it

    if args.run_id:  # a saved run: its own data settings and model (rnn_lab.store)
        from rnn_lab.store.cli import stored_inside  # upward (the store is above inside): in here

        task, prepared, stored_model, stored_described = stored_inside(args)
        args.data = args.data or prepared.source
        text = getattr(prepared, "input_kind", "values") == "tokens"
    elif not args.data:
        raise UsageError("--data is required (or --run-id with --workspace)")
    else:
        task = task_of_args(args)
        text = args.data.startswith("text:")
    classes = get_task(task).label_kind == "class"  # one class per sequence: its decision, its own split
    if args.run_id:
        pass
    elif text:  # the Data page's split seed (data_toy_seed's default); --seed is the untrained model's weights here
        prepared = load_text(argparse.Namespace(**{**vars(args), "seed": TEXT_SPLIT_SEED}))
    elif classes:  # the documented split (SPLIT_SEED); --seed is the untrained model's weights here
        prepared = load_classes(argparse.Namespace(**{**vars(args), "seed": SPLIT_SEED}))
    else:
        prepared = load_prepared(args)
    if args.sentence is not None and not text:
        raise UsageError("--sentence reads text: use --data text:...")
    unknown: list[str] = []
    if args.sentence is not None:
        try:
            sentence = encode_sentence(prepared, args.sentence)
        except SentenceError as err:
            raise UsageError(err.text("en")) from None
        split, index, window, unknown = None, None, sentence.ids, sentence.unknown
    else:
        split, index, window = _window(args, prepared)
    if args.run_id:
        model, described = stored_model, stored_described
    else:
        model, described = _model(args, prepared, prepared.n_classes if classes else None)
    window = np.asarray(window, dtype=np.int32 if text else np.float32)  # (T,) token ids or (T, F)
    model_run = run_model(model, window)
    layers = model_run.recurrent_layers
    if not layers:
        raise UsageError("the model has no recurrent layer to open")
    if not 1 <= args.layer <= len(layers):
        raise UsageError(f"--layer must be from 1 to {len(layers)} (the model's recurrent layers)")
    layer = layers[args.layer - 1]
    x = layer.x[0]  # (T, F) this layer's input
    n_steps = x.shape[0]
    if args.step is not None:
        step = args.step
    elif text:  # the last real token: post padding would otherwise open a [PAD] step
        step = last_token_step(window)
    else:
        step = n_steps
    if not 1 <= step <= n_steps:
        raise UsageError(f"--step must be from 1 to {n_steps} (the window's time steps)")
    directions = [
        {
            "direction": trace.direction,
            "values": {name: [float(v) for v in vec] for name, vec in views.step_values(trace, x, step)},
        }
        for trace in layer.directions
    ]
    if text:
        data = {**text_config(prepared), "source": prepared.source}
    elif classes:
        data = {"source": prepared.source, "window": prepared.window, "features": prepared.n_features}
    else:
        data = {
            "source": prepared.source,
            "target": prepared.target,
            "features": list(prepared.features),
            "window": prepared.window,
            "scaling": prepared.scaler.kind,
        }
    report = {
        "task": task,
        "model": {**described, "layers": [r.name for r in model_run.layers]},
        "data": {**data, "split": split, "index": index},
        "layer": {
            "index": args.layer,
            "name": layer.name,
            "kind": layer.kind,
            "units": layer.directions[0].units,
            "timesteps": n_steps,
            "features": int(x.shape[1]),
        },
        "step": step,
        "directions": directions,
        "prediction": [float(v) for v in np.ravel(model_run.output)],
        "max_abs_diff": max_abs_diff(model, window, model_run),
        "keras_layers": model_run.keras_layers,
    }
    if classes:
        report["decision"] = _decision(model, window, model_run, prepared, split, index)
    if text:
        report.update(_text_report(model, window, model_run, prepared, step, unknown))
    return report


TEXT_SPLIT_SEED = 0  # data_toy_seed's default: the Data page splits text with it


def _text_report(model, ids, model_run, prepared, step: int, unknown: list[str]) -> dict:
    """The sentence's tokens, the PCA of the Embedding, and (next_token) the top-5 next tokens."""
    import numpy as np

    E = embedding_matrix(model)
    out = {
        "text": {
            "tokens": step_tokens(prepared.vocab, ids),
            "ids": [int(i) for i in ids],
            "unknown": unknown,
            "mask_zero": bool(getattr(_embedding_layer(model), "mask_zero", False)),
        },
        "embedding": {
            "dim": int(E.shape[1]),
            "explained": [float(v) for v in embedding_pca(E, prepared.vocab).explained],
        },
    }
    if task_of_data(prepared).label_kind == "token":
        top = next_token_top(model_run.output, prepared.vocab, TOP_K)
        real = np.flatnonzero(np.asarray(ids) != 0)
        last = int(real[-1]) if real.size else len(ids) - 1  # the last real token (post padding leaves [PAD]s after)
        out["next_token"] = {
            "top": [[tok, p] for tok, p in top[step - 1]],
            "after_sentence": [[tok, p] for tok, p in top[last]],
        }
    return out


def _embedding_layer(model):
    return next(layer for layer in model.layers if type(layer).__name__ == "Embedding")


def _decision(model, window, model_run, prepared, split: str, index: int) -> dict:
    """The class probabilities at every step (the head on h_t), the true and the predicted class."""
    import numpy as np

    try:
        probs = decision_through_time(model, window, model_run)
    except DecisionUndefined as err:
        raise UsageError(f"no decision through time for this model: {err}") from None
    return {
        "class_names": list(prepared.class_names),
        "true": None if split is None else prepared.class_names[int(prepared.y(split)[index])],
        "predicted": prepared.class_names[int(np.argmax(probs[-1]))],
        "probabilities": [[float(p) for p in row] for row in probs],
        "max_abs_diff_at_T": float(np.max(np.abs(probs[-1] - keras_output(model, window)[0]))),
    }


def _row(name: str, values: list[float]) -> str:
    shown = " ".join(f"{v:8.4f}" for v in values[:8]) + (f" ... ({len(values)} values)" if len(values) > 8 else "")
    return f"  {name:7s} [{shown} ]"


def run(args) -> int:
    report = inside_report(args)
    if args.json:
        print(json.dumps(report))
        return 0
    m, d, layer = report["model"], report["data"], report["layer"]
    kind = get_task(report["task"]).label_kind
    if m["source"] == "run":
        print(f"model: {m['file']} ({', '.join(m['layers'])})")
    else:
        units = "-".join(map(str, m["units"]))  # a stack as in the run names: LSTM(16-16)
        wrap = "Bidirectional " if m["bidirectional"] else ""
        print(f"model: {wrap}{m['cell']}({units}), untrained, seed {m['seed']} ({', '.join(m['layers'])})")
    if "text" in report:
        where = "your sentence" if d["split"] is None else f"{SPLIT_NAMES[d['split']]} sentence {d['index']}"
        print(f"data: {d['source']}, {where} ({d['maxlen']} {d['tokens']} tokens, vocabulary {d['vocab_size']})")
        tokens = report["text"]["tokens"]
        print("tokens: " + " ".join(f"[{tok}]" if i + 1 == report["step"] else tok for i, tok in enumerate(tokens)))
        if report["text"]["unknown"]:
            print(f"not in the vocabulary (read as [UNK]): {' '.join(report['text']['unknown'])}")
        explained = report["embedding"]["explained"]
        print(f"embedding PCA: the two main axes explain {explained[0]:.0%} and {explained[1]:.0%} of the variance")
    elif kind == "class":
        print(
            f"data: {d['source']}, {SPLIT_NAMES[d['split']]} sample {d['index']} "
            f"({d['window']} steps x {d['features']} feature(s))"
        )
    else:
        print(
            f"data: {d['source']}, {SPLIT_NAMES[d['split']]} window {d['index']} "
            f"({d['window']} steps x {len(d['features'])} feature(s), {d['scaling']} scaling)"
        )
    for direction in report["directions"]:
        print(
            f"layer {layer['index']} {layer['name']} ({direction['direction']}, {layer['units']} units), "
            f"step t = {report['step']} of {layer['timesteps']}:"
        )
        for name, values in direction["values"].items():
            print(_row(name, values))
    if kind == "class":
        dec = report["decision"]
        names = dec["class_names"]
        true = "" if dec["true"] is None else f" (true class {dec['true']})"
        print(f"class probabilities if the sequence stopped at t{true}:")
        print("     t " + " ".join(f"{n:>6s}" for n in names) + "  argmax")
        for t, row in enumerate(dec["probabilities"], start=1):
            best = names[max(range(len(row)), key=row.__getitem__)]
            print(f"  {t:4d} " + " ".join(f"{p:6.3f}" for p in row) + f"  {best}")
        print(
            f"prediction: class {dec['predicted']}; NumPy vs Keras max |Δ| {report['max_abs_diff']:.2e} "
            f"(probabilities at t = T: {dec['max_abs_diff_at_T']:.2e})"
        )
        return 0
    if kind == "token":
        nxt = report["next_token"]
        print(f"next token after step t = {report['step']}: " + ", ".join(f"{tok!r} {p:.3f}" for tok, p in nxt["top"]))
        print("next token after the sentence: " + ", ".join(f"{tok!r} {p:.3f}" for tok, p in nxt["after_sentence"]))
        print(f"NumPy vs Keras max |Δ| {report['max_abs_diff']:.2e} (every step's softmax)")
        return 0
    prediction = ", ".join(f"{v:.6g}" for v in report["prediction"])
    print(f"prediction (scaled) {prediction}; NumPy vs Keras max |Δ| {report['max_abs_diff']:.2e}")
    return 0
