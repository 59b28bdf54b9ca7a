"""``python -m rnn_lab summary``: table, --json, and exit status 2 with one line for bad input."""

import json
import subprocess
import sys

import pytest
from helpers import ROOT

from rnn_lab.cli import main


def test_json_in_a_real_process():
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "rnn_lab",
            "summary",
            "--cell",
            "SimpleRNN",
            "--units",
            "10",
            "--timesteps",
            "5",
            "--features",
            "1",
            "--return-sequences",
            "--dense",
            "1",
            "--json",
        ],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["total_params"] == 120 + 11
    first, dense = report["layers"]
    assert set(first) == {"name", "type", "output_shape", "params", "formula_params", "formula"}
    assert (first["type"], first["output_shape"], first["params"], first["formula_params"]) == (
        "SimpleRNN",
        "(None, 5, 10)",
        120,
        120,
    )
    assert first["formula"] == "10*10 + 10*1 + 10 = 120"
    assert (dense["output_shape"], dense["params"]) == ("(None, 5, 1)", 11)


def test_table_and_stacked_bidirectional(keras, capsys):
    argv = [
        "summary",
        "--cell",
        "SimpleRNN",
        "--units",
        "3",
        "--timesteps",
        "2",
        "--features",
        "10",
        "--batch-size",
        "8",
    ]
    assert main(argv) == 0
    table = capsys.readouterr().out
    assert "simple_rnn_1 (SimpleRNN)" in table and "(8, 3)" in table and "3*3 + 3*10 + 3 = 42" in table
    assert "Total params: 42" in table
    argv = [
        "summary",
        "--cell",
        "GRU",
        "--units",
        "4",
        "--units",
        "2",
        "--bidirectional",
        "--merge-mode",
        "ave",
        "--return-state",
        "--json",
    ]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert all(layer["params"] == layer["formula_params"] for layer in report["layers"])
    assert report["layers"][1]["output_shape"] == "[(None, 2), (None, 2), (None, 2)]"


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--units", "0"], "units per layer must be whole numbers from 1 to 1024"),
        (["--units", "5000"], "from 1 to 1024"),
        (["--units", "1"] * 5, "1 to 4 layer sizes"),
        (["--timesteps", "0"], "timesteps must be a whole number from 1 to 1000"),
        (["--dropout", "1"], "0 <= dropout < 1"),
        (["--cell", "RNN"], "invalid choice"),
        (["--units", "ten"], "invalid int value"),
        (["--merge-mode", "sum"], "only applies with --bidirectional"),
        (
            [
                "--cell",
                "LSTM",
                "--units",
                "1024",
                "--units",
                "1024",
                "--units",
                "1024",
                "--bidirectional",
                "--features",
                "64",
            ],
            "59,269,120 parameters",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(argv, words, capsys):
    with pytest.raises(SystemExit) as exc:  # argparse errors exit directly
        code = main(["summary", *argv])
        raise SystemExit(code)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and words in err
    assert "Traceback" not in err


def test_bad_input_in_a_real_process_prints_no_traceback():
    out = subprocess.run(
        [sys.executable, "-m", "rnn_lab", "summary", "--units", "0"],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == ["error: units per layer must be whole numbers from 1 to 1024; got 0"]


def test_summary_of_a_conv1d_classifier(keras, capsys):
    argv = (
        "summary --layer conv1d --filters 16 --kernel-size 3 --timesteps 28 --features 28 --dense 10 --softmax --json"
    )
    assert main(argv.split()) == 0
    report = json.loads(capsys.readouterr().out)
    assert [(r["name"], r["params"], r["formula"]) for r in report["layers"]] == [
        ("conv1d", 1360, "3*28*16 + 16 = 1360"),
        ("max_pooling1d", 0, "0"),
        ("flatten", 0, "0"),
        ("dense", 2090, "208*10 + 10 = 2090"),
    ]
    assert main("summary --layer conv1d --kernel-size 9 --timesteps 5".split()) == 2
    assert "must not exceed timesteps" in capsys.readouterr().err
