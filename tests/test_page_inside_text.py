"""The Inside page on text: a tiny-ko sentence (next_token) and an NSMC review (classify), token by token."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

PAGE = "app_pages/inside.py"


def _state(task: str, text: str, **extra) -> dict:
    """What a user's flow sets: the task with its defaults (tasks.task_defaults), the text source, a tiny model."""
    from rnn_lab.data.settings import source_defaults
    from rnn_lab.tasks import task_defaults

    values = {"task": task, **task_defaults(task), "data_source_kind": "text", "data_text": text}
    values.update(source_defaults("text", text=text))
    values.update({"arch_units_1": 6, "arch_embedding_dim": 4, **extra})
    return values


def _values(values) -> np.ndarray:
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values)


def _chart(at, key: str) -> dict:
    (chart,) = [json.loads(el.proto.spec) for el in at.get("plotly_chart") if key in el.proto.id]
    return chart


def _title(chart: dict) -> str:
    return chart["layout"].get("title", {}).get("text", "")


def _entry_and_model(at):
    key = next(k for k in at.session_state["inside_traces"] if k[0] != "pca")
    return at.session_state["inside_traces"][key], at.session_state["inside_models"][key[0]]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_next_token_tiny_ko_step_through(keras, app_test, lang):
    at = app_test(page=PAGE, lang=lang, inside_step=3, inside_section="grad", **_state("next_token", "tiny-ko"))
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    prepared = at.session_state["prepared"]
    assert prepared.source == "text:tiny-ko" and prepared.input_kind == "tokens"
    ids = (
        prepared.X("train")[0]
        if at.session_state["inside_split"] == "train"
        else prepared.X(at.session_state["inside_split"])[int(at.session_state["inside_window"])]
    )
    entry, model = _entry_and_model(at)
    assert entry["delta"] < 1e-5  # NumPy == Keras on every step's softmax
    from rnn_lab.inside.numpy_rnn import keras_output
    from rnn_lab.inside.text import step_tokens

    tokens = step_tokens(prepared.vocab, ids)
    sentence = _chart(at, "inside_fig_sentence")
    assert sentence["layout"]["shapes"][2]["line"]["width"] == 3  # box of step t = 3 highlighted
    shown = list(sentence["data"][0]["text"])
    assert shown[2] == ("␣" if tokens[2] == " " else tokens[2]) and any("가" <= c <= "힣" for c in "".join(shown))
    nxt = _chart(at, "inside_fig_next")
    probs = keras_output(model, ids)[0, 2]  # Keras' softmax after reading step 3
    best = np.argsort(-probs)[:5]
    np.testing.assert_allclose(_values(nxt["data"][0]["x"]), probs[best], atol=1e-5)
    assert ("most likely next tokens" in _title(nxt)) == (lang == "en")
    heat = _chart(at, "inside_fig_time_forward")
    assert len(heat["layout"]["xaxis"]["ticktext"]) == prepared.window  # one token under every step
    emb = _chart(at, "inside_fig_embedding")
    assert len(_values(emb["data"][0]["x"])) == prepared.vocab_size - 2  # every token but [PAD] and [END]
    labels = list(emb["data"][0]["text"])
    assert "[UNK]" in labels and any(lab and "가" <= lab[0] <= "힣" for lab in labels)
    from rnn_lab.inside.connectivity import token_connectivity
    from rnn_lab.inside.text import last_token_step

    conn = _chart(at, "inside_fig_conn")  # the vanishing gradient on the sentence: ||dŷ/de_t|| under its tokens
    expected = token_connectivity(model, ids, at=last_token_step(ids))[0]
    np.testing.assert_allclose(_values(conn["data"][0]["y"]), expected, rtol=1e-5, atol=1e-9)
    assert len(conn["layout"]["xaxis"]["ticktext"]) == prepared.window and np.all(expected[ids == 0] == 0)
    headings = " ".join(s.value for s in at.subheader) + " ".join(c.value for c in at.caption)
    assert "window" not in headings.lower() and "윈도" not in headings
    metric = next(
        m for m in at.metric if m.label == ("Next token after the sentence" if lang == "en" else "문장 다음에 올 토큰")
    )
    assert metric.value.endswith("%") and " · " in metric.value  # the token and its probability


def test_typed_sentence_unknown_tokens_and_empty_text(keras, app_test):
    first = app_test(page=PAGE, lang="ko", inside_text_from="typed", **_state("next_token", "tiny-ko"))
    assert not first.exception and not first.error  # nothing typed yet (a link): an invitation, not an error
    assert any("입력하세요" in i.value for i in first.info)
    at = app_test(
        page=PAGE, lang="ko", inside_text_from="typed", inside_sentence="나는 학교Z", **_state("next_token", "tiny-ko")
    )
    assert not at.exception, at.exception
    assert not at.error
    assert any("[UNK]" in c.value and "Z" in c.value for c in at.caption)
    sentence = _chart(at, "inside_fig_sentence")
    assert "Z" not in list(sentence["data"][0]["text"]) and "[UNK]" in list(sentence["data"][0]["text"])
    at.text_input(key="inside_sentence").set_value("   ").run()
    assert not at.exception, at.exception
    assert any("비어 있습니다" in e.value for e in at.error)  # a plain message ...
    assert _chart(at, "inside_fig_sentence")  # ... and the last sentence that could be read stays


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_classify_nsmc_running_probability(keras, app_test, lang):
    at = app_test(
        page=PAGE,
        lang=lang,
        inside_split="val",
        inside_window=1,
        inside_section="grad",
        **_state("classify", "nsmc", data_text_limit=100, data_text_maxlen=20, arch_mask_zero=True),
    )
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    prepared = at.session_state["prepared"]
    assert prepared.source == "text:nsmc"
    entry, model = _entry_and_model(at)
    from rnn_lab.inside.numpy_rnn import keras_output

    ids = prepared.X("val")[1]
    running = _chart(at, "inside_fig_running")
    p = _values(running["data"][0]["y"])
    assert len(p) == prepared.window
    np.testing.assert_allclose(p[-1], keras_output(model, ids)[0, 1], atol=1e-5)  # t = T: the model's P(positive)
    assert _chart(at, "inside_fig_conn")  # the sentence's connectivity to the verdict
    assert entry["decision"]["delta"] < 1e-5
    assert ("as the sentence is read" in _title(running)) == (lang == "en")
    # mask_zero: at the [PAD] steps in front the state stays h_0 = 0, so P is the head's bias there
    pads = int(np.sum(ids == 0))
    if pads > 1:
        np.testing.assert_allclose(p[:pads], p[0], atol=1e-12)
    assert any(("[PAD]" in c.value) for c in at.caption)


