"""Toys, windowing, splits and scaling: shapes, label alignment, and statistics from the training rows only."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn_lab.data.clean import clean, outlier_bounds
from rnn_lab.data.errors import DataError
from rnn_lab.data.prepare import make_windows, prepare, split_rows
from rnn_lab.data.settings import SETTINGS, source_defaults
from rnn_lab.data.toys import TOYS, make_toy, recommended_window

TOL = 1e-6


def test_counting_is_the_keras_tutorial():
    df = make_toy("counting")
    assert df["value"].tolist() == pytest.approx([i / 10 for i in range(15)], abs=1e-12)
    d = prepare(df, "value", window=5, horizon=1, val_frac=0, test_frac=0, scaling="none", source="toy:counting")
    assert d.X_train.shape == (10, 5, 1) and d.y_train.shape == (10,)
    assert d.X_train.dtype == np.float32 and d.y_train.dtype == np.float32
    np.testing.assert_allclose(d.X_train[0, :, 0], [0.0, 0.1, 0.2, 0.3, 0.4], atol=TOL)
    assert d.y_train[0] == pytest.approx(0.5, abs=TOL)
    assert d.y_train[-1] == pytest.approx(1.4, abs=TOL)
    assert d.split_sizes == {"train": 10, "val": 0, "test": 0}
    np.testing.assert_allclose(d.naive("train"), np.arange(4, 14) / 10, atol=TOL)  # value just before the label


def test_settings_defaults_are_the_tutorial():
    defaults = {s.key: s.default for s in SETTINGS}
    assert defaults["data_toy"] == "counting" and defaults["data_window"] == 5 and defaults["data_horizon"] == 1
    assert defaults["data_val_frac"] == 0 and defaults["data_test_frac"] == 0 and defaults["data_scaling"] == "none"
    for s in SETTINGS:
        assert s.key.startswith("data_")
        s.validate(s.default)
    other = source_defaults("toy", "sine")
    assert other["data_val_frac"] == 0.15 and other["data_scaling"] == "minmax"
    assert source_defaults("toy", "long_memory")["data_window"] == TOYS["long_memory"].params["lag"]
    assert source_defaults("bundled", bundled="samsung")["data_target"] == "Close"


@pytest.mark.parametrize("name", list(TOYS))
def test_every_toy_is_a_finite_value_column(name):
    df = make_toy(name, length=200, seed=3)
    assert list(df.columns) == ["value"] and len(df) == 200 and isinstance(df.index, pd.RangeIndex)
    assert np.isfinite(df["value"]).all()
    assert df.equals(make_toy(name, length=200, seed=3))  # seeded


def test_long_memory_depends_on_the_lag_not_on_recent_values():
    lag = recommended_window("long_memory")
    s = make_toy("long_memory", length=5000, seed=1)["value"].to_numpy()
    far = np.corrcoef(s[lag:], s[:-lag])[0, 1]
    near = np.corrcoef(s[1:], s[:-1])[0, 1]
    assert far > 0.85 and abs(near) < 0.1
    d = prepare(pd.DataFrame({"value": s}), "value", window=lag, horizon=1, val_frac=0, test_frac=0, scaling="none")
    # the answer is the FIRST value of the window (rho ~ 0.95), not the last one
    first = np.corrcoef(d.X_train[:, 0, 0], d.y_train)[0, 1]
    last = np.corrcoef(d.X_train[:, -1, 0], d.y_train)[0, 1]
    assert first > 0.85 and abs(last) < 0.1


def test_make_toy_rejects_unknown_names_and_parameters():
    with pytest.raises(ValueError, match="unknown toy"):
        make_toy("nope")
    with pytest.raises(ValueError, match="no parameter"):
        make_toy("sine", lag=3)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(8, 120), window=st.integers(1, 12), horizon=st.integers(1, 5), features=st.integers(1, 3))
def test_windows_match_a_python_loop(n, window, horizon, features):
    values = np.random.default_rng(n).normal(size=(n, features))
    X, label_rows = make_windows(values, window, horizon)
    expect = [values[i : i + window] for i in range(n - window - horizon + 1)]
    assert X.shape == (max(0, n - window - horizon + 1), window, features)
    if expect:
        np.testing.assert_array_equal(X, np.stack(expect))
        assert label_rows[0] == window - 1 + horizon
        np.testing.assert_array_equal(np.diff(label_rows), 1)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(40, 300),
    window=st.integers(1, 10),
    horizon=st.integers(1, 4),
    val=st.sampled_from([0.0, 0.1, 0.2]),
    test=st.sampled_from([0.0, 0.1, 0.2]),
)
def test_labels_are_the_value_horizon_steps_after_each_window(n, window, horizon, val, test):
    df = pd.DataFrame({"a": np.arange(n, dtype=float) * 2.0, "b": np.sqrt(np.arange(n) + 1.0)})
    d = prepare(df, "a", ("a", "b"), window, horizon, val, test, scaling="none")
    for split in ("train", "val", "test"):
        X, y, idx = d.X(split), d.y(split), d.idx(split)
        assert X.shape == (len(y), window, 2) and idx.shape == y.shape
        if len(y):
            # the last time step of the window is `horizon` rows before the label
            np.testing.assert_allclose(X[:, -1, 0] + 2.0 * horizon, y, atol=1e-3)
            np.testing.assert_allclose(d.actual(split), df["a"].to_numpy()[idx])
            np.testing.assert_allclose(d.naive(split), df["a"].to_numpy()[idx - horizon])
    b1, b2 = split_rows(n, val, test)
    assert (d.idx_train < b1).all() and ((d.idx_val >= b1) & (d.idx_val < b2)).all() and (d.idx_test >= b2).all()
    assert sum(d.split_sizes.values()) == n - window - horizon + 1  # every window in exactly one split


@pytest.mark.parametrize("scaling", ["minmax", "standard"])
def test_scaler_is_fitted_on_the_training_rows_only(scaling):
    # a series that grows: statistics of the whole series differ from those of the training rows
    s = np.linspace(0, 1, 200) ** 2 * 100 + np.sin(np.arange(200))
    df = pd.DataFrame({"value": s})
    d = prepare(df, "value", window=10, horizon=1, val_frac=0.15, test_frac=0.15, scaling=scaling)
    b1, _ = split_rows(200, 0.15, 0.15)
    train_rows = s[:b1]
    if scaling == "minmax":
        assert d.scaler.offset[0] == pytest.approx(train_rows.min())
        assert d.scaler.scale[0] == pytest.approx(train_rows.max() - train_rows.min())
        assert d.scaler.scale[0] != pytest.approx(s.max() - s.min())
        assert d.X_train.min() >= -TOL and d.X_train.max() <= 1 + TOL
        assert d.y_test.max() > 1.0  # the test period lies above the training range: no leak hides it
    else:
        assert d.scaler.offset[0] == pytest.approx(train_rows.mean())
        assert d.scaler.scale[0] == pytest.approx(train_rows.std())
        assert d.scaler.offset[0] != pytest.approx(s.mean())
    assert d.scaler.fit_rows == b1
    # inverse_y brings the labels back to original units
    np.testing.assert_allclose(d.inverse_y(d.y_test), d.actual("test"), rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(d.inverse_y(d.y_train), d.actual("train"), rtol=1e-5, atol=1e-3)


def test_constant_training_column_does_not_divide_by_zero():
    df = pd.DataFrame({"x": [1.0] * 30 + list(range(10)), "y": np.arange(40.0)})
    d = prepare(df, "y", ("x", "y"), window=3, val_frac=0.2, test_frac=0.0, scaling="minmax")
    assert np.isfinite(d.X_train).all() and np.isfinite(d.X_val).all()


@pytest.mark.parametrize(
    ("df", "kwargs", "key"),
    [
        (pd.DataFrame({"v": np.arange(5.0)}), {"window": 10}, "too_short"),
        (pd.DataFrame({"v": np.arange(30.0)}), {"window": 10, "val_frac": 0.4, "test_frac": 0.4}, "no_train"),
        (pd.DataFrame({"v": np.ones(30)}), {}, "constant"),
        (pd.DataFrame({"v": [np.nan] * 30}), {}, "target_all_missing"),
        (pd.DataFrame({"v": [1.0, np.nan] * 15}), {}, "missing_left"),
        (pd.DataFrame({"v": np.r_[np.arange(29.0), np.inf]}), {}, "not_finite"),
        (pd.DataFrame({"v": np.arange(30.0)}), {"val_frac": 0.6, "test_frac": 0.5}, "bad_fractions"),
        (pd.DataFrame({"v": np.arange(30.0)}), {"target": "w"}, "no_target"),
    ],
)
def test_impossible_settings_raise_a_plain_message(df, kwargs, key):
    kwargs = {"target": "v", "window": 3, **kwargs}
    with pytest.raises(DataError) as info:
        prepare(df, **kwargs)
    assert info.value.message_key == key
    assert isinstance(info.value, ValueError)
    assert info.value.text("ko") and info.value.text("en") == str(info.value)


def test_cleaning_counts_and_train_only_clip_limits():
    v = np.r_[np.arange(20.0), [np.nan, np.nan], np.arange(22.0, 40.0)]
    v[5] = 500.0  # an outlier in the training rows
    df = pd.DataFrame({"v": v})
    out, rep = clean(df, ["v"], "interpolate", "leave")
    assert rep.missing == 2 and rep.rows_dropped == 0 and out["v"].iloc[20] == pytest.approx(20.0)
    out, rep = clean(df, ["v"], "drop", "leave")
    assert rep.rows_dropped == 2 and len(out) == 38
    out, rep = clean(df, ["v"], "ffill", "iqr", k=1.5, fit_rows=30)
    assert rep.bounds["v"] == pytest.approx(outlier_bounds(df["v"].ffill().to_numpy()[:30], "iqr", 1.5))
    assert rep.bounds["v"] != pytest.approx(outlier_bounds(df["v"].ffill().to_numpy(), "iqr", 1.5))
    assert rep.clipped >= 1 and out["v"].max() <= rep.bounds["v"][1] + TOL and out["v"].iloc[5] < 500
    assert rep.changed["v"].iloc[5]
    out, rep = clean(pd.DataFrame({"v": [np.nan, 1.0, 2.0, 3.0]}), ["v"], "ffill")
    assert rep.rows_dropped == 1  # nothing before the first value to carry forward
