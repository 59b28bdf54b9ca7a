"""rnn_lab/train/cli_data.py: the train command prepares its data through the app's path, so the same settings give
the same windows, splits and vocabulary (and the same training numbers) on the command line and in the app."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import ROOT, upload

from rnn_lab.cli import build_parser, main
from rnn_lab.data.from_values import prepare_from_values
from rnn_lab.data.settings import source_defaults
from rnn_lab.settings import defaults
from rnn_lab.tasks import task_defaults
from rnn_lab.train.cli_data import load_data, task_of_args

SPLITS = ("train", "val", "test")


def cli_prepared(argv: list[str]):
    args = build_parser().parse_args(["train", *argv])
    return load_data(args, task_of_args(args))


def app_values(task: str, kind: str, **chosen) -> dict:
    """A session's settings after picking ``task``, then the source ``kind`` (the pages' on_change callbacks apply
    task_defaults and source_defaults), then the values the user set."""
    values = {**defaults(), "task": task, **task_defaults(task), "data_source_kind": kind}
    picked = {k: chosen[k] for k in ("data_toy", "data_bundled", "data_text") if k in chosen}
    if kind != "toy" or task == "forecast":  # the classification toy has no series defaults
        values.update(
            source_defaults(
                kind,
                picked.get("data_toy", "counting"),
                picked.get("data_bundled", "samsung"),
                text=picked.get("data_text", "tiny-en"),
            )
        )
    values.update(chosen)
    return values


def assert_same_data(a, b) -> None:
    assert type(a) is type(b) and a.task == b.task and a.source == b.source and a.window == b.window
    assert a.split_sizes == b.split_sizes
    for split in SPLITS:
        np.testing.assert_array_equal(a.X(split), b.X(split))
        np.testing.assert_array_equal(a.y(split), b.y(split))
    assert a.vocab_size == b.vocab_size and a.class_names == b.class_names
    for attr in ("vocab", "idx_train", "idx_test", "features", "target", "currency"):
        if hasattr(a, attr):
            assert np.array_equal(np.asarray(getattr(a, attr)), np.asarray(getattr(b, attr))), attr
    if hasattr(a, "scaler"):
        np.testing.assert_array_equal(a.scaler.offset, b.scaler.offset)
        np.testing.assert_array_equal(a.scaler.scale, b.scaler.scale)


CASES = {
    "toy": (["--data", "toy:sine"], app_values("forecast", "toy", data_toy="sine")),
    "bundled": (
        ["--data", "bundled:airline", "--window", "6", "--scaling", "standard", "--horizon", "2"],
        app_values(
            "forecast",
            "bundled",
            data_bundled="airline",
            data_window=6,
            data_scaling="standard",
            data_horizon=2,
        ),
    ),
    "features": (
        ["--data", "bundled:samsung", "--features", "Close,Volume", "--val", "0.1"],
        app_values("forecast", "bundled", data_bundled="samsung", data_features="Close,Volume", data_val_frac=0.1),
    ),
    "digits": (
        ["--data", "digits:mnist", "--limit-train", "100"],
        app_values("classify", "digits", data_digits_limit=100),
    ),
    "class_toy": (
        ["--data", "toy:first_vs_last", "--samples", "100", "--window", "8", "--val", "0.15", "--test", "0.15"],
        app_values(
            "classify",
            "toy",
            data_class_toy_samples=100,
            data_class_toy_length=8,
            data_val_frac=0.15,
            data_test_frac=0.15,
        ),
    ),
    "next_token": (
        ["--data", "text:tiny-ko", "--tokens", "word", "--val", "0.25"],
        app_values("next_token", "text", data_text="tiny-ko", data_text_tokens="word", data_val_frac=0.25),
    ),
    "sentiment": (
        ["--data", "text:nsmc", "--limit-train", "200", "--maxlen", "20"],
        app_values("classify", "text", data_text="nsmc", data_text_limit=200, data_text_maxlen=20),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_the_command_prepares_what_the_app_prepares(case):
    argv, values = CASES[case]
    assert_same_data(cli_prepared(argv), prepare_from_values(values))


def test_an_uploaded_file_gives_the_data_pages_dataset(app_test):
    """A cp949 broker export whose last row is a day still trading: the Data page reads it, picks its target and a
    window that fits 9 rows, drops the incomplete row; the command does the same with the file."""
    name = "broker_005930_open_only_cp949.csv"
    at = upload(app_test(page="app_pages/data.py"), name)
    assert not at.exception
    page = at.session_state["prepared"]
    assert page.source == f"upload:{name}"
    assert_same_data(cli_prepared(["--data", str(ROOT / "tests" / "fixtures" / name)]), page)


def test_the_command_trains_the_train_pages_numbers(keras, capsys):
    """The same tiny settings through ``train --json`` and through the Train page's call (execute with the
    configs of the session's settings): the same losses and scores, to the last digit."""
    from rnn_lab.arch.settings import config_from_values as arch_config
    from rnn_lab.train.runs import execute
    from rnn_lab.train.settings import config_from_values as train_config

    argv = "--data toy:sine --units 3 --epochs 2 --batch-size 32 --lr 0.01 --seed 4 --json".split()
    assert main(["train", *argv]) == 0
    cli = json.loads(capsys.readouterr().out)
    values = app_values("forecast", "toy", data_toy="sine", arch_units_1=3, train_epochs=2, train_batch_size=32)
    values.update(train_lr=0.01, train_seed=4)
    prepared = prepare_from_values(values)
    run = execute(prepared, arch_config(values), train_config(values))
    assert cli["history"]["loss"] == [float(v) for v in run.history["loss"]]
    assert cli["metrics"]["model"]["rmse"] == run.metrics["model"]["rmse"]
    assert cli["metrics"]["naive"]["rmse"] == run.metrics["naive"]["rmse"]


def test_a_bad_file_is_one_plain_line(tmp_path, capsys):
    bad = {"photo.csv": b"\x89PNG\r\n\x1a\n" + bytes(64), "empty.csv": b"", "words.csv": b"a,b\nx,y\nz,w\nu,v\n"}
    for name, data in bad.items():
        (tmp_path / name).write_bytes(data)
        assert main(["train", "--data", str(tmp_path / name)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error:") and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
