"""The `train` command (JSON contract, bad input) and the exported standalone script (same final loss)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run_exported_script
from helpers import train_cli as cli

ROOT = Path(__file__).resolve().parent.parent


def test_cli_json_on_counting():
    out = cli("--data", "toy:counting", "--epochs", "4", "--json")
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert set(res) >= {
        "config",
        "n_train",
        "n_val",
        "n_test",
        "history",
        "metrics",
        "train_seconds",
    }
    assert (res["n_train"], res["n_val"], res["n_test"]) == (10, 0, 0)
    assert len(res["history"]["loss"]) == 4 and res["history"]["val_loss"] == []
    assert res["metrics"]["split"] == "train"  # no test split: scored on the training windows, and says so
    assert res["metrics"]["naive"]["rmse"] == pytest.approx(0.1)
    assert set(res["metrics"]["model"]) == {"mse", "rmse", "mae", "mape"}
    assert res["metrics"]["skill"] == pytest.approx(1 - res["metrics"]["model"]["rmse"] / 0.1)
    assert res["config"]["train"]["epochs"] == 4 and res["config"]["batch_size_used"] == 10
    assert 0 < res["train_seconds"] < 120
    assert res["metrics"]["mape_note"] is None and res["metrics"]["model"]["mape"] > 0  # labels 0.5 .. 1.4


def test_cli_json_gives_no_mape_on_a_series_that_crosses_zero():
    out = cli("--data", "toy:sine", "--epochs", "1", "--window", "10", "--json")
    assert out.returncode == 0, out.stderr
    m = json.loads(out.stdout)["metrics"]
    assert m["model"]["mape"] is None and m["naive"]["mape"] is None and m["mape_note"] == "crosses_zero"
    assert m["model"]["rmse"] > 0
    text = cli("--data", "toy:sine", "--epochs", "1", "--window", "10")
    assert text.returncode == 0, text.stderr
    assert "MAPE n/a: MAPE (—) is not shown: the actual values change sign" in text.stdout


def test_cli_csv_with_target_and_features(tmp_path):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "Date": pd.date_range("2020-01-01", periods=120, freq="D").strftime("%Y-%m-%d"),
            "Close": 100 + np.cumsum(rng.normal(size=120)),
            "Volume": rng.integers(1000, 2000, 120),
        }
    )
    path = tmp_path / "prices.csv"
    frame.to_csv(path, index=False)
    out = cli(
        "--data",
        str(path),
        "--target",
        "Close",
        "--features",
        "Close,Volume",
        "--window",
        "10",
        "--cell",
        "GRU",
        "--units",
        "4",
        "--epochs",
        "2",
        "--batch-size",
        "16",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert res["config"]["features"] == ["Close", "Volume"] and res["config"]["arch"]["features"] == 2
    assert res["n_test"] > 0 and res["metrics"]["split"] == "test" and len(res["history"]["val_loss"]) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--data", "toy:nope"], "unknown toy"),
        (["--data", "missing.csv"], "no such file"),
        (["--data", "toy:counting", "--window", "20"], "needs at least"),
        (["--data", "toy:counting", "--epochs", "0"], "epochs"),
        (["--data", "toy:sine", "--target", "Close"], "no column"),
    ],
)
def test_cli_bad_input_is_one_line_exit_2(args, message):
    out = cli(*args)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr and out.stderr.startswith("error:")
    assert message in out.stderr


def test_exported_script_reaches_the_same_final_loss(keras, tmp_path):
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.data.prepare import prepare
    from rnn_lab.data.toys import make_toy
    from rnn_lab.train import export
    from rnn_lab.train.engine import TrainConfig
    from rnn_lab.train.runs import execute

    p = prepare(
        make_toy("noisy_sine", length=200),
        "value",
        window=12,
        val_frac=0.15,
        test_frac=0.15,
        scaling="minmax",
        source="toy:noisy_sine",
    )
    run = execute(
        p,
        ArchConfig(cell="GRU", units=(6,)),
        TrainConfig(epochs=4, batch_size=16, seed=2),
    )
    (tmp_path / "train_rnn_lab.py").write_text(export.script(run))
    (tmp_path / export.DATA_FILE).write_bytes(export.data_csv(run))
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run(
        [sys.executable, "train_rnn_lab.py"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    final = json.loads(out.stdout.split("final losses:")[1].splitlines()[0])
    assert final["loss"] == pytest.approx(run.final_loss, rel=0.01)
    assert final["val_loss"] == pytest.approx(run.history["val_loss"][-1], rel=0.01)
    # the other export files
    assert export.history_csv(run).decode().splitlines()[0] == "epoch,loss,val_loss"
    assert (
        export.predictions_csv(run).decode().splitlines()[0] == "split,index,actual,predicted,naive,filled"
    )  # filled: a label cleaning filled in, not scored
    import io
    import zipfile

    import keras as k

    path = tmp_path / "m.keras"
    path.write_bytes(export.model_bytes(run))
    reloaded = k.models.load_model(path)
    x = p.X_test[:3]
    assert abs(reloaded.predict(x, verbose=0) - run.model.predict(x, verbose=0)).max() < 1e-6
    names = zipfile.ZipFile(io.BytesIO(export.zip_bundle(run))).namelist()
    assert sorted(names) == sorted(["train_rnn_lab.py", export.DATA_FILE])
    # the script imports nothing beyond tensorflow/keras, numpy, pandas and the standard library
    imports = {
        line.split()[1].split(".")[0]
        for line in export.script(run).splitlines()
        if line.startswith(("import ", "from "))
    }
    assert imports <= {"base64", "io", "json", "os", "sys", "keras", "numpy", "pandas", "tensorflow"}


def test_classify_digits_json_has_accuracy_baseline_and_confusion(keras):
    """python -m rnn_lab train --task classify --data digits:mnist ... --json (in-process, a small subset)."""
    import contextlib
    import io
    import json

    from rnn_lab.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(
            "train --task classify --data digits:mnist --limit-train 200 --cell LSTM --units 8 --epochs 1 --json".split()
        )
    assert code == 0
    d = json.loads(out.getvalue())
    assert d["task"] == "classify" and (d["n_train"], d["n_val"], d["n_test"]) == (180, 20, 2000)
    assert set(d["history"]) == {"loss", "val_loss", "accuracy", "val_accuracy"} and len(d["history"]["accuracy"]) == 1
    m = d["metrics"]
    assert m["baseline"] == {"accuracy": 0.1135, "class": 1}  # 227 "1"s among the 2,000 test digits
    assert len(m["confusion"]) == 10 and sum(map(sum, m["confusion"])) == 2000
    assert len(m["model"]["recall"]) == 10 and 0 <= m["model"]["accuracy"] <= 1
    assert (
        d["config"]["arch"]["head_activation"] == "softmax" and d["config"]["params"] == 4 * (8 * 8 + 8 * 28 + 8) + 90
    )


def test_classify_cli_families_and_bad_input(keras, capsys):
    from rnn_lab.cli import main

    assert main("train --data digits:mnist --limit-train 100 --family conv1d --epochs 1".split()) == 0
    text = capsys.readouterr().out
    assert "Conv1D(16, 3)" in text and "majority baseline 0.1135" in text and "recall per class" in text
    assert main("train --task classify --data bundled:samsung".split()) == 2
    assert "needs labelled data" in capsys.readouterr().err
    assert main("train --data digits:mnist --loss mse --epochs 1".split()) == 2
    assert "does not fit the task classify" in capsys.readouterr().err


def test_compare_rows_for_both_tasks(keras, capsys):
    import json

    from rnn_lab.cli import main

    argv = "compare --data digits:mnist --limit-train 100 --models SimpleRNN,Conv1D,Dense --units 4 --epochs 1 --json"
    assert main(argv.split()) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["task"] == "classify" and [r["model"] for r in d["rows"]] == ["SimpleRNN(4)", "Conv1D(16, 3)", "Dense(32)"]
    assert d["rows"][0]["params"] == (4 * 4 + 4 * 28 + 4) + (4 * 10 + 10)
    assert all(r["metric"] == "accuracy" and r["baseline_accuracy"] == 0.1135 for r in d["rows"])
    assert main("compare --data toy:counting --models GRU,Dense --epochs 1 --json".split()) == 0
    f = json.loads(capsys.readouterr().out)
    assert f["task"] == "forecast" and all("rmse" in r and "accuracy" not in r for r in f["rows"])
    assert main("compare --data digits:mnist --models LSTM,Transformer".split()) == 2
    assert "--models takes" in capsys.readouterr().err


def test_exported_script_of_a_digit_classifier_and_of_a_conv1d_forecaster(keras, tmp_path):
    """Classify runs export their exact splits (.npz) and a script that reaches the same loss and accuracy; a
    Conv1D (or Dense) run's script builds that family, not a recurrent stack."""
    import io
    import zipfile

    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.data.digits import prepare_digits
    from rnn_lab.train import export
    from rnn_lab.train.engine import TrainConfig
    from rnn_lab.train.runs import execute

    digits = prepare_digits(limit=120, val_frac=0.1)
    run = execute(
        digits,
        ArchConfig(cell="LSTM", units=(8,), timesteps=28, features=28, dense_units=10, head_activation="softmax"),
        TrainConfig(epochs=2, batch_size=32, seed=1, loss="sparse_categorical_crossentropy"),
    )
    out = run_exported_script(run, tmp_path)
    final = json.loads(out.split("final losses:")[1].splitlines()[0])
    assert final["loss"] == pytest.approx(run.final_loss, rel=0.01)
    assert final["accuracy"] == pytest.approx(run.history["accuracy"][-1], abs=0.01)
    accuracy = json.loads(out.split("test accuracy:")[1].split("(")[0])
    assert accuracy == pytest.approx(run.metrics["model"]["accuracy"], abs=0.005)
    head = export.predictions_csv(run).decode().splitlines()[0]
    assert head.startswith("split,position,index,actual,predicted,p_0") and head.endswith("p_9")
    names = zipfile.ZipFile(io.BytesIO(export.zip_bundle(run))).namelist()
    assert sorted(names) == sorted(["train_rnn_lab.py", "rnn_lab_data.npz"])

    from helpers import counting

    conv = execute(counting(), ArchConfig(family="conv1d", filters=4, kernel_size=2), TrainConfig(epochs=3, seed=0))
    (tmp_path / "conv").mkdir()
    final = json.loads(run_exported_script(conv, tmp_path / "conv").split("final losses:")[1].splitlines()[0])
    assert final["loss"] == pytest.approx(conv.final_loss, rel=0.01)
