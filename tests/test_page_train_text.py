"""The Train page on text (issue 11): a language model on the tiny corpora in English and Korean (the data and model
lines, the scores beside the unigram baseline, generation with the top 5 per step, bad prompts), sentiment on NSMC
(the reviews it gets most wrong), the prompt checks and the top-5 figure, the export of a text run, and compare."""

from __future__ import annotations

import io
import json
import math
import zipfile

import numpy as np
import pytest
from helpers import next_token_state

from rnn_lab import i18n
from rnn_lab.data.settings import source_defaults
from rnn_lab.data.text import tokenize
from rnn_lab.tasks import arch_defaults, task_defaults


def charts(at) -> dict:
    """The page's figures by title (the first of two with one title: the comparison before the runs' expander)."""
    out = {}
    for c in at.get("plotly_chart"):
        spec = json.loads(c.proto.spec)
        out.setdefault(spec["layout"].get("title", {}).get("text", ""), spec)
    return out


def train(at) -> object:
    at.button(key="btn_train_start").click().run()
    at.session_state["job_train"].join(timeout=180)
    at.run()
    assert not at.exception, at.exception
    return at.session_state["runs"][-1]


@pytest.mark.parametrize(
    ("lang", "text", "tokens", "words"),
    [
        ("en", "tiny-en", "char", ("max length 40 tokens", "Unigram baseline", "Perplexity = e^(cross-entropy)")),
        (
            "ko",
            "tiny-ko",
            "word",
            ("최대 길이 40 토큰", "유니그램 기준선", "퍼플렉서티(perplexity) = e^(교차 엔트로피)"),
        ),
    ],
)
def test_language_model_trains_scores_against_unigram_and_generates(app_test, keras, lang, text, tokens, words):
    mask = lang == "en"  # on by default for a language model (rnn_lab.tasks.arch_defaults); off in the Korean case
    at = app_test(page="app_pages/train.py", lang=lang, **{**next_token_state(text, tokens), "arch_mask_zero": mask})
    assert not at.exception, at.exception
    page_text = " ".join(m.value for m in at.markdown)
    prepared = at.session_state["prepared"]
    v = prepared.vocab_size
    assert words[0] in page_text and "window" not in page_text  # the text's data line, not a series' window
    assert (
        f"Embedding({v}, 8{', mask_zero=True' if mask else ''})" in page_text
        and f'Dense({v}, activation="softmax")' in page_text
    )
    assert "SimpleRNN, LSTM, GRU" in at.button(key="btn_train_compare_all").label  # a language model: recurrent only
    run = train(at)
    assert run.task == "next_token" and len(run.history["loss"]) == 3
    m = run.metrics
    # the shown perplexity is e^(mean cross-entropy of Keras' own predictions over the real next tokens)
    X, y = prepared.X(m["split"]), prepared.y(m["split"])
    probs = run.model.predict(X, verbose=0)  # (n, T, V)
    real = y != 0
    p_true = np.clip(np.take_along_axis(probs, y[..., None], axis=-1)[..., 0][real], 1e-7, 1 - 1e-7)
    assert math.exp(-np.mean(np.log(p_true))) == pytest.approx(m["model"]["perplexity"], rel=1e-4)
    table = at.table[0].value
    assert words[1] in table.columns
    assert f"{m['model']['perplexity']:.2f}" in table.iloc[2].tolist()
    assert f"{m['baseline']['perplexity']:.2f}" in table.iloc[2].tolist()
    assert words[2] in " ".join(mk.value for mk in at.markdown)
    pad_note = i18n.t("text_train.pad_in_curves", lang)
    assert run.arch.mask_zero == mask
    assert any(c.value == pad_note for c in at.caption) != mask  # without the mask the curves count [PAD] too
    worst = at.table[1].value  # the lines it gets most wrong: training lines, highest cross-entropy first
    assert set(worst.iloc[:, 0]) <= set(prepared.texts(m["split"]))
    perplexities = [float(x) for x in worst.iloc[:, 3]]
    assert perplexities == sorted(perplexities, reverse=True)

    prompt_key = f"btn_text_prompt_{run.id}"
    prompt = at.text_input(key=prompt_key).value
    assert prompt == tokenize(prepared.texts("train")[0], tokens)[0]  # the first token of a training line
    at.number_input(key="btn_text_length").set_value(6)
    at.button(key="btn_text_generate").click().run()
    assert not at.exception, at.exception
    out = at.session_state["_text_generated"][run.id]
    assert len(out.steps) == 6 and at.code[0].value == out.text and out.text.startswith(prompt)
    fig = charts(at)[i18n.t("text_train.top5_title", lang)]
    heat = fig["data"][0]
    assert len(heat["y"]) == 6 and len(heat["x"]) == 5  # one row per step, the five most likely tokens across
    assert heat["text"][0][0].split()[0] == out.steps[0]["top"][0]["token"].replace(" ", "␣")
    assert len(fig["layout"]["shapes"]) == 6  # temperature 0: the chosen token is the most likely, boxed each row
    if lang == "ko":
        assert any("\uac00" <= ch <= "\ud7a3" for row in heat["text"] for cell in row for ch in cell)  # Hangul

    # bad prompts: a plain message each, and the last generated text stays
    for bad in ("   ", "zzqx qqq" if tokens == "word" else "ㅡ"):
        at.text_input(key=prompt_key).set_value(bad).run()
        at.button(key="btn_text_generate").click().run()
        assert not at.exception and len(at.error) >= 1
        assert at.code[0].value == out.text


