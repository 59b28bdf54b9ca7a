"""Text data: tokens in English and Korean, the vocabulary, padding as Keras does it, the shipped files, datasets."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest

from rnn_lab.data.errors import DataError
from rnn_lab.data.text import (
    END_ID,
    PAD_ID,
    TEXT_DIR,
    UNK_ID,
    build_vocab,
    decode_text,
    detokenize,
    lines_of,
    load_nsmc,
    pad_ids,
    prepare_next_token,
    prepare_text,
    prepare_text_from_values,
    read_text_file,
    tiny_corpus,
    tokenize,
)

SOURCES = Path(__file__).resolve().parents[1] / "assets" / "data" / "SOURCES.md"


def test_shipped_text_files_have_the_documented_sha256():
    text = SOURCES.read_text(encoding="utf-8")
    listed = dict((name, digest) for digest, name in re.findall(r"^([0-9a-f]{64})  (text/\S+)$", text, re.M))
    for name in ("tiny_en.txt", "tiny_ko.txt", "nsmc_train_20k.txt.gz", "nsmc_test_5k.txt.gz"):
        digest = hashlib.sha256((TEXT_DIR / name).read_bytes()).hexdigest()
        assert listed[f"text/{name}"] == digest, name


def test_nsmc_subset_is_balanced_with_the_header_and_no_review_in_both_files():
    ids, docs, labels = load_nsmc("train")
    test_ids, test_docs, test_labels = load_nsmc("test")
    assert len(docs) == 20_000 and len(test_docs) == 5_000
    assert np.bincount(labels).tolist() == [10_000, 10_000]
    assert np.bincount(test_labels).tolist() == [2_500, 2_500]
    assert not set(ids) & set(test_ids)
    assert all(d.strip() and "\t" not in d for d in docs)
    first = read_text_file(TEXT_DIR / "nsmc_test_5k.txt.gz").split("\n")[0]
    assert first == "id\tdocument\tlabel"


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("I work at google", "char", list("I work at google")),
        ("I work at google", "word", ["I", "work", "at", "google"]),
        ("나는 구글에서 일한다", "char", ["나", "는", " ", "구", "글", "에", "서", " ", "일", "한", "다"]),
        ("나는 구글에서 일한다", "word", ["나는", "구글에서", "일한다"]),
    ],
)
def test_tokens_respect_korean_syllables_and_round_trip(text, kind, expected):
    tokens = tokenize(text, kind)
    assert tokens == expected
    assert detokenize(tokens, kind) == text
    vocab = build_vocab([tokens, tokenize("다른 문장 another line", kind)], kind=kind)
    assert vocab.decode_text(vocab.encode_text(text)) == text


def test_decomposed_jamo_become_one_syllable_and_whitespace_collapses():
    import unicodedata

    nfd = unicodedata.normalize("NFD", "한글")
    assert len(nfd) == 6 and tokenize(nfd) == ["한", "글"]
    assert tokenize("  a \t b  ") == ["a", " ", "b"]


def test_vocabulary_pad_unk_order_min_count_and_max_size():
    vocab = build_vocab([list("aab"), list("abc")], max_size=10)
    assert vocab.tokens == ("[PAD]", "[UNK]", "a", "b", "c")  # a (3) before b (2) before c (1)
    assert vocab.counts == (0, 0, 3, 2, 1)
    small = build_vocab([list("aab"), list("abc")], max_size=3)
    assert small.tokens == ("[PAD]", "[UNK]", "a") and small.counts[UNK_ID] == 3
    assert small.encode(list("abz")) == [2, UNK_ID, UNK_ID]  # unseen and dropped tokens are [UNK]
    rare = build_vocab([list("aab"), list("abc")], min_count=2)
    assert rare.tokens == ("[PAD]", "[UNK]", "a", "b")
    assert rare.decode([0, 0, 2, 1]) == ["a", "[UNK]"]  # [PAD] is left out of decoded text


def test_word_vocabulary_agrees_with_keras_text_vectorization():
    import keras

    lines = lines_of(tiny_corpus("tiny-en"))
    ours = build_vocab([tokenize(line, "word") for line in lines], kind="word")
    tv = keras.layers.TextVectorization(standardize=None, split="whitespace", output_mode="int")
    tv.adapt(lines)
    theirs = tv.get_vocabulary()
    assert theirs[:2] == ["", "[UNK]"]  # padding 0, unknown 1: the same ids as [PAD] and [UNK]
    assert set(theirs[2:]) == set(ours.tokens[2:])
    counts = dict(zip(ours.tokens, ours.counts, strict=True))
    assert [counts[t] for t in theirs[2:]] == sorted((counts[t] for t in theirs[2:]), reverse=True)


@pytest.mark.parametrize("padding", ["pre", "post"])
@pytest.mark.parametrize("truncating", ["pre", "post"])
def test_padding_and_truncation_match_keras_pad_sequences(padding, truncating):
    import keras

    seqs = [[5, 6, 7, 8, 9, 10], [3], [], [4, 5, 6]]
    ours = pad_ids(seqs, 4, padding, truncating)
    theirs = keras.utils.pad_sequences(seqs, maxlen=4, padding=padding, truncating=truncating, value=0)
    np.testing.assert_array_equal(ours, theirs)
    assert ours.dtype == np.int32
    assert ours[1].tolist() == ([0, 0, 0, 3] if padding == "pre" else [3, 0, 0, 0])
    assert ours[0].tolist() == ([7, 8, 9, 10] if truncating == "pre" else [5, 6, 7, 8])


def test_bad_input_is_refused_in_plain_words():
    with pytest.raises(DataError, match="empty"):
        prepare_next_token("   \n\n ")
    with pytest.raises(DataError, match="only one distinct token"):
        prepare_next_token("aaaa\naaa")
    with pytest.raises(DataError, match="at least 1 token"):
        pad_ids([[1, 2]], 0)
    with pytest.raises(DataError, match="at least 1 token"):
        prepare_text("tiny-en", maxlen=0)
    with pytest.raises(DataError, match="3 or more"):
        build_vocab([list("ab")], max_size=2)
    with pytest.raises(DataError, match="no next token"):
        prepare_next_token("한\n국", tokens="char")  # two distinct tokens but no line of two
    with pytest.raises(DataError, match="Unknown text source"):
        prepare_text("imdb")
    with pytest.raises(DataError, match="does not fit the task"):
        prepare_text("nsmc", task="next_token")
    with pytest.raises(DataError, match="neither UTF-8 nor CP949"):
        decode_text(b"\xff\xfe\x00\xd8\xff", "bad.txt")
    assert issubclass(DataError, ValueError)


def test_cp949_and_bom_files_are_read(tmp_path):
    path = tmp_path / "korean.txt"
    path.write_bytes("나는 구글에서 일한다\r\n우리는 밥을 먹는다\r\n".encode("cp949"))
    assert read_text_file(path) == "나는 구글에서 일한다\n우리는 밥을 먹는다\n"
    assert decode_text(b"\xef\xbb\xbfhello") == "hello"


def test_next_token_dataset_is_the_input_shifted_by_one():
    p = prepare_text("tiny-en", "char", maxlen=40)
    assert p.task == "next_token" and p.input_kind == "tokens" and p.n_features == 1
    assert p.split_sizes == {"train": 8, "val": 0, "test": 0}
    assert p.X_train.dtype == np.int32 and p.y_train.dtype == np.int32
    assert p.X_train.shape == p.y_train.shape == (8, 40)
    assert p.n_classes == p.vocab_size == len(p.class_names)
    for x, y, text in zip(p.X_train, p.y_train, p.texts_train, strict=True):
        ids = p.encode(text)
        # x: the whole line; y: the next token at every step, and after the last one [END] (the line ends)
        assert x[x != PAD_ID].tolist() == ids and y[y != PAD_ID].tolist() == ids[1:] + [END_ID]
        assert END_ID not in x and x[-1] != PAD_ID and x[0] == PAD_ID  # pre padding: the sentence ends last
    assert p.vocab.tokens[:3] == ("[PAD]", "[UNK]", "[END]") and p.vocab.counts[END_ID] == 8  # one per line
    assert p.texts_train[0] == "I work at google"
    unigram = p.unigram()
    assert unigram[PAD_ID] == 0 and unigram.sum() == pytest.approx(1.0)
    post = prepare_text("tiny-ko", "word", maxlen=5, padding="post")
    assert post.X_train[0].tolist()[:3] != [0, 0, 0] and post.X_train[0][-1] == PAD_ID


def test_long_lines_become_overlapping_pieces_and_lines_never_share_splits():
    text = "\n".join(f"line {i} " + "abcdefghij" * 3 for i in range(20))
    p = prepare_next_token(text, tokens="char", maxlen=10, val_frac=0.2, test_frac=0.2, seed=3)
    lines = {s: set(p.idx(s).tolist()) for s in ("train", "val", "test")}
    assert len(lines["val"]) == 4 and len(lines["test"]) == 4 and len(lines["train"]) == 12
    assert not (lines["train"] & lines["val"]) and not (lines["train"] & lines["test"])
    pieces = [t for t, i in zip(p.texts_train, p.idx_train, strict=True) if i == p.idx_train[0]]
    whole = pieces[0] + "".join(piece[1:] for piece in pieces[1:])
    assert whole == text.split("\n")[p.idx_train[0]]


def test_sentiment_dataset_protocol_and_stratified_splits():
    p = prepare_text("nsmc", "char", maxlen=30, limit=1000, val_frac=0.1, seed=1)
    assert p.task == "classify" and p.class_names == ("negative", "positive") and p.n_classes == 2
    assert p.split_sizes == {"train": 900, "val": 100, "test": 5000}
    assert p.class_counts_by_split == {"train": [450, 450], "val": [50, 50], "test": [2500, 2500]}
    assert p.X_train.shape == (900, 30) and p.y_train.shape == (900,) and p.y_train.dtype == np.int32
    assert p.window == 30 and p.vocab_size <= 2000
    # the vocabulary comes from the training reviews only
    seen = {t for text in p.texts_train for t in tokenize(text, "char")}
    assert set(p.vocab.tokens[2:]) <= seen
    again = prepare_text_from_values(
        {
            "task": "classify",
            "data_source_kind": "text",
            "data_text": "nsmc",
            "data_text_maxlen": 30,
            "data_text_limit": 1000,
            "data_val_frac": 0.1,
            "data_toy_seed": 1,
        }
    )
    np.testing.assert_array_equal(again.X_train, p.X_train)
    from rnn_lab.data.digits import prepare_classes_from_values

    via = prepare_classes_from_values({"data_source_kind": "text", "data_text": "nsmc", "data_text_limit": 200})
    assert via.source == "text:nsmc" and via.split_sizes["train"] == 200


def test_text_settings_are_data_settings_and_tasks_know_the_text_source():
    from rnn_lab.data.settings import SETTINGS, signature
    from rnn_lab.tasks import get_task, task_defaults

    keys = {s.key for s in SETTINGS}
    assert {"data_text", "data_text_tokens", "data_text_maxlen", "data_text_padding"} <= keys
    assert {"data_text_truncating", "data_text_vocab", "data_text_limit"} <= keys
    assert ("data_text", "tiny-en") in signature({})
    assert "text" in get_task("classify").source_kinds
    defaults = task_defaults("next_token")
    assert defaults["data_source_kind"] == "text" and defaults["arch_embedding"] is True
    own = prepare_text_from_values({"task": "next_token", "data_text": "own"}, text="hello world\nhi there")
    assert own.source == "text:own" and own.split_sizes["train"] == 2


def test_task_switch_turns_the_embedding_on_for_text_and_off_for_numbers():
    from rnn_lab.arch.settings import config_from_values
    from rnn_lab.tasks import task_defaults

    lm = task_defaults("next_token")
    assert lm["data_text_padding"] == "post" and lm["arch_embedding_vocab"] == lm["arch_dense_units"]
    cfg = config_from_values({"task": "next_token", **lm})
    assert cfg.has_embedding and cfg.return_sequences and cfg.head_activation == "softmax"
    back = {**lm, **task_defaults("forecast")}
    assert back["arch_embedding"] is False and not config_from_values(back).has_embedding
