import hashlib

import numpy as np
import pytest

from rnn_lab.data.digits import (
    MNIST_DIR,
    first_vs_last,
    load_mnist,
    prepare_class_toy,
    prepare_classes_from_values,
    prepare_digits,
    stratified_split,
    stratified_take,
)
from rnn_lab.data.errors import DataError

MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_shipped_mnist_files_are_the_documented_bytes():
    sums = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in MNIST_DIR.glob("*.gz")}
    assert sums == {
        "t10k-images-idx3-ubyte.gz": "167310007f03058885c7e95e6c0b19c20de5c7fd3031f4cbdadc9014a523d80b",
        "t10k-labels-idx1-ubyte.gz": "fc607395669ec21321ea83e4b82c0544b7e8e63ff5b34337c06bc0a17cc0da3c",
    }


def test_mnist_reader_against_the_real_files():
    images, labels = load_mnist()
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == MNIST_TEST_COUNTS
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]  # the well-known first test labels
    assert images.max() == 255 and images.min() == 0
    assert images[0, :4].sum() == 0 and images[0].sum() > 0  # a digit with blank top rows


def test_digits_shapes_scaling_and_protocol():
    d = prepare_digits(limit=500, val_frac=0.2)
    assert (d.task, d.source, d.input_kind, d.vocab_size) == ("classify", "digits:mnist", "values", None)
    assert (d.window, d.n_features, d.n_classes) == (28, 28, 10)
    assert d.class_names == tuple("0123456789")
    assert d.split_sizes == {"train": 400, "val": 100, "test": 2000}
    assert d.X("train").shape == (400, 28, 28) and d.X("train").dtype == np.float32
    assert d.y("test").dtype == np.int32 and d.y("validation").shape == (100,)
    assert 0.0 <= d.X_test.min() and d.X_test.max() == 1.0
    images, labels = load_mnist()
    i = d.idx_test[5]
    np.testing.assert_array_equal(d.X_test[5], images[i] / np.float32(255))
    assert d.y_test[5] == labels[i]
    # no image in two splits
    assert not set(d.idx_train) & set(d.idx_test) and not set(d.idx_val) & set(d.idx_test)
    assert not set(d.idx_train) & set(d.idx_val)


def test_digits_split_is_stratified_and_the_test_set_fixed():
    small, big = prepare_digits(limit=1000, val_frac=0.1), prepare_digits(limit=8000, val_frac=0.1, seed=3)
    np.testing.assert_array_equal(small.idx_test, big.idx_test)  # the same 2,000 test images whatever is used
    share = np.array(MNIST_TEST_COUNTS) / 10000
    for d in (small, big):
        for split in ("train", "val", "test"):
            counts = d.class_counts(split)
            assert np.abs(counts - share * counts.sum()).max() <= 1.0, (split, counts)
    assert big.split_sizes == {"train": 7200, "val": 800, "test": 2000}
    assert small.class_counts_by_split["test"] == big.class_counts("test").tolist()
    assert small.majority_class() == 1  # "1" is the most frequent digit


def test_digits_are_deterministic_and_seeded():
    a, b, c = prepare_digits(300, 0.1, seed=1), prepare_digits(300, 0.1, seed=1), prepare_digits(300, 0.1, seed=2)
    np.testing.assert_array_equal(a.idx_train, b.idx_train)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    assert not np.array_equal(a.idx_train, c.idx_train)


def test_digits_limit_out_of_range_is_a_plain_message():
    with pytest.raises(DataError, match="20 to 8000"):
        prepare_digits(limit=9000)


def test_stratified_take_sums_exactly():
    labels = np.array([0] * 7 + [1] * 2 + [2] * 1)
    rng = np.random.default_rng(0)
    for n in range(11):
        pick = stratified_take(labels, n, rng)
        assert len(pick) == n == len(set(pick))
    train, val, test = stratified_split(labels, 2, 3, seed=0)
    assert sorted([*train, *val, *test]) == list(range(10))


def test_first_vs_last_labels_and_balance():
    X, y = first_vs_last(1000, 12, seed=4)
    assert X.shape == (1000, 12, 1) and X.dtype == np.float32 and y.dtype == np.int32
    np.testing.assert_array_equal(y, (X[:, 0, 0] > X[:, -1, 0]).astype(np.int32))
    assert np.bincount(y).tolist() == [500, 500]
    X2, y2 = first_vs_last(1000, 12, seed=4)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    with pytest.raises(DataError):
        first_vs_last(10, 1)


def test_class_toy_protocol_and_split():
    d = prepare_class_toy(n=400, length=30, val_frac=0.25, test_frac=0.25, seed=1)
    assert (d.task, d.source, d.window, d.n_features, d.n_classes) == ("classify", "toy:first_vs_last", 30, 1, 2)
    assert d.split_sizes == {"train": 200, "val": 100, "test": 100}
    for split in ("train", "val", "test"):
        assert d.class_counts(split).tolist() == [d.split_sizes[split] // 2] * 2


def test_prepared_from_settings():
    d = prepare_classes_from_values({"data_source_kind": "digits", "data_digits_limit": 100, "data_val_frac": 0.1})
    assert d.source == "digits:mnist" and d.split_sizes["train"] == 90
    t = prepare_classes_from_values({"data_source_kind": "toy", "data_class_toy_length": 7, "data_val_frac": 0.1})
    assert t.source == "toy:first_vs_last" and t.window == 7 and t.split_sizes["val"] == 200


def test_number_series_cannot_be_a_classification_set():
    with pytest.raises(DataError, match="no class labels"):
        prepare_classes_from_values({"data_source_kind": "bundled"})
    with pytest.raises(DataError, match="out of range"):
        prepare_classes_from_values({"data_source_kind": "digits", "data_digits_limit": 99999})
