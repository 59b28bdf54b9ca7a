"""Text as token ids: tokenisation that respects Korean, a vocabulary, padding, and the prepared text datasets.

Tokens. ``char`` splits a text into Unicode characters after NFC normalisation, so a Korean syllable such as 한
is ONE token (not the three jamo ㅎ ㅏ ㄴ a decomposed file would hold) and a space is a token too (the model must
learn where words end). ``word`` splits on whitespace, in both languages (Korean words keep their particles:
"구글에서" is one word; a morphological analyser would split it, but it is not what the tutorials show first).

Vocabulary. ``[PAD]`` = 0, ``[UNK]`` = 1, then the tokens of the TRAINING split, most frequent first (ties: first
seen first), at most ``max_size`` entries in all, each seen at least ``min_count`` times. Built on the training split
only, so validation and test text can hold words the model never saw: they become ``[UNK]``, as they would in use.

Why by hand and not ``keras.layers.TextVectorization``: it does split on whitespace and build a frequency
vocabulary with '' (padding) at 0 and ``[UNK]`` at 1 (``tests/test_data_text.py`` checks our word vocabulary agrees
with it), but it cannot pad or truncate at the front (``output_sequence_length`` pads and cuts at the end only),
has no minimum count, does not fix the order of equally frequent tokens, and needs TensorFlow loaded to prepare
data (seconds on the Data page, which never imports it). Its ``split="character"`` splits code points without
NFC normalisation. A dozen lines of Python do all of it, exactly and fast.

Padding and truncation follow ``keras.utils.pad_sequences`` (checked in the tests): ``padding="pre"`` puts the
[PAD] zeros BEFORE the tokens. That matters for a recurrent model that reads left to right and answers at its last
step (many-to-one, e.g. sentiment): with ``pre`` the last steps it reads are the text itself, so the final hidden
state is fresh from the words; with ``post`` it reads the words first and then a run of [PAD] steps, which wash the
text out of its state (unless the Embedding's ``mask_zero`` makes the layer skip them). ``truncating="pre"`` drops
the BEGINNING of a long text (keeps its end), ``post`` keeps the beginning.

A language model (``next_token``) is the other way round: it answers at EVERY step, and when it generates text it
starts from a prompt at step 0. With ``pre`` padding and no mask, a training line of L tokens starts after
T - L + 1 [PAD] steps, so the model can (and does) learn the line's length from how many [PAD]s it read, a clue it
never has when generating: it then mixes sentences up. ``post`` padding (the next-token default) or ``mask_zero``
(the layer skips [PAD] steps) removes the clue.

End of a line. A language model's vocabulary also holds ``[END]`` = 2, appended to every line as its last target:
after the last word the model must predict "the line ends here". Without it nothing after a line's last token is
ever a target (post [PAD] steps are masked or meaningless), so generation cannot know where a sentence stops and
runs on into another one. ``[END]`` is only ever a target, never an input; generation stops when it picks it.
A classifier's vocabulary has no ``[END]`` (a review is read whole, never continued).
"""

from __future__ import annotations

import gzip
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from rnn_lab.data.errors import DataError
from rnn_lab.data.sampling import stratified_take
from rnn_lab.data.settings import NSMC_LIMIT, PADDINGS, TEXT_SOURCES, TOKENS
from rnn_lab.settings import setting
from rnn_lab.tasks import task_of, task_of_data

TEXT_DIR = Path(__file__).resolve().parents[2] / "assets" / "data" / "text"
PAD, UNK, END = "[PAD]", "[UNK]", "[END]"
PAD_ID, UNK_ID, END_ID = 0, 1, 2  # [END]: language-model vocabularies only (see the module docstring)
TINY = {"tiny-en": "tiny_en.txt", "tiny-ko": "tiny_ko.txt"}
NSMC_TRAIN = "nsmc_train_20k.txt.gz"
NSMC_TEST = "nsmc_test_5k.txt.gz"
NSMC_CLASSES = ("negative", "positive")  # label 0: ratings 1-4; label 1: ratings 9-10
SPLITS = ("train", "val", "test")