def test_sentiment_on_nsmc_shows_the_reviews_it_gets_most_wrong(app_test, keras):
    state = task_defaults("classify")
    state.update(source_defaults("text", text="nsmc"))
    state.update(arch_defaults("classify", "text", maxlen=20))
    state.update(
        task="classify",
        data_source_kind="text",
        data_text="nsmc",
        data_text_limit=200,
        data_text_maxlen=20,
        train_epochs=2,
        arch_units_1=8,
    )
    at = app_test(page="app_pages/train.py", lang="ko", **state)
    assert not at.exception, at.exception
    page_text = " ".join(m.value for m in at.markdown)
    assert "최대 길이 20 토큰" in page_text and "Embedding(" in page_text and "Dense(2" in page_text
    run = train(at)
    assert run.task == "classify"
    reviews = next(tb.value for tb in at.table if "리뷰" in tb.value.columns)
    p_true = [float(x) for x in reviews["p(정답 클래스)"]]
    assert len(reviews) == 10 and p_true == sorted(p_true)
    assert set(reviews["리뷰"]) <= set(run.prepared.texts("test"))  # the test reviews' own words
    assert set(reviews["정답"]) <= {"negative", "positive"}
    assert at.text[0].value in run.prepared.texts("test")  # the picked mistake's review, as written
    titles = list(charts(at))
    assert not any("틀린 샘플" in x or "Mistakes" in x for x in titles)  # no digit images attempted


def test_prompt_checks_and_the_top5_figure():
    from rnn_lab.data.text import Vocab
    from rnn_lab.train.text_views import prompt_problem, top5_figure, unknown_tokens

    vocab = Vocab(("[PAD]", "[UNK]", " ", "가", "나"), "char")
    assert prompt_problem(vocab, "") == ("text_train.err.empty_prompt", {})
    assert prompt_problem(vocab, "  \n ")[0] == "text_train.err.empty_prompt"
    assert prompt_problem(vocab, "xy")[0] == "text_train.err.unknown_prompt"
    assert prompt_problem(vocab, "가x") is None and unknown_tokens(vocab, "가x") == ["x"]
    words = Vocab(("[PAD]", "[UNK]", "우리는", "밥을"), "word")
    assert prompt_problem(words, "우리는 빵을") is None and unknown_tokens(words, "우리는 빵을") == ["빵을"]
    steps = [
        {
            "id": 3,
            "token": "가",
            "p": 0.6,
            "top": [{"token": "가", "id": 3, "p": 0.6}, {"token": " ", "id": 2, "p": 0.3}],
        },
        {
            "id": 2,
            "token": " ",
            "p": 0.3,
            "top": [{"token": "나", "id": 4, "p": 0.5}, {"token": " ", "id": 2, "p": 0.3}],
        },
        {"id": 1, "token": "[UNK]", "p": 0.01, "top": [{"token": "나", "id": 4, "p": 0.9}]},  # sampled, outside
    ]
    fig = top5_figure(steps, "ko")
    assert fig.data[0].text[1][1] == "␣ 0.30" and fig.data[0].y[1] == "2: ␣ (0.30)"
    boxes = [(s.x0 + 0.5, s.y0 + 0.5) for s in fig.layout.shapes]
    assert boxes == [(0, 0), (1, 1)]  # the chosen token's cell; step 3 chose a token outside the five: no box


