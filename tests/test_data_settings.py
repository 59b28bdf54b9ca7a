"""rnn_lab/data/settings.py's DataConfig: the data stage's settings as one config, and prepare_series, the one path
from a loaded table to a forecast dataset (the Data page and a saved run's settings both take it)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rnn_lab.data.clean import clean
from rnn_lab.data.errors import DataError
from rnn_lab.data.prepare import prepare, prepare_series, split_rows
from rnn_lab.data.settings import DataConfig, config_from_values
from rnn_lab.settings import defaults


def test_the_config_defaults_are_the_settings_defaults():
    assert config_from_values({}) == config_from_values(defaults()) == DataConfig()


def test_config_reads_validates_and_splits_the_feature_columns():
    values = {"data_target": "Close", "data_features": "Volume,Price\\, KRW", "data_window": "12", "data_val_frac": 0.1}
    cfg = config_from_values(values)
    assert (cfg.target, cfg.features, cfg.window, cfg.val_frac) == ("Close", ("Volume", "Price, KRW"), 12, 0.1)
    assert cfg.inputs == ("Volume", "Price, KRW") and cfg.columns == ("Volume", "Price, KRW", "Close")
    assert DataConfig(target="v").inputs == ("v",) and DataConfig(target="v", features=("v",)).columns == ("v",)
    with pytest.raises(DataError, match="data_window: 0 is below the minimum 1") as err:
        config_from_values({"data_window": 0})
    assert err.value.message_key == "bad_setting"
    with pytest.raises(DataError, match="data_scaling: 'robust' is not one of none, minmax, standard"):
        config_from_values({"data_scaling": "robust"})
    config_from_values({"data_text_maxlen": 0})  # another stage's value is not the series' business


def test_prepare_series_is_clean_then_prepare_with_the_filled_labels_marked():
    rng = np.random.default_rng(0)
    v = rng.normal(size=80).cumsum()
    v[[10, 11, 50]] = np.nan  # gaps to fill
    v[30] = 40.0  # an outlier to clip
    frame = pd.DataFrame({"v": v, "w": rng.normal(size=80)})
    cfg = DataConfig("v", ("v", "w"), 6, 2, 0.2, 0.1, "standard", "interpolate", "iqr", 1.5)
    prepared, report = prepare_series(frame, cfg, "upload:x.csv")

    fit_rows, _ = split_rows(80, 0.2, 0.1)
    by_hand, by_hand_report = clean(frame, ["v", "w"], "interpolate", "iqr", 1.5, fit_rows=fit_rows)
    expected = prepare(by_hand, "v", ["v", "w"], 6, 2, 0.2, 0.1, "standard", source="upload:x.csv")
    for split in ("train", "val", "test"):
        np.testing.assert_array_equal(prepared.X(split), expected.X(split))
        np.testing.assert_array_equal(prepared.y(split), expected.y(split))
    assert report.clipped == by_hand_report.clipped >= 1 and report.missing == 3
    assert prepared.source == "upload:x.csv" and prepared.features == ("v", "w")
    assert int(prepared.filled.sum()) == 3  # the filled target values, not scored as real