# ---------------------------------------------------------------------------------------------
# Reading and tokenising
# ---------------------------------------------------------------------------------------------


def decode_text(data: bytes, name: str = "text") -> str:
    """Bytes of a text file as a string: UTF-8 (with or without BOM), else CP949/EUC-KR (Korean Windows files, as
    the CSV reader does); DataError naming the file otherwise. Line ends become ``\\n``."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "cp949"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DataError("text_encoding", name=name)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text_file(path) -> str:
    """A text file (``.gz`` too) decoded by :func:`decode_text`."""
    path = Path(path)
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return decode_text(data, path.name)


def tokenize(text: str, tokens: str = "char") -> list[str]:
    """``text`` as tokens: its characters (NFC: one Korean syllable = one token, spaces included) or its
    whitespace-separated words. Line ends are not tokens (a dataset splits lines first)."""
    if tokens not in TOKENS:
        raise DataError("text_tokens", tokens=tokens)
    text = unicodedata.normalize("NFC", text)
    if tokens == "word":
        return text.split()
    return list(" ".join(text.split()))  # runs of whitespace -> one space; no space at either end


def detokenize(tokens: list[str], kind: str = "char") -> str:
    """The inverse of :func:`tokenize` (words are joined by one space)."""
    return ("" if kind == "char" else " ").join(tokens)


def lines_of(text: str) -> list[str]:
    """The non-empty lines of ``text`` (stripped): a corpus for ``next_token`` is split by line (sentence)."""
    return [line.strip() for line in str(text).split("\n") if line.strip()]


# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vocab:
    """Token <-> id. ``tokens[0]`` is ``[PAD]``, ``tokens[1]`` is ``[UNK]``, and in a language model's vocabulary
    ``tokens[2]`` is ``[END]``; ``counts`` are training counts."""

    tokens: tuple[str, ...]
    kind: str = "char"  # "char" | "word": how ids are joined back into text
    counts: tuple[int, ...] = ()  # per id: occurrences in the training split (0 for [PAD]; [UNK]: dropped tokens)

    @property
    def size(self) -> int:
        return len(self.tokens)

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def index(self) -> dict[str, int]:
        return _index(self.tokens)

    @property
    def has_end(self) -> bool:
        """True for a language model's vocabulary (``[END]`` = 2 marks where a line ends)."""
        return len(self.tokens) > END_ID and self.tokens[END_ID] == END

    @property
    def n_special(self) -> int:
        """How many ids are not text tokens: [PAD], [UNK] (and [END])."""
        return 3 if self.has_end else 2

    def encode(self, tokens: list[str]) -> list[int]:
        """Ids of ``tokens``; a token not in the vocabulary is ``[UNK]`` (1)."""
        index = self.index
        return [index.get(t, UNK_ID) for t in tokens]

    def encode_text(self, text: str) -> list[int]:
        return self.encode(tokenize(text, self.kind))

    def decode(self, ids, skip_pad: bool = True) -> list[str]:
        """Tokens of ``ids`` ([PAD] left out unless ``skip_pad`` is False)."""
        return [self.tokens[int(i)] for i in ids if not (skip_pad and int(i) == PAD_ID)]

    def decode_text(self, ids) -> str:
        """The text of ``ids``: [PAD] and [END] are not text and are left out."""
        end = END_ID if self.has_end else None
        return detokenize([self.tokens[int(i)] for i in ids if int(i) not in (PAD_ID, end)], self.kind)

    def to_dict(self) -> dict:
        return {"tokens": list(self.tokens), "kind": self.kind, "counts": list(self.counts)}

    @classmethod
    def from_dict(cls, data: dict) -> Vocab:
        return cls(tuple(data["tokens"]), data.get("kind", "char"), tuple(data.get("counts", ())))


@cache
def _index(tokens: tuple[str, ...]) -> dict[str, int]:
    return {t: i for i, t in enumerate(tokens)}