def test_exported_script_of_a_language_model_reaches_the_same_loss(keras, tmp_path):
    """The .npz holds the token ids, the .json the vocabulary; the script builds Embedding(mask_zero) + GRU +
    Dense(V, softmax) on every step, reaches the app's loss, and decodes text with the vocabulary."""
    from helpers import run_exported_script

    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.data.text import prepare_text
    from rnn_lab.train import export
    from rnn_lab.train.engine import TrainConfig
    from rnn_lab.train.runs import execute

    p = prepare_text("tiny-ko", "char", maxlen=16, padding="post")
    run = execute(
        p,
        ArchConfig(cell="GRU", units=(6,), embedding_dim=4, mask_zero=True),
        TrainConfig(epochs=3, batch_size=4, seed=1, learning_rate=0.01, loss="sparse_categorical_crossentropy"),
    )
    (tmp_path / export.VOCAB_FILE).write_bytes(export.vocab_json(run))
    out = run_exported_script(run, tmp_path)
    final = json.loads(out.split("final losses:")[1].splitlines()[0])
    assert final["loss"] == pytest.approx(run.final_loss, rel=0.01)
    assert final["accuracy"] == pytest.approx(run.history["accuracy"][-1], abs=0.01)
    line = p.texts("train")[0]
    assert f"first training sample: {line}\n" in out  # the vocabulary decodes the ids (the whole line is read)
    assert "generated (temperature 0): " + line[0] in out
    names = zipfile.ZipFile(io.BytesIO(export.zip_bundle(run))).namelist()
    assert sorted(names) == sorted(["train_rnn_lab.py", "rnn_lab_data.npz", export.VOCAB_FILE])
    assert json.loads(export.vocab_json(run))["vocab"]["tokens"] == list(p.vocab.tokens)


def test_cli_compare_on_text(keras, capsys):
    from rnn_lab.cli import main

    assert main("compare --data text:tiny-ko --units 4 --embedding-dim 4 --epochs 1 --json".split()) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["task"] == "next_token" and [r["model"] for r in out["rows"]] == ["SimpleRNN(4)", "LSTM(4)", "GRU(4)"]
    assert all(r["metric"] == "perplexity" and r["baseline_perplexity"] > 1 for r in out["rows"])
    assert main("compare --data text:tiny-en --models GRU,Conv1D --epochs 1".split()) == 2
    assert "predicts at every step" in capsys.readouterr().err


@pytest.mark.parametrize(
    "bad",
    [
        {"data_text_own": ""},
        {"data_text_own": "ㅋ"},
        {"data_text_own": "ㅋ" * 30},
        {"data_text_maxlen": 0},
        {"data_text_vocab": 1},
        {"arch_family": "conv1d"},  # one answer per sample: no language model
    ],
    ids=["empty text", "one token", "one repeated character", "max length 0", "vocabulary of 1", "conv1d"],
)
def test_bad_text_is_a_plain_message_on_the_train_page(app_test, bad):
    state = {**next_token_state("own", "char"), "data_text_own": "가나다\n라마"}
    at = app_test(page="app_pages/train.py", lang="ko", **{**state, **bad})
    assert not at.exception, at.exception
    assert len(at.error) == 1 and "Traceback" not in at.error[0].value
    assert all(b.key != "btn_train_start" for b in at.button)  # the page stops before the Train button


def test_compare_on_a_language_model_trains_the_recurrent_cells_beside_the_unigram(app_test, keras):
    at = app_test(page="app_pages/train.py", **{**next_token_state("tiny-en", "char"), "train_epochs": 1})
    at.button(key="btn_train_compare_all").click().run()
    at.session_state["job_train"].join(timeout=300)
    at.run()
    assert not at.exception, at.exception
    runs = at.session_state["runs"]
    assert [r.arch.cell for r in runs] == ["SimpleRNN", "LSTM", "GRU"] and all(r.arch.embedding_vocab for r in runs)
    table = next(
        tb.value for tb in at.table if "Unigram perplexity" in tb.value.columns and "Model" in tb.value.columns
    )
    assert list(table["Model"]) == ["SimpleRNN(8)", "LSTM(8)", "GRU(8)"]
    bars = charts(at)["Perplexity beside the unigram baseline (lower is better)"]["data"]
    assert list(bars[0]["x"]) == list(table["Model"])
    assert bars[0]["y"] == pytest.approx([r.metrics["model"]["perplexity"] for r in runs])
    assert bars[1]["y"] == pytest.approx([r.metrics["baseline"]["perplexity"] for r in runs])
