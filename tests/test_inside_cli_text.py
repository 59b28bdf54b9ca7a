"""`python -m rnn_lab inside` on text: tiny-ko next_token (a typed sentence) and NSMC sentiment, checked against
the library and Keras; bad input exits 2 with one plain line."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rnn_lab.cli import main

TINY_KO = ["--task", "next_token", "--data", "text:tiny-ko", "--cell", "GRU", "--units", "6", "--embedding-dim", "4"]


def _json(capsys, *args) -> dict:
    assert main(["inside", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_next_token_typed_sentence_matches_keras(keras, capsys):
    from rnn_lab.arch.config import ArchConfig, training_variant
    from rnn_lab.arch.keras_model import build_model
    from rnn_lab.data.text import prepare_text
    from rnn_lab.inside.numpy_rnn import keras_output
    from rnn_lab.inside.text import encode_sentence

    report = _json(capsys, *TINY_KO, "--sentence", "나는 학교Z", "--step", "2")
    assert report["task"] == "next_token" and report["max_abs_diff"] < 1e-5
    assert report["text"]["tokens"][:6] == ["나", "는", " ", "학", "교", "[UNK]"] and report["text"]["unknown"] == ["Z"]
    assert report["data"]["source"] == "text:tiny-ko" and report["data"]["padding"] == "post"
    assert report["layer"]["features"] == 4 and len(report["directions"][0]["values"]["h"]) == 6
    # the same data and seeded model in the library: Keras' softmax after step 2 and after the 6th token
    data = prepare_text("tiny-ko", maxlen=40, padding="post", task="next_token")
    arch = training_variant(ArchConfig(cell="GRU", units=(6,), embedding_dim=4), data)
    ids = encode_sentence(data, "나는 학교Z").ids
    assert report["text"]["ids"] == ids.tolist()
    probs = keras_output(build_model(arch, seed=0), ids)[0]  # (T, V)
    for row, top in ((1, report["next_token"]["top"]), (5, report["next_token"]["after_sentence"])):
        best = np.argsort(-probs[row])[:5]
        assert [tok for tok, _ in top] == [data.vocab.tokens[i] for i in best]
        np.testing.assert_allclose([p for _, p in top], probs[row, best], atol=1e-5)
    assert len(report["embedding"]["explained"]) == 2 and 0 < sum(report["embedding"]["explained"]) <= 1


def test_nsmc_sentiment_decision_and_plain_text(keras, capsys):
    args = ["--data", "text:nsmc", "--limit-train", "100", "--maxlen", "15", "--mask-zero", "--cell", "LSTM"]
    report = _json(capsys, *args, "--units", "4", "--split", "val", "--index", "2")
    assert report["task"] == "classify" and report["text"]["mask_zero"] is True
    dec = report["decision"]
    assert dec["class_names"] == ["negative", "positive"] and dec["true"] in dec["class_names"]
    assert len(dec["probabilities"]) == 15 and dec["max_abs_diff_at_T"] < 1e-5
    np.testing.assert_allclose(dec["probabilities"][-1], report["prediction"], atol=1e-12)
    assert main(["inside", *args, "--units", "4", "--step", "15"]) == 0
    out = capsys.readouterr().out
    assert "embedding PCA" in out and "class probabilities if the sequence stopped at t" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([*TINY_KO, "--sentence", "   "], "empty"),
        (["--data", "toy:sine", "--sentence", "hello"], "--sentence reads text"),
        (["--task", "next_token", "--data", "text:nsmc"], "fits --task classify"),
        ([*TINY_KO, "--maxlen", "0"], "--maxlen: 0 is below the minimum 1"),
    ],
)
def test_bad_text_input_exits_2_with_a_plain_line(keras, capsys, args, message):
    assert main(["inside", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
