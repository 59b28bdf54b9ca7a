"""The `inside` command: one step's hidden state and gates, equal to the library's NumPy run; bad input exits 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from helpers import ROOT

from rnn_lab.cli import main


def _json(capsys, *args) -> dict:
    assert main(["inside", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_issue_command_in_a_fresh_process():
    """`python -m rnn_lab inside --cell LSTM --units 8 --data toy:sine --window 20 --step 5 --json`."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT))
    args = ["--cell", "LSTM", "--units", "8", "--data", "toy:sine", "--window", "20", "--step", "5", "--json"]
    out = subprocess.run(
        [sys.executable, "-m", "rnn_lab", "inside", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["step"] == 5 and report["layer"]["kind"] == "lstm" and report["layer"]["units"] == 8
    (forward,) = report["directions"]
    values = forward["values"]
    assert list(values) == ["x", "h_prev", "c_prev", "i", "f", "g", "o", "c", "h"]
    assert all(len(values[k]) == 8 for k in ("h", "c", "i", "f", "g", "o"))
    assert all(0 <= v <= 1 for k in ("i", "f", "o") for v in values[k])  # sigmoid gates
    assert report["max_abs_diff"] < 1e-5
    assert report["data"] == {
        "source": "toy:sine",
        "target": "value",
        "features": ["value"],
        "window": 20,
        "scaling": "minmax",
        "split": "val",
        "index": 0,
    }


def test_values_are_the_library_run_of_that_window(keras, capsys):
    """Same data, same seeded model, same window: the numbers are run_model's at step t, the check is real."""
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.arch.keras_model import build_model
    from rnn_lab.data.prepare import prepare
    from rnn_lab.data.sources import load_toy
    from rnn_lab.inside.numpy_rnn import keras_output, run_model

    report = _json(capsys, "--cell", "GRU", "--units", "4", "--data", "toy:sine", "--split", "test", "--index", "3")
    prepared = prepare(load_toy("sine").frame, "value", window=20, val_frac=0.15, test_frac=0.15, scaling="minmax")
    window = prepared.X_test[3]
    model = build_model(ArchConfig(cell="GRU", units=(4,), timesteps=20, features=1), seed=0)
    run = run_model(model, window)
    trace = run.recurrent_layers[0].directions[0]
    assert report["step"] == 20  # default: the last step
    values = report["directions"][0]["values"]
    np.testing.assert_allclose(values["h"], trace.values["h"][0, 19], atol=1e-12)
    np.testing.assert_allclose(values["h_prev"], trace.values["h"][0, 18], atol=1e-12)
    np.testing.assert_allclose(values["z"], trace.values["z"][0, 19], atol=1e-12)
    np.testing.assert_allclose(report["prediction"], keras_output(model, window).ravel(), atol=1e-5)
    assert report["max_abs_diff"] < 1e-5


def test_bidirectional_stacked_layer_two(keras, capsys):
    report = _json(capsys, "--cell", "LSTM", "--units", "3", "2", "--bidirectional", "--data", "toy:counting")
    assert report["model"]["layers"] == ["bidirectional_1", "bidirectional_2", "dense"]
    assert [d["direction"] for d in report["directions"]] == ["forward", "backward"]
    assert report["data"]["split"] == "train"  # counting has no validation windows: the first split with some
    report = _json(
        capsys,
        "--cell",
        "LSTM",
        "--units",
        "3",
        "2",
        "--bidirectional",
        "--data",
        "toy:counting",
        "--layer",
        "2",
        "--step",
        "1",
    )
    assert report["layer"]["features"] == 6 and report["layer"]["units"] == 2  # the concat of 2 x 3 units
    backward = report["directions"][1]["values"]
    assert any(backward["h_prev"])  # its previous step is t + 1: at t = 1 it has already read steps 5..2


def test_text_output_names_the_step_and_the_check(keras, capsys):
    assert main(["inside", "--data", "toy:counting", "--step", "2"]) == 0
    out = capsys.readouterr().out
    assert "SimpleRNN(10), untrained, seed 0" in out and "step t = 2 of 5" in out
    assert "x       [  0.1000 ]" in out and "NumPy vs Keras max |Δ|" in out


def test_a_model_exported_from_the_train_page(keras, capsys, tmp_path):
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.data.prepare import prepare
    from rnn_lab.data.sources import load_toy
    from rnn_lab.inside.numpy_rnn import run_model
    from rnn_lab.train.engine import TrainConfig
    from rnn_lab.train.export import model_bytes
    from rnn_lab.train.runs import execute

    prepared = prepare(load_toy("sine").frame, "value", window=12, val_frac=0.15, test_frac=0.15, scaling="minmax")
    run = execute(
        prepared, ArchConfig(cell="LSTM", units=(4,), timesteps=12, features=1), TrainConfig(epochs=2), jit=False
    )
    path = tmp_path / "run.keras"
    path.write_bytes(model_bytes(run))  # the Train page's "model (.keras)" download
    report = _json(capsys, "--run", str(path), "--data", "toy:sine", "--window", "12", "--step", "6")
    assert report["model"]["source"] == "run" and report["layer"]["kind"] == "lstm"
    expected = run_model(run.model, prepared.X_val[0]).recurrent_layers[0].directions[0].values["h"][0, 5]
    np.testing.assert_allclose(report["directions"][0]["values"]["h"], expected, atol=1e-6)
    assert report["max_abs_diff"] < 1e-5
    assert main(["inside", "--run", str(path), "--data", "toy:sine", "--window", "20"]) == 2  # trained on 12 steps
    assert "expects windows of shape (12, 1)" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args, message",
    [
        (["--data", "toy:counting", "--step", "6"], "--step must be from 1 to 5"),
        (["--data", "toy:counting", "--step", "0"], "--step must be from 1 to 5"),
        (["--data", "toy:counting", "--index", "10"], "--index must be from 0 to 9"),
        (["--data", "toy:counting", "--split", "val"], "the validation split has no windows"),
        (["--data", "toy:counting", "--layer", "2"], "--layer must be from 1 to 1"),
        (["--data", "toy:nope"], "unknown toy 'nope'"),
        (["--data", "toy:counting", "--units", "0"], "units per layer"),
        (["--data", "toy:counting", "--run", "missing.keras"], "no such model file"),
        (["--data", "toy:counting", "--run", "x.keras", "--cell", "GRU"], "--run brings its own"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(keras, capsys, args, message):
    assert main(["inside", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_a_file_that_is_not_a_model(keras, capsys, tmp_path):
    bad = tmp_path / "notes.keras"
    bad.write_text("not a model")
    assert main(["inside", "--data", "toy:counting", "--run", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "cannot read" in err and err.count("\n") == 1


def test_classify_prints_the_probabilities_at_every_step(keras, capsys):
    """`--task classify --data digits:mnist`: the head on h_t for t = 1 .. 28, the last row equal to Keras."""
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.arch.keras_model import build_model
    from rnn_lab.data.digits import prepare_digits
    from rnn_lab.inside.decision import decision_through_time

    args = ["--task", "classify", "--data", "digits:mnist", "--cell", "GRU", "--units", "5", "--split", "test"]
    report = _json(capsys, *args, "--index", "7", "--limit-train", "40", "--seed", "2")
    assert report["task"] == "classify" and report["data"]["window"] == 28 and report["data"]["features"] == 28
    dec = report["decision"]
    probs = np.array(dec["probabilities"])
    assert probs.shape == (28, 10) and np.allclose(probs.sum(axis=1), 1.0)
    assert dec["max_abs_diff_at_T"] < 1e-5 and report["max_abs_diff"] < 1e-5
    np.testing.assert_allclose(probs[-1], report["prediction"], atol=1e-12)
    digits = prepare_digits(40, 0.1)
    assert dec["true"] == digits.class_names[int(digits.y("test")[7])]
    arch = ArchConfig(cell="GRU", units=(5,), timesteps=28, features=28, dense_units=10, head_activation="softmax")
    expected = decision_through_time(build_model(arch, seed=2), digits.X("test")[7])
    np.testing.assert_allclose(probs, expected, atol=1e-12)
    assert main(["inside", "--data", "toy:first_vs_last", "--units", "3"]) == 0  # task follows the data; text
    out = capsys.readouterr().out
    assert "class probabilities if the sequence stopped at t" in out and "prediction: class" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--task", "classify", "--data", "toy:sine"], "needs labelled data"),
        (["--task", "forecast", "--data", "digits:mnist"], "classification set"),
        (["--data", "digits:mnist", "--bidirectional", "--limit-train", "40"], "Bidirectional"),
    ],
)
def test_classify_bad_input_is_one_line_and_exit_2(keras, capsys, args, message):
    assert main(["inside", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