def build_vocab(token_lists, max_size: int = 5000, min_count: int = 1, kind: str = "char", end: bool = False) -> Vocab:
    """The vocabulary of ``token_lists`` (the TRAINING split): [PAD], [UNK] (``end``: and [END], counted once per
    list), then the most frequent tokens (ties: first seen first) that occur at least ``min_count`` times,
    ``max_size`` entries in all.

    DataError when there is no token at all, or only one distinct token (a vocabulary of one: the next token is
    always the same, nothing to learn)."""
    max_size = int(max_size)
    special = (PAD, UNK, END) if end else (PAD, UNK)
    if max_size < len(special) + 1:
        raise DataError("text_vocab", n=max_size, least=len(special) + 1)
    counts: Counter = Counter()
    for tokens in token_lists:
        counts.update(tokens)  # Counter keeps first-seen order, so the stable sort below breaks ties by it
    if not counts:
        raise DataError("text_empty")
    if len(counts) == 1:
        raise DataError("text_one_token", token=next(iter(counts)))
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    kept = [(t, c) for t, c in ranked if c >= min_count][: max_size - len(special)]
    unk = sum(counts.values()) - sum(c for _, c in kept)
    ends = (sum(1 for _ in token_lists),) if end else ()  # one [END] per line
    return Vocab(
        (*special, *(t for t, _ in kept)),
        kind,
        (0, unk, *ends, *(c for _, c in kept)),
    )


def pad_ids(seqs, maxlen: int, padding: str = "pre", truncating: str = "pre") -> np.ndarray:
    """int32 (n, maxlen): each id list cut to ``maxlen`` and filled with [PAD] = 0, as ``keras.utils.pad_sequences``
    does (its ``value=0``): ``padding`` pre = zeros in front, post = behind; ``truncating`` pre = drop the start,
    post = drop the end. See the module docstring for why ``pre`` is the default for a recurrent model."""
    maxlen = int(maxlen)
    if maxlen < 1:
        raise DataError("text_maxlen", n=maxlen)
    for name, value in (("padding", padding), ("truncating", truncating)):
        if value not in PADDINGS:
            raise DataError("text_padding", name=name, value=value)
    out = np.zeros((len(seqs), maxlen), np.int32)
    for i, s in enumerate(seqs):
        s = list(s)
        if not s:
            continue
        s = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        if padding == "pre":
            out[i, maxlen - len(s) :] = s
        else:
            out[i, : len(s)] = s
    return out


# ---------------------------------------------------------------------------------------------
# Corpora
# ---------------------------------------------------------------------------------------------


def tiny_corpus(name: str) -> str:
    """The classroom corpus ``tiny-en`` or ``tiny-ko`` (a handful of sentences, one per line; CC0)."""
    if name not in TINY:
        raise DataError("text_unknown", name=name)
    return read_text_file(TEXT_DIR / TINY[name])


@cache
def load_nsmc(split: str = "train") -> tuple[tuple[str, ...], tuple[str, ...], np.ndarray]:
    """The shipped NSMC subset: (review ids, documents, labels int32) of ``train`` (20,000) or ``test`` (5,000).

    Lines are ``id<TAB>document<TAB>label`` under a header (assets/data/SOURCES.md says how they were derived)."""
    name = {"train": NSMC_TRAIN, "test": NSMC_TEST}[split]
    lines = read_text_file(TEXT_DIR / name).split("\n")
    if lines[0] != "id\tdocument\tlabel":
        raise ValueError(f"{name}: unexpected header {lines[0]!r}")
    rows = [line.split("\t") for line in lines[1:] if line]
    ids = tuple(r[0] for r in rows)
    docs = tuple(r[1] for r in rows)
    labels = np.array([int(r[2]) for r in rows], np.int32)
    labels.setflags(write=False)
    return ids, docs, labels


# ---------------------------------------------------------------------------------------------
# Prepared datasets
# ---------------------------------------------------------------------------------------------


