"""The command line on text: `train --task next_token|classify --data text:...` and `generate` (JSON contracts)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cli(*args):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "rnn_lab", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
        check=False,
    )


def test_next_token_train_save_and_generate(tmp_path):
    model = tmp_path / "lm.keras"
    out = cli(
        "train", "--task", "next_token", "--data", "text:tiny-en", "--tokens", "char", "--cell", "LSTM",
        "--units", "48", "--embedding-dim", "16", "--epochs", "200", "--lr", "0.01", "--batch-size", "8",
        "--save", str(model), "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert set(res) >= {"task", "config", "n_train", "n_val", "n_test", "history", "metrics", "train_seconds"}
    assert res["task"] == "next_token" and res["n_train"] == 8
    assert res["config"]["text"] == {
        "tokens": "char", "maxlen": 40, "padding": "post", "truncating": "pre", "vocab_size": 28,
    }  # fmt: skip
    # [PAD], [UNK], [END] + 25 characters
    assert res["config"]["arch"]["embedding_vocab"] == 28 and res["config"]["arch"]["return_sequences"]
    assert (
        set(res["history"]) == {"loss", "val_loss", "accuracy", "val_accuracy"} and len(res["history"]["loss"]) == 200
    )
    m = res["metrics"]
    assert set(m["model"]) == {"accuracy", "loss", "perplexity"}
    assert set(m["baseline"]) == {"accuracy", "loss", "perplexity", "token", "token_text"}
    assert m["baseline"]["token_text"] == " " and m["verdict"] == "beats"
    assert res["saved"] == {"model": str(model), "vocab": str(tmp_path / "lm.vocab.json")}
    gen = cli("generate", "--run", str(model), "--prompt", "she", "--length", "40", "--temperature", "0", "--json")
    assert gen.returncode == 0, gen.stderr
    g = json.loads(gen.stdout)
    assert set(g) == {"prompt", "text", "tokens", "ids", "steps", "ended", "temperature", "seed"}
    # the line, then [END]: 25 characters and the end, well before --length 40
    assert g["text"] == "she reads a book every night" and g["ended"] and len(g["steps"]) == 26
    assert len(g["steps"][0]["top"]) == 5 and set(g["steps"][0]["top"][0]) == {"token", "id", "p"}
    plain = cli("generate", "--run", str(model), "--prompt", "we", "--length", "5", "--temperature", "0.8")
    assert plain.returncode == 0 and plain.stdout.startswith("we")


def test_sentiment_train_json_and_korean_file(tmp_path):
    out = cli(
        "train", "--data", "text:nsmc", "--limit-train", "300", "--maxlen", "20", "--cell", "GRU", "--units", "8",
        "--epochs", "1", "--mask-zero", "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert res["task"] == "classify" and res["config"]["class_names"] == ["negative", "positive"]
    assert res["n_test"] == 5000 and res["config"]["text"]["padding"] == "pre"
    assert res["config"]["arch"]["mask_zero"] is True and res["metrics"]["baseline"]["accuracy"] == 0.5
    own = tmp_path / "korean.txt"
    own.write_bytes("나는 구글에서 일한다\n우리는 밥을 먹는다\n".encode("cp949"))
    out = cli("train", "--data", f"text:{own}", "--tokens", "word", "--epochs", "2", "--json")
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert res["config"]["data"] == "text:own" and res["config"]["text"]["vocab_size"] == 9  # 6 words + 3 special


def test_text_bad_input_is_one_line():
    for args, words in (
        (("train", "--task", "next_token", "--data", "text:nsmc"), "fits --task classify"),
        (("train", "--task", "next_token", "--data", "toy:counting"), "reads text"),
        (("train", "--data", "text:no-such-file.txt"), "no such text file"),
        (("train", "--data", "text:tiny-ko", "--maxlen", "0"), "--maxlen: 0 is below the minimum 1"),
        (("generate", "--run", "missing.keras", "--prompt", "x"), "no such model file"),
    ):
        out = cli(*args)
        assert out.returncode == 2, (args, out.stderr)
        assert words in out.stderr and "Traceback" not in out.stderr