def test_a_trained_next_token_run_is_opened_with_its_learned_embeddings(keras, app_test):
    """The newest next_token run is opened on its own sentences: NumPy == Keras on the trained weights, the
    prediction before and after training, and the PCA map of the trained Embedding (not the initial one)."""
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.data.text import prepare_text
    from rnn_lab.inside.text import model_embedding_pca
    from rnn_lab.train.engine import TrainConfig
    from rnn_lab.train.runs import execute

    data = prepare_text("tiny-ko", maxlen=16, padding="post", task="next_token")
    arch = ArchConfig(cell="LSTM", units=(6,), embedding_dim=4, mask_zero=True)
    cfg = TrainConfig(epochs=2, learning_rate=0.02, seed=1, loss="sparse_categorical_crossentropy")
    run = execute(data, arch, cfg, name="ko-lstm", jit=False)
    at = app_test(page=PAGE, lang="ko", runs=[run], inside_section="before_after", **_state("next_token", "tiny-ko"))
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.session_state["inside_source"] == "run" and at.session_state["inside_run"] == "ko-lstm"
    entry = next(v for k, v in at.session_state["inside_traces"].items() if k[0][0] == "run" and "run" in v)
    assert entry["delta"] < 1e-5 and entry["run"].recurrent_layers[0].mask is not None
    emb = _chart(at, "inside_fig_embedding")
    expected = model_embedding_pca(run.model, data.vocab)
    np.testing.assert_allclose(_values(emb["data"][0]["x"]), expected.coords[:, 0], atol=1e-9)
    metrics = {m.label: m.value for m in at.metric}
    ids = data.X(at.session_state["inside_split"])[int(at.session_state["inside_window"])]
    last = int(np.flatnonzero(ids != 0)[-1])  # post padding: the sentence's last real token
    probs = entry["run"].output[0, last]  # (V,) softmax after it, trained weights
    best = data.vocab.tokens[int(np.argmax(probs))]
    best = "␣" if best == " " else best
    assert metrics["학습된 가중치의 예측값"] == f"{best} · {probs.max():.0%}"
    assert metrics["초기 가중치의 예측값"].endswith("%") and " · " in metrics["초기 가중치의 예측값"]
    assert metrics["문장 다음에 올 토큰"] == metrics["학습된 가중치의 예측값"]
    assert not any("초기 무작위 벡터" in c.value for c in at.caption)  # the untrained note is for untrained models


def test_bidirectional_text_model_says_sentence_and_why_there_is_no_running_probability(keras, app_test):
    at = app_test(
        page=PAGE,
        **_state("classify", "nsmc", data_text_limit=100, data_text_maxlen=12, arch_bidirectional=True),
    )
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    entry, _ = _entry_and_model(at)
    assert entry["delta"] < 1e-5
    (view,) = entry["step_views"].values()
    headings = [d["heading"] for d in view["directions"]]
    assert len(headings) == 2 and "sentence from its end" in headings[1] and "window" not in " ".join(headings)
    assert any("Bidirectional" in i.value for i in at.info)  # the running probability is not defined: said so
    assert not [el for el in at.get("plotly_chart") if "inside_fig_running" in el.proto.id]


def test_a_text_run_opened_while_the_active_data_are_digits_reads_its_own_sentences(keras, app_test):
    """Both classify: the NSMC run is offered on the digits page and opened on its own reviews (ids, not pixels)."""
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.data.text import prepare_text
    from rnn_lab.train.engine import TrainConfig
    from rnn_lab.train.runs import execute

    reviews = prepare_text("nsmc", maxlen=10, limit=100, val_frac=0.1, task="classify")
    cfg = TrainConfig(epochs=1, seed=0, loss="sparse_categorical_crossentropy")
    run = execute(reviews, ArchConfig(cell="GRU", units=(4,), embedding_dim=4), cfg, name="nsmc-gru", jit=False)
    digits = {"task": "classify", "data_source_kind": "digits", "data_digits_limit": 100, "data_val_frac": 0.1}
    at = app_test(page=PAGE, runs=[run], **digits)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.session_state["inside_run"] == "nsmc-gru"
    assert at.number_input(key="inside_window").label.startswith("Sentence number")
    assert _chart(at, "inside_fig_sentence") and _chart(at, "inside_fig_running")
    assert not [el for el in at.get("plotly_chart") if "inside_fig_row" in el.proto.id]  # no pixel rows