@dataclass
class PreparedText:
    """Token ids ready to train: X int32 (n, T) (0 = [PAD], 1 = [UNK]); y int32 (n,) classes (``classify``) or
    int32 (n, T) the next token at every step (``next_token``: the input shifted by one, 0 where there is none).

    Follows the prepared-dataset protocol of docs/tasks-design.md (``task``, ``source``, ``window``,
    ``n_features``, ``input_kind``, ``vocab_size``, ``n_classes``, ``class_names``, ``X``, ``y``, ``split_sizes``).
    """

    task: str  # "classify" | "next_token"
    source: str  # "text:nsmc", "text:tiny-en", "text:tiny-ko", "text:own"
    vocab: Vocab
    window: int  # T = maxlen
    X_train: np.ndarray  # int32 (n_train, T)
    X_val: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray  # int32 (n_train,) or (n_train, T)
    y_val: np.ndarray
    y_test: np.ndarray
    texts_train: list[str]  # the text of each sample (a review; a line or a piece of a long line)
    texts_val: list[str]
    texts_test: list[str]
    idx_train: np.ndarray  # int (n,): position of each sample in its source (review no., line no.)
    idx_val: np.ndarray
    idx_test: np.ndarray
    tokens: str = "char"
    padding: str = "pre"
    truncating: str = "pre"
    class_names_: tuple[str, ...] | None = None
    val_frac: float = 0.0
    notes: list = field(default_factory=list)

    input_kind = "tokens"
    n_features = 1  # one id per step; the Embedding makes the vectors
    image_shape = None

    @property
    def vocab_size(self) -> int:
        return self.vocab.size

    @property
    def n_classes(self) -> int:
        return len(self.class_names_) if task_of_data(self).label_kind == "class" else self.vocab.size

    @property
    def class_names(self) -> tuple[str, ...]:
        return self.class_names_ if task_of_data(self).label_kind == "class" else self.vocab.tokens

    @property
    def split_sizes(self) -> dict[str, int]:
        return {s: len(getattr(self, f"y_{s}")) for s in SPLITS}

    def X(self, split: str) -> np.ndarray:
        return getattr(self, f"X_{_split(split)}")

    def y(self, split: str) -> np.ndarray:
        return getattr(self, f"y_{_split(split)}")

    def idx(self, split: str) -> np.ndarray:
        return getattr(self, f"idx_{_split(split)}")

    def texts(self, split: str) -> list[str]:
        return getattr(self, f"texts_{_split(split)}")

    def class_counts(self, split: str) -> np.ndarray:
        """classify: samples per class; next_token: target tokens per id ([PAD] positions not counted)."""
        y = self.y(split).ravel()
        counts = np.bincount(y, minlength=self.n_classes)
        if task_of_data(self).label_kind == "token":  # [PAD] is no target a language model learns
            counts[PAD_ID] = 0
        return counts

    @property
    def class_counts_by_split(self) -> dict[str, list[int]]:
        return {s: self.class_counts(s).tolist() for s in SPLITS}

    def majority_class(self) -> int:
        """classify: the most frequent class of the TRAINING split (the baseline; ties -> the smaller index)."""
        return int(np.argmax(self.class_counts("train")))

    def unigram(self) -> np.ndarray:
        """float64 (V,): how often each token is the target in the TRAINING split ([PAD] excluded), as
        probabilities: the unigram baseline predicts this distribution at every step, whatever came before."""
        counts = self.class_counts("train").astype(np.float64)
        return counts / counts.sum()

    def encode(self, text: str) -> list[int]:
        return self.vocab.encode_text(text)

    def decode(self, ids) -> str:
        return self.vocab.decode_text(ids)


def _split(split: str) -> str:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}; got {split!r}")
    return split


def _check_common(tokens: str, maxlen: int, padding: str, truncating: str, vocab_size: int) -> None:
    if tokens not in TOKENS:
        raise DataError("text_tokens", tokens=tokens)
    if int(maxlen) < 1:
        raise DataError("text_maxlen", n=maxlen)
    for name, value in (("padding", padding), ("truncating", truncating)):
        if value not in PADDINGS:
            raise DataError("text_padding", name=name, value=value)
    if int(vocab_size) < 3:
        raise DataError("text_vocab", n=vocab_size, least=3)


