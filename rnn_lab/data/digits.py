"""Classification datasets: handwritten digits read row by row, and a toy that needs memory.

Both follow the prepared-dataset protocol of ``docs``/TASKS_DESIGN (``task``, ``source``, ``window``,
``n_features``, ``input_kind``, ``n_classes``, ``class_names``, ``X(split)``, ``y(split)``, ``split_sizes``), like
:class:`rnn_lab.data.prepare.PreparedData` does for forecasting, so the engine, the runs and the pages treat them
alike. Splits are stratified by class and seeded: every split keeps the class shares of the whole set.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from rnn_lab.data.errors import DataError
from rnn_lab.data.prepare import SPLITS, _split
from rnn_lab.data.sampling import stratified_take
from rnn_lab.data.text import prepare_text_from_values
from rnn_lab.settings import setting

MNIST_DIR = Path(__file__).resolve().parents[2] / "assets" / "data" / "mnist"
MNIST_IMAGES = "t10k-images-idx3-ubyte.gz"
MNIST_LABELS = "t10k-labels-idx1-ubyte.gz"
DIGITS_TEST = 2000  # test images held out of the 10,000 (stratified, seed SPLIT_SEED): always the same ones
DIGITS_TRAIN_SIDE = 8000  # the rest: training + validation, of which data_digits_limit are used
SPLIT_SEED = 0  # the documented, fixed selection (assets/data/SOURCES.md)
CLASS_TOYS = ("first_vs_last",)


@dataclass
class PreparedClasses:
    """Sequences with one class label each: X float32 (n, T, F), y int32 (n,) in [0, n_classes)."""

    source: str  # "digits:mnist", "toy:first_vs_last"
    window: int  # T: time steps per sample (28 rows of a digit)
    n_features: int  # F: values per step (28 pixels of a row)
    class_names: tuple[str, ...]
    X_train: np.ndarray  # float32 (n_train, T, F)
    X_val: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray  # int32 (n_train,)
    y_val: np.ndarray
    y_test: np.ndarray
    idx_train: np.ndarray  # int (n_train,): position of each sample in the full source set (e.g. MNIST image no.)
    idx_val: np.ndarray
    idx_test: np.ndarray
    val_frac: float = 0.0
    notes: list = field(default_factory=list)
    image_shape: tuple[int, int] | None = None  # (28, 28) when a sample is an image (rows = time steps)

    task = "classify"
    input_kind = "values"
    vocab_size = None

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def split_sizes(self) -> dict[str, int]:
        return {s: len(getattr(self, f"y_{s}")) for s in SPLITS}

    def X(self, split: str) -> np.ndarray:
        return getattr(self, f"X_{_split(split)}")

    def y(self, split: str) -> np.ndarray:
        return getattr(self, f"y_{_split(split)}")

    def idx(self, split: str) -> np.ndarray:
        return getattr(self, f"idx_{_split(split)}")

    def class_counts(self, split: str) -> np.ndarray:
        """int64 (n_classes,): how many samples of each class ``split`` holds."""
        return np.bincount(self.y(split), minlength=self.n_classes)

    @property
    def class_counts_by_split(self) -> dict[str, list[int]]:
        return {s: self.class_counts(s).tolist() for s in SPLITS}

    def majority_class(self) -> int:
        """The most frequent class of the TRAINING split (the baseline's answer; ties -> the smaller index)."""
        return int(np.argmax(self.class_counts("train")))


def stratified_split(labels: np.ndarray, n_val: int, n_test: int, seed: int) -> tuple[np.ndarray, ...]:
    """Positions (train, val, test) of ``labels``, each split stratified by class, seeded."""
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    everything = np.arange(len(labels))
    test = stratified_take(labels, n_test, rng)
    rest = np.setdiff1d(everything, test)
    val = rest[stratified_take(labels[rest], n_val, rng)]
    train = np.setdiff1d(rest, val)
    return train, val, test


def _read_idx(path: Path) -> np.ndarray:
    """An IDX file (LeCun's MNIST format): big-endian magic (0, 0, dtype 0x08 = uint8, n_dims), dims, data."""
    raw = gzip.decompress(path.read_bytes())
    if raw[:3] != b"\x00\x00\x08":
        raise ValueError(f"{path.name}: not an unsigned-byte IDX file")
    n_dims = raw[3]
    dims = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(n_dims))
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * n_dims)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path.name}: {data.size} bytes of data for dimensions {dims}")
    return data.reshape(dims)


