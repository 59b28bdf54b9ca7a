"""The report of ``python -m rnn_lab train``: the JSON output of a finished run and its plain-text print, one
piece per kind of label (Task.label_kind: a number series, classes, tokens), chosen by the run's task object."""

from __future__ import annotations

import math

from rnn_lab import i18n
from rnn_lab.data.units import format_amount, target_currency
from rnn_lab.errors import UsageError
from rnn_lab.tasks import get_task
from rnn_lab.train import metrics as M
from rnn_lab.train.engine import divergence_text
from rnn_lab.train.runs import forecast


def _clean_number(x):
    return None if isinstance(x, float) and not math.isfinite(x) else x


def _run_dict(run, task: str, config: dict, extra: dict, history_keys: tuple, metrics: dict) -> dict:
    """The JSON envelope every task shares: the data's ``config`` with the model and training settings, the split
    sizes, ``extra`` (e.g. the class counts), the history, the task's ``metrics``, how it stopped and how long."""
    from dataclasses import asdict

    arch = asdict(run.arch)
    arch["units"] = list(arch["units"])
    params = {} if get_task(task).forecasts else {"params": int(run.model.count_params())}
    return {
        "task": task,
        "config": {**config, "arch": arch, "train": run.train.to_dict(), "batch_size_used": run.batch_size, **params},
        "n_train": run.n["train"],
        "n_val": run.n["val"],
        "n_test": run.n["test"],
        **extra,
        "history": {k: run.history.get(k, []) for k in history_keys},
        "metrics": metrics,
        "stop_reason": run.stop_reason,
        "train_seconds": run.train_seconds,
    }


CLASS_HISTORY = ("loss", "val_loss", "accuracy", "val_accuracy")


def class_result_dict(run, prepared) -> dict:
    """The JSON output of a classification run."""
    m = run.metrics
    confusion = m["confusion"]
    config = {
        "data": prepared.source,
        "window": prepared.window,
        "n_features": prepared.n_features,
        "class_names": list(prepared.class_names),
    }
    metrics = {
        "split": m["split"],
        "model": {k: (_clean_number(v) if not isinstance(v, list) else v) for k, v in m["model"].items()},
        "baseline": m["baseline"],
        "confusion": confusion,
        "verdict": m["verdict"],
        "n_mistakes": int(sum(confusion[i][j] for i in range(len(confusion)) for j in range(len(confusion)) if i != j)),
    }
    out = _run_dict(run, "classify", config, {"class_counts": prepared.class_counts_by_split}, CLASS_HISTORY, metrics)
    if getattr(prepared, "input_kind", "values") == "tokens":
        out["config"]["text"] = text_config(prepared)
    return out


def text_config(prepared) -> dict:
    return {
        "tokens": prepared.tokens,
        "maxlen": prepared.window,
        "padding": prepared.padding,
        "truncating": prepared.truncating,
        "vocab_size": prepared.vocab_size,
    }


def token_result_dict(run, prepared) -> dict:
    """The JSON output of a next_token (language model) run."""
    m = run.metrics
    config = {"data": prepared.source, "window": prepared.window, "text": text_config(prepared)}
    metrics = {
        "split": m["split"],
        "n_tokens": m["n_tokens"],
        "model": {k: _clean_number(v) for k, v in m["model"].items()},
        "baseline": {
            **{k: _clean_number(v) for k, v in m["baseline"].items()},
            "token_text": prepared.vocab.tokens[m["baseline"]["token"]],
        },
        "verdict": m["verdict"],
    }
    return _run_dict(run, "next_token", config, {}, CLASS_HISTORY, metrics)


def result_dict(run, prepared) -> dict:
    """The JSON output of the command for a finished run."""
    return _RESULT_DICTS[run.task_spec.label_kind](run, prepared)


def forecast_result_dict(run, prepared) -> dict:
    """The JSON output for a forecasting run: its data, the model's and the naive forecast's metrics."""
    config = {
        "data": prepared.source,
        "target": prepared.target,
        "features": list(prepared.features),
        "window": prepared.window,
        "horizon": prepared.horizon,
        "scaling": prepared.scaler.kind,
        "unit": series_unit(prepared),  # the target's currency (ISO code), or null
    }
    metrics = {
        "split": run.metrics["split"],
        "model": {k: _clean_number(v) for k, v in run.metrics["model"].items()},
        "naive": {k: _clean_number(v) for k, v in run.metrics["naive"].items()},
        "skill": _clean_number(run.metrics["skill"]),
        "verdict": run.metrics["verdict"],
        "left_out": run.metrics.get("left_out", 0),  # windows whose label cleaning filled in: not scored
        "mape_note": run.metrics.get("mape_note"),  # why "mape" is null (train.mape_note.*), or null
        "diagnosis": [{"finding": key, **values} for key, values in run.metrics.get("diagnosis") or []],
    }
    return _run_dict(run, "forecast", config, {}, ("loss", "val_loss"), metrics)


# The JSON output of a finished run, by what its labels are (Task.label_kind).
_RESULT_DICTS = {"number": forecast_result_dict, "class": class_result_dict, "token": token_result_dict}


