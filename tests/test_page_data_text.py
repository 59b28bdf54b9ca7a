"""The Data page's text view (issue 11): next_token on the tiny corpora and own text, classify on NSMC, in English
and Korean; every bad input gives a plain message and keeps the last good dataset; an edited corpus becomes own
text; a link names own text but cannot carry it."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import ROOT
from streamlit.testing.v1 import AppTest

from rnn_lab import i18n, share
from rnn_lab.data import text_views as tv
from rnn_lab.data.text import pad_ids, prepare_text, tiny_corpus
from rnn_lab.tasks import task_defaults

DATA = "app_pages/data.py"
OWN = "the cat sat on the mat\nthe dog sat on the log\n"
NSMC = {"task": "classify", "data_source_kind": "text", "data_text": "nsmc", "data_text_limit": 200}


def next_token(text: str = "tiny-en", **more) -> dict:
    """Session values as a user who picked "Predict the next token" (and then a text) has them."""
    return {**task_defaults("next_token"), "task": "next_token", "data_text": text, **more}


def chart_keys(at) -> list[str]:
    return [c.proto.id for c in at.get("plotly_chart")]


def frame_with(at, column: str):
    """The table (st.dataframe or, in projection mode, st.table) that has ``column``."""
    return next(el.value for el in [*at.dataframe, *at.table] if column in el.value.columns)


def messages(at) -> str:
    return " ".join(e.value for e in [*at.error, *at.warning])


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("text", ["tiny-en", "tiny-ko", "own"])
def test_next_token_texts_are_shown_tokenised_and_padded(app_test, lang, text):
    own = {"data_text_own": OWN} if text == "own" else {}
    at = app_test(page=DATA, lang=lang, **next_token(text), **own)
    assert not at.exception and not at.error
    p = at.session_state["prepared"]
    assert p.task == "next_token" and p.source == f"text:{text}" and p.padding == "post"
    keys = " ".join(chart_keys(at))
    assert all(k in keys for k in ("text_vocab_chart", "text_pad_chart", "text_length_chart"))
    subheaders = [s.value for s in at.subheader]
    for key in ("tokens_header", "vocab_header", "pad_header", "length_header", "shift_header"):
        assert i18n.t(f"text_data.{key}", lang) in subheaders
    lines = next(m.value for m in at.markdown if m.value.startswith("1. "))
    first = {"tiny-en": "I work at google", "tiny-ko": "나는 구글에서 일한다", "own": "the cat sat on the mat"}[text]
    assert lines.split("\n")[0] == "1. " + " ".join(f"`{'␣' if c == ' ' else c}`" for c in first)  # 한: one token
    assert any(f"{p.vocab.size}" in m.value and "[PAD]" in m.value for m in at.markdown)
    shift = frame_with(at, i18n.t("text_data.col.input", lang))
    assert list(shift.iloc[:, 1])[1:] == list(shift.iloc[:, 3])[:-1]  # the target is the input shifted by one


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_nsmc_sentiment_shows_balance_reviews_and_truncation(app_test, lang):
    at = app_test(page=DATA, lang=lang, **NSMC, data_val_frac=0.1, data_text_maxlen=30)
    assert not at.exception and not at.error
    p = at.session_state["prepared"]
    assert p.task == "classify" and p.source == "text:nsmc" and p.split_sizes == {"train": 180, "val": 20, "test": 5000}
    assert at.number_input(key="data_text_limit").value == 200 and at.radio(key="data_text_truncating")
    assert "text_class_balance" in " ".join(chart_keys(at))
    reviews = frame_with(at, i18n.t("text_data.col.review", lang))
    assert set(reviews.iloc[:, 1]) <= {
        i18n.t("text_data.classes.negative", lang),
        i18n.t("text_data.classes.positive", lang),
    }
    lengths = tv.sample_lengths(p)
    cut = i18n.t(
        "text_data.cut", lang, n=tv.cut_count(lengths, 30), total=180, T=30, truncating="pre", longest=lengths.max()
    )
    assert cut in [m.value for m in at.markdown]
    assert tv.cut_count(lengths, 30) == int(np.sum(np.count_nonzero(p.X_train, axis=1) == 30) - np.sum(lengths == 30))


def test_switching_task_and_source(app_test):
    at = app_test(page=DATA)
    assert at.caption[0].value == i18n.t("data.intro", "en")
    at.radio(key="task").set_value("next_token").run()
    assert not at.exception and not at.error
    assert at.session_state["data_source_kind"] == "text" and at.session_state["prepared"].source == "text:tiny-en"
    assert at.caption[0].value == i18n.t("text_data.intro", "en")  # token ids, not windows cut from a table
    at.radio(key="data_text").set_value("tiny-ko").run()
    assert at.session_state["prepared"].source == "text:tiny-ko"
    at.radio(key="data_text_tokens").set_value("word").run()
    assert at.session_state["prepared"].tokens == "word" and not at.error
    at.radio(key="task").set_value("classify").run()  # its first source: the digits
    assert at.session_state["data_source_kind"] == "digits" and at.session_state["prepared"].task == "classify"
    at.session_state["data_text_limit"] = 200
    at.radio(key="data_source_kind").set_value("text").run()
    assert not at.exception and not at.error
    assert at.session_state["data_text"] == "nsmc" and at.session_state["prepared"].source == "text:nsmc"
    assert at.session_state["data_text_maxlen"] == 60 and at.session_state["arch_dense_units"] == 2
    at.radio(key="task").set_value("forecast").run()
    assert not at.exception and at.session_state["prepared"].task == "forecast"
    assert at.caption[0].value == i18n.t("data.intro", "en")


def _current_source():
    """A script that asks ui.data for the current dataset, as the Train and Inside pages do."""
    import streamlit as st

    from ui import data as ud

    p = ud.current_prepared()
    st.session_state["probe"] = (p.source, p.split_sizes["train"], "바" in p.vocab.tokens)


def test_editing_a_tiny_corpus_makes_it_own_text_and_back(app_test):
    at = app_test(page=DATA, lang="ko", **next_token("tiny-ko"))
    edited = tiny_corpus("tiny-ko") + "\n바다는 파랗고 하늘은 높다\n"
    at.text_area(key="btn_text_corpus").input(edited).run()
    assert not at.exception and not at.error
    assert at.session_state["data_text"] == "own" and at.session_state["data_text_own"] == edited
    assert at.text_area(key="btn_text_own_box").value == edited
    assert any(i18n.t("text_data.edited_note", "ko", name="tiny-ko") in i.value for i in at.info)
    p = at.session_state["prepared"]
    assert p.source == "text:own" and "바" in p.vocab.tokens and p.split_sizes["train"] == 9
    # any page's ui.data.current_prepared() builds it from the session's own text (not from a stored dataset)
    probe = AppTest.from_function(_current_source, default_timeout=60)
    for key in at.session_state:
        if key.startswith(("data_", "task")):
            probe.session_state[key] = at.session_state[key]
    probe.run()
    assert not probe.exception and probe.session_state["probe"] == ("text:own", 9, True)
    at.switch_page("app_pages/home.py").run()
    at.switch_page(DATA).run()
    assert at.text_area(key="btn_text_own_box").value == edited  # the box shows it again after another page
    at.button(key="btn_text_back").click().run()
    assert at.session_state["data_text"] == "tiny-ko" and at.session_state["prepared"].source == "text:tiny-ko"
    assert at.text_area(key="btn_text_corpus").value == tiny_corpus("tiny-ko")


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize(
    ("typed", "key", "values"),
    [
        (" \n  \n", "data.err.text_empty", {}),
        ("aaaaaaa\naaaa", "data.err.text_one_token", {"token": "a"}),
        ("가가가가", "data.err.text_one_token", {"token": "가"}),
        ("가\n나", "data.err.text_no_pairs", {}),  # one token a line: no next token to learn
    ],
)
def test_bad_own_text_gives_a_message_and_keeps_the_last_good_dataset(app_test, lang, typed, key, values):
    at = app_test(page=DATA, lang=lang, **next_token("tiny-en"))
    at.radio(key="data_text").set_value("own").run()
    assert not at.exception and any(i18n.t("text_data.own_prompt", lang) in i.value for i in at.info)
    at.text_area(key="btn_text_own_box").input(typed).run()
    assert not at.exception
    assert i18n.t(key, lang, **values) in messages(at)
    assert at.session_state["prepared"].source == "text:tiny-en"  # the last good dataset stays
    assert any(i18n.t("data.prep.kept_previous", lang) in c.value for c in at.caption)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_text_file_is_read_as_utf8_or_cp949_and_a_binary_one_refused(app_test, lang):
    at = app_test(page=DATA, lang=lang, **next_token("tiny-en"))
    at.radio(key="data_text").set_value("own").run()
    korean = "나는 학교에 간다\n너는 집에 간다\n"
    at.file_uploader(key="btn_text_file").set_value(("ko.txt", korean.encode("cp949"), "text/plain")).run()
    assert not at.exception and not at.error
    assert at.session_state["data_text_own"] == korean and at.session_state["prepared"].source == "text:own"
    assert "학" in at.session_state["prepared"].vocab.tokens
    at.file_uploader(key="btn_text_file").set_value(("bad.txt", b"\xff\xfe\xfa\x80", "text/plain")).run()
    assert not at.exception
    assert i18n.t("data.err.text_encoding", lang, name="bad.txt") in messages(at)
    assert at.session_state["data_text_own"] == korean  # nothing lost
    big = ("a b\n" * (3 * 1024 * 1024)).encode()  # 12 MB: the browser's uploader refuses it; the reader does too
    at.file_uploader(key="btn_text_file").set_value(("big.txt", big, "text/plain")).run()
    assert not at.exception and i18n.t("text_data.err.too_big", lang, name="big.txt", mb=12.0, limit=5) in messages(at)
    assert at.session_state["data_text_own"] == korean and at.session_state["prepared"].source == "text:own"


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize(("key", "bad", "kept"), [("data_text_maxlen", 0, 40), ("data_text_vocab", 1, 2000)])
def test_impossible_setting_values_give_a_message_not_a_traceback(app_test, lang, key, bad, kept):
    # set while another page was open (a lesson step, an old session); on the page, Streamlit's number_input itself
    # puts an out-of-range value back to its minimum
    at = app_test(page=DATA, lang=lang, **next_token("tiny-ko", **{key: bad}))
    assert not at.exception
    assert str(bad) in messages(at) and i18n.t(f"text_data.setting.{key}", lang) in messages(at)
    assert at.session_state[key] == kept and at.session_state["prepared"].source == "text:tiny-ko"


def test_a_link_with_max_length_0_falls_back_with_a_notice():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update(
        {"task": "next_token", "data_source_kind": "text", "data_text": "tiny-ko", "data_text_maxlen": "0"}
    )
    at.switch_page(DATA)
    at.run()
    assert not at.exception
    assert at.session_state["data_text_maxlen"] == 40 and at.session_state["prepared"].window == 40
    assert any("data_text_maxlen" in w.value for w in at.warning)  # the link notice names the parameter


def test_a_link_round_trips_the_text_settings_but_not_own_text(app_test):
    at = app_test(
        page=DATA, lang="ko", **next_token("own", data_text_own=OWN, data_text_tokens="word", data_text_maxlen=12)
    )
    assert not at.exception and at.session_state["prepared"].source == "text:own"
    params = share.encode({k: at.session_state[k] for k in at.session_state if k.startswith(("data_", "task", "lang"))})
    assert params["data_text"] == "own" and params["data_text_tokens"] == "word" and params["data_text_maxlen"] == "12"
    assert "data_text_own" not in params and not any(OWN.split()[1] in v for v in params.values())  # never in a link
    fresh = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    fresh.query_params.update(params)
    fresh.switch_page(DATA)
    fresh.run()
    assert not fresh.exception
    assert fresh.session_state["data_text_tokens"] == "word" and fresh.session_state["data_text_maxlen"] == 12
    assert i18n.t("text_data.err.own_needed", "ko") in messages(fresh)  # said plainly, like a missing upload
    fresh.switch_page("app_pages/train.py").run()  # another page: the same plain message, no traceback
    assert not fresh.exception and i18n.t("text_data.err.own_needed", "ko") in messages(fresh)
    fresh.switch_page(DATA).run()
    fresh.text_area(key="btn_text_own_box").input(OWN).run()  # pasting it again continues the link's experiment
    assert not fresh.exception and not fresh.error
    p = fresh.session_state["prepared"]
    assert p.source == "text:own" and p.tokens == "word" and p.window == 12


def test_padding_and_lengths_agree_with_keras(keras):
    p = prepare_text("nsmc", tokens="word", maxlen=8, truncating="post", limit=100, val_frac=0.1)
    for i in range(5):
        ids = tv.input_ids(p, "train", i)
        pre, post = tv.padded_pair(ids, 8, "post")
        for padding, ours in (("pre", pre), ("post", post)):
            theirs = keras.utils.pad_sequences([ids], maxlen=8, padding=padding, truncating="post", value=0)[0]
            assert ours.tolist() == theirs.tolist()
        assert pre.tolist() == p.X_train[i].tolist()  # the dataset's own padding (pre) is the same row
    q = prepare_text("tiny-en", maxlen=6, padding="post")  # long lines are cut into overlapping pieces
    lengths = tv.sample_lengths(q)
    from rnn_lab.data.text import lines_of, tokenize

    assert lengths.tolist() == [len(tokenize(line)) for line in lines_of(tiny_corpus("tiny-en"))]  # + [END] targets
    for i in range(q.split_sizes["train"]):
        x, y = q.X_train[i], q.y_train[i]
        ids = tv.sample_ids(q, "train", i)
        assert pad_ids([ids[:-1]], 6, "post")[0].tolist() == x.tolist()
        assert pad_ids([ids[1:]], 6, "post")[0].tolist() == y.tolist()


def test_tokens_are_drawn_visibly_and_whole():
    assert (
        tv.tokens_markdown(["한", " ", "`", "[UNK]"]) == "`한` `␣` `` ` `` `[UNK]`"
    )  # a space shown, a backtick fenced
    p = prepare_text("tiny-ko", tokens="word", maxlen=4, padding="post", vocab_size=6)
    _, total = tv.unk_summary(p.vocab)
    assert total == sum(len(line.split()) for line in tiny_corpus("tiny-ko").split("\n") if line.strip())
    shift = tv.shift_frame(p, "train", 0, "en")
    assert list(shift["step t"]) == [0, 1, 2] and list(shift["input x_t"])[1:] == list(shift["target y_t"])[:-1]
    assert list(shift["target y_t"])[-1] == "[END]"  # after the line's last word: the end