@cache
def load_mnist() -> tuple[np.ndarray, np.ndarray]:
    """The bundled 10,000 MNIST test images uint8 (10000, 28, 28) and labels uint8 (10000,), read-only."""
    images = _read_idx(MNIST_DIR / MNIST_IMAGES)
    labels = _read_idx(MNIST_DIR / MNIST_LABELS)
    if len(images) != len(labels):
        raise ValueError("MNIST images and labels differ in number")
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def prepare_digits(limit: int = 2000, val_frac: float = 0.1, seed: int = SPLIT_SEED) -> PreparedClasses:
    """Digits as sequences: each 28x28 image is 28 time steps (rows, top first) of 28 features (pixels / 255).

    The 10,000 images are split once (``SPLIT_SEED``): 2,000 test images, stratified, always the same, and
    8,000 on the training side. Of those, ``limit`` (stratified, ``seed``) are used, ``val_frac`` of them for
    validation, so a classroom run can train on a few hundred images and still be scored on the same test set.
    """
    limit = int(limit)
    if not 20 <= limit <= DIGITS_TRAIN_SIDE:
        raise DataError("digits_limit", n=limit, max=DIGITS_TRAIN_SIDE)
    if not 0.0 <= val_frac < 1.0:
        raise DataError("bad_fractions", val=val_frac, test=0.0)
    images, labels = load_mnist()
    _, _, test = stratified_split(labels, 0, DIGITS_TEST, SPLIT_SEED)
    side = np.setdiff1d(np.arange(len(labels)), test)
    rng = np.random.default_rng(seed)
    used = side[stratified_take(labels[side], limit, rng)]
    n_val = round(limit * val_frac)
    val = used[stratified_take(labels[used], n_val, rng)]
    train = np.setdiff1d(used, val)

    def x(ix):  # uint8 (n, 28, 28) -> float32 in [0, 1]: (samples, 28 time steps, 28 features)
        return images[ix].astype(np.float32) / np.float32(255.0)

    def y(ix):
        return labels[ix].astype(np.int32)

    return PreparedClasses(
        source="digits:mnist",
        window=28,
        n_features=28,
        class_names=tuple(str(d) for d in range(10)),
        X_train=x(train),
        X_val=x(val),
        X_test=x(test),
        y_train=y(train),
        y_val=y(val),
        y_test=y(test),
        idx_train=train,
        idx_val=val,
        idx_test=test,
        val_frac=float(val_frac),
        image_shape=(28, 28),
    )


def first_vs_last(n: int, length: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random sequences float32 (n, length, 1), uniform in [0, 1), and int32 labels: 1 if the FIRST value is
    larger than the LAST, else 0. Exactly half of each class (shuffled): where a draw disagrees with its planned
    label, its first and last values swap. The values in between are noise, so the answer needs a memory of
    ``length`` steps: SimpleRNN forgets the first value on long sequences, LSTM/GRU keep it."""
    n, length = int(n), int(length)
    if length < 2:
        raise DataError("class_toy_length", n=length)
    rng = np.random.default_rng(seed)
    x = rng.random((n, length), dtype=np.float64).astype(np.float32)
    y = rng.permutation(np.arange(n) % 2).astype(np.int32)
    swap = (x[:, 0] > x[:, -1]).astype(np.int32) != y
    x[swap, 0], x[swap, -1] = x[swap, -1], x[swap, 0].copy()
    ties = x[:, 0] == x[:, -1]  # probability ~0; a tie is "not larger"
    y[ties] = 0
    return x[:, :, None], y


def prepare_class_toy(
    name: str = "first_vs_last",
    n: int = 2000,
    length: int = 20,
    val_frac: float = 0.15,
    test_frac: float = 0.15,
    seed: int = 0,
) -> PreparedClasses:
    """A classification toy, split stratified and seeded (``val_frac`` / ``test_frac`` of ``n``)."""
    if name not in CLASS_TOYS:
        raise ValueError(f"unknown classification toy {name!r}; use one of {', '.join(CLASS_TOYS)}")
    if not (0 <= val_frac < 1 and 0 <= test_frac < 1 and val_frac + test_frac < 1):
        raise DataError("bad_fractions", val=val_frac, test=test_frac)
    X, y = first_vs_last(n, length, seed)
    train, val, test = stratified_split(y, round(n * val_frac), round(n * test_frac), seed)
    return PreparedClasses(
        source=f"toy:{name}",
        window=int(length),
        n_features=1,
        class_names=("first <= last", "first > last"),
        X_train=X[train],
        X_val=X[val],
        X_test=X[test],
        y_train=y[train],
        y_val=y[val],
        y_test=y[test],
        idx_train=train,
        idx_val=val,
        idx_test=test,
        val_frac=float(val_frac),
    )


def prepare_classes_from_values(values, text: str | None = None):
    """The classification dataset the ``data_`` settings in ``values`` describe (session state, URL parameters).

    ``data_source_kind`` "digits" -> MNIST with ``data_digits_limit`` training-side images; "text" -> the text
    dataset of the ``data_text*`` settings (:class:`rnn_lab.data.text.PreparedText`, NSMC sentiment; ``text`` is a
    user's own text); anything else -> the classification toy ``data_class_toy``.
    """

    def v(key):
        try:
            return setting(key).read(values)
        except ValueError as err:  # e.g. a link with data_digits_limit=99999
            raise DataError("bad_setting", reason=str(err)) from None

    kind = v("data_source_kind")
    if kind in ("bundled", "upload"):  # a number series has no class labels
        raise DataError("classify_source", kind=kind)
    if kind == "text":
        return prepare_text_from_values({**values, "task": "classify"}, text)
    if kind == "digits":
        return prepare_digits(v("data_digits_limit"), v("data_val_frac"), v("data_toy_seed"))
    return prepare_class_toy(
        v("data_class_toy"),
        v("data_class_toy_samples"),
        v("data_class_toy_length"),
        v("data_val_frac"),
        v("data_test_frac"),
        v("data_toy_seed"),
    )