def forecast_dict(run, steps: int) -> dict:
    """The recursive forecast of a forecast run for the JSON output: dates on the series' calendar, values in
    original units (the same function and calendar as the Train page)."""
    import pandas as pd

    if steps < 1:
        raise UsageError(f"--forecast-steps must be at least 1, got {steps}")
    series, reason = forecast(run, steps)
    calendar = M.series_calendar(run.prepared.series.index)
    out = {
        "steps": steps,
        "calendar": str(calendar) if calendar is not None else None,
        "unit": series_unit(run.prepared),
        "reason": reason,
        "dates": None,
        "values": None,
    }
    if series is not None:
        idx = series.index
        if isinstance(idx, pd.DatetimeIndex):
            out["dates"] = [d.isoformat() if (d.hour or d.minute or d.second) else d.date().isoformat() for d in idx]
        else:
            out["dates"] = [int(i) for i in idx]
        out["values"] = [_clean_number(float(v)) for v in series.to_numpy()]
    return out


def series_unit(prepared) -> str | None:
    """The currency (ISO code) the target is measured in, if the source says so (rnn_lab.data.units)."""
    return target_currency(prepared)


def print_numbers(out: dict, result) -> None:
    """The plain-text report of a forecasting run."""
    prepared, cfg = result.prepared, result.train
    hist = out["history"]
    print(f"data {prepared.source}: {out['n_train']} train / {out['n_val']} val / {out['n_test']} test windows")
    for note in result.notes:
        print("note:", i18n.t(note, "en"))
    if result.stop_reason == "diverged":
        print("stopped:", divergence_text(result.history, cfg.learning_rate, "en").replace("**", ""))
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
    if m.get("mape_note"):
        print("  MAPE n/a:", i18n.t(f"train.mape_note.{m['mape_note']}", "en"))
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
    fc = out.get("forecast") or {}
    if fc.get("values"):
        steps = ", ".join(
            f"{d} {format_amount(v, fc['unit'], 'en') if fc['unit'] else f'{v:.6g}'}"
            for d, v in zip(fc["dates"][:5], fc["values"][:5])
        )
        print(
            f"forecast ({fc['steps']} steps, calendar {fc['calendar'] or 'steps'}): {steps}"
            + (", ..." if fc["steps"] > 5 else "")
        )
    elif fc.get("reason"):
        print("forecast:", i18n.t(f"train.forecast.{fc['reason']}", "en"))


def print_classes(out: dict, run) -> None:
    """The plain-text report of a classification run."""
    hist, m = out["history"], out["metrics"]
    names = out["config"]["class_names"]
    print(
        f"data {out['config']['data']}: {out['n_train']} train / {out['n_val']} val / {out['n_test']} test samples, "
        f"{len(names)} classes; model {run.name} ({out['config']['params']} parameters)"
    )
    for note in run.notes:
        print("note:", i18n.t(note, "en"))
    line = f"final loss {hist['loss'][-1]:.4f}, accuracy {hist['accuracy'][-1]:.4f}"
    if hist["val_loss"]:
        line += f", val_loss {hist['val_loss'][-1]:.4f}, val_accuracy {hist['val_accuracy'][-1]:.4f}"
    print(line + f" after {len(hist['loss'])} epochs in {out['train_seconds']:.2f} s")
    split = i18n.t(f"train.split.{m['split']}", "en")
    print(f"on the {split}:")
    print(f"  model accuracy    {m['model']['accuracy']:.4f}")
    base = m["baseline"]
    print(f"  majority baseline {base['accuracy']:.4f} (always class {names[base['class']]})")
    print(
        "  recall per class: "
        + ", ".join(
            f"{n} {r:.2f}" if r is not None else f"{n} n/a" for n, r in zip(names, m["model"]["recall"], strict=True)
        )
    )
    print(" ", i18n.t(f"train.class_verdict.{m['verdict']}", "en"))


def print_tokens(out: dict, run) -> None:
    """The plain-text report of a next_token run."""
    hist, m = out["history"], out["metrics"]
    text = out["config"]["text"]
    print(
        f"data {out['config']['data']}: {out['n_train']} train / {out['n_val']} val / {out['n_test']} test lines, "
        f"{text['tokens']} tokens, vocabulary {text['vocab_size']}; model {run.name} ({out['config']['params']} "
        "parameters)"
    )
    line = f"final loss {hist['loss'][-1]:.4f}, accuracy per token {hist['accuracy'][-1]:.4f}"
    print(line + f" after {len(hist['loss'])} epochs in {out['train_seconds']:.2f} s")
    print(f"on the {m['split']} split ({m['n_tokens']} tokens):")
    print(f"  model   accuracy {m['model']['accuracy']:.4f}, perplexity {m['model']['perplexity']:.3f}")
    base = m["baseline"]
    print(
        f"  unigram accuracy {base['accuracy']:.4f}, perplexity {base['perplexity']:.3f} "
        f"(always {base['token_text']!r})"
    )
    print(f"  verdict: {m['verdict']}")
    if out.get("saved"):
        print("saved:", ", ".join(out["saved"].values()))


# The plain-text report of a finished run, by what its labels are (Task.label_kind).
_PRINTS = {"number": print_numbers, "class": print_classes, "token": print_tokens}