def prepare_sentiment(
    tokens: str = "char",
    maxlen: int = 60,
    padding: str = "pre",
    truncating: str = "pre",
    vocab_size: int = 2000,
    limit: int = 5000,
    val_frac: float = 0.1,
    seed: int = 0,
    min_count: int = 1,
) -> PreparedText:
    """NSMC sentiment (``classify``): ``limit`` of the 20,000 shipped training reviews (stratified, seeded),
    ``val_frac`` of them for validation (stratified), and the 5,000 shipped test reviews as the test split.
    The vocabulary comes from the training reviews alone."""

    _check_common(tokens, maxlen, padding, truncating, vocab_size)
    limit = int(limit)
    if not NSMC_LIMIT[0] <= limit <= NSMC_LIMIT[1]:
        raise DataError("text_limit", min=NSMC_LIMIT[0], max=NSMC_LIMIT[1], n=limit)
    if not 0.0 <= val_frac < 1.0:
        raise DataError("bad_fractions", val=val_frac, test=0.0)
    _, docs, labels = load_nsmc("train")
    _, test_docs, test_labels = load_nsmc("test")
    rng = np.random.default_rng(seed)
    used = stratified_take(labels, limit, rng)
    val = used[stratified_take(labels[used], round(limit * val_frac), rng)]
    train = np.setdiff1d(used, val)
    tok_train = [tokenize(docs[i], tokens) for i in train]
    vocab = build_vocab(tok_train, vocab_size, min_count, tokens)

    def x(token_lists):
        return pad_ids([vocab.encode(t) for t in token_lists], maxlen, padding, truncating)

    return PreparedText(
        task="classify",
        source="text:nsmc",
        vocab=vocab,
        window=int(maxlen),
        X_train=x(tok_train),
        X_val=x([tokenize(docs[i], tokens) for i in val]),
        X_test=x([tokenize(d, tokens) for d in test_docs]),
        y_train=labels[train].copy(),
        y_val=labels[val].copy(),
        y_test=test_labels.copy(),
        texts_train=[docs[i] for i in train],
        texts_val=[docs[i] for i in val],
        texts_test=list(test_docs),
        idx_train=train,
        idx_val=val,
        idx_test=np.arange(len(test_docs)),
        tokens=tokens,
        padding=padding,
        truncating=truncating,
        class_names_=NSMC_CLASSES,
        val_frac=float(val_frac),
    )


def _pieces(ids: list[int], maxlen: int) -> list[list[int]]:
    """A line's ids cut into pieces of at most ``maxlen + 1`` tokens that overlap by one, so every next-token
    pair of the line is in exactly one piece (a long line is not truncated away)."""
    if len(ids) <= maxlen + 1:
        return [ids]
    return [ids[i : i + maxlen + 1] for i in range(0, len(ids) - 1, maxlen)]


def prepare_next_token(
    text: str,
    source: str = "text:own",
    tokens: str = "char",
    maxlen: int = 40,
    padding: str = "pre",
    vocab_size: int = 2000,
    val_frac: float = 0.0,
    test_frac: float = 0.0,
    seed: int = 0,
    min_count: int = 1,
) -> PreparedText:
    """A language-model dataset (``next_token``) from ``text``, one sentence per line.

    The lines are split (seeded shuffle) into train / validation / test, so no sentence is in two splits; the
    vocabulary comes from the training lines. A line of tokens t_0 .. t_L, with [END] appended as t_{L+1}, gives
    X = t_0 .. t_L and y = t_1 .. t_L [END] (the next token at every step, and after the last one: the end), both
    padded to ``maxlen`` the same way; a line longer than ``maxlen`` tokens gives several pieces. Truncation never happens here (pieces instead), so the
    ``truncating`` setting does not apply to this task.
    """
    _check_common(tokens, maxlen, padding, "pre", vocab_size)
    if not (0 <= val_frac < 1 and 0 <= test_frac < 1 and val_frac + test_frac < 1):
        raise DataError("bad_fractions", val=val_frac, test=test_frac)
    if not str(text).strip():
        raise DataError("text_empty")
    lines = lines_of(text)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(lines)) if (val_frac or test_frac) else np.arange(len(lines))
    n_test = round(len(lines) * test_frac)
    n_val = round(len(lines) * val_frac)
    test_lines = np.sort(order[:n_test])
    val_lines = np.sort(order[n_test : n_test + n_val])
    train_lines = np.sort(order[n_test + n_val :])
    tok = [tokenize(line, tokens) for line in lines]
    if int(vocab_size) < 4:
        raise DataError("text_vocab", n=vocab_size, least=4)
    vocab = build_vocab([tok[i] for i in train_lines], vocab_size, min_count, tokens, end=True)

    def build(line_numbers):
        xs, ys, texts, idx = [], [], [], []
        for i in line_numbers:
            if len(tok[i]) < 2:
                continue  # a one-token line has no next token in the text (only its end)
            for piece in _pieces(vocab.encode(tok[i]) + [END_ID], int(maxlen)):
                if len(piece) < 2:
                    continue  # a one-token line has no next token
                xs.append(piece[:-1])
                ys.append(piece[1:])
                texts.append(vocab.decode_text(piece))
                idx.append(int(i))
        x = pad_ids(xs, maxlen, padding, "pre")
        y = pad_ids(ys, maxlen, padding, "pre")
        return x, y, texts, np.asarray(idx, np.int64)

    X_tr, y_tr, t_tr, i_tr = build(train_lines)
    if len(X_tr) == 0:
        raise DataError("text_no_pairs")
    X_va, y_va, t_va, i_va = build(val_lines)
    X_te, y_te, t_te, i_te = build(test_lines)
    return PreparedText(
        task="next_token",
        source=source,
        vocab=vocab,
        window=int(maxlen),
        X_train=X_tr,
        X_val=X_va,
        X_test=X_te,
        y_train=y_tr,
        y_val=y_va,
        y_test=y_te,
        texts_train=t_tr,
        texts_val=t_va,
        texts_test=t_te,
        idx_train=i_tr,
        idx_val=i_va,
        idx_test=i_te,
        tokens=tokens,
        padding=padding,
        truncating="pre",
        class_names_=None,
        val_frac=float(val_frac),
    )


def prepare_text(
    source: str = "tiny-en",
    tokens: str = "char",
    maxlen: int = 40,
    padding: str = "pre",
    truncating: str = "pre",
    vocab_size: int = 2000,
    limit: int = 5000,
    val_frac: float = 0.0,
    test_frac: float = 0.0,
    seed: int = 0,
    text: str | None = None,
    task: str | None = None,
) -> PreparedText:
    """The text dataset ``source`` (``tiny-en``, ``tiny-ko``, ``own`` with ``text``: next_token; ``nsmc``: classify).

    ``task`` (optional) must fit the source; DataError in plain words otherwise."""
    source = source.removeprefix("text:")
    if source not in TEXT_SOURCES:
        raise DataError("text_unknown", name=source)
    fits = "classify" if source == "nsmc" else "next_token"
    if task is not None and task != fits:
        raise DataError("text_source", name=source, task=task)
    if source == "nsmc":
        return prepare_sentiment(tokens, maxlen, padding, truncating, vocab_size, limit, val_frac, seed)
    corpus = tiny_corpus(source) if source in TINY else (text or "")
    return prepare_next_token(corpus, f"text:{source}", tokens, maxlen, padding, vocab_size, val_frac, test_frac, seed)


def prepare_text_from_values(values, text: str | None = None) -> PreparedText:
    """The text dataset the ``data_text*`` settings in ``values`` describe (session state, URL parameters).

    A user's own text is session data, not a setting (like an upload): pass it as ``text``."""

    def v(key):
        try:
            return setting(key).read(values)
        except ValueError as err:
            raise DataError("bad_setting", reason=str(err)) from None

    source = v("data_text")
    spec = task_of(values)
    return prepare_text(
        source,
        v("data_text_tokens"),
        v("data_text_maxlen"),
        v("data_text_padding"),
        v("data_text_truncating"),
        v("data_text_vocab"),
        v("data_text_limit"),
        v("data_val_frac"),
        v("data_test_frac") if source != "nsmc" else 0.0,
        v("data_toy_seed"),
        text=text,
        task=spec.name if spec.sequence_labels else None,
    )
