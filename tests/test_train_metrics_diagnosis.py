"""Issue 14.2: when the model ties or loses, the advice follows from facts measured on its predictions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rnn_lab import i18n
from rnn_lab.train.metrics import diagnose


def frame(train_actual, test_actual, test_pred, train_pred=None):
    train_pred = train_actual if train_pred is None else train_pred
    return pd.DataFrame(
        {
            "split": ["train"] * len(train_actual) + ["test"] * len(test_actual),
            "actual": np.r_[train_actual, test_actual],
            "predicted": np.r_[train_pred, test_pred],
        }
    )


def keys(found):
    return [k for k, _ in found]


def test_a_stock_rising_past_every_training_price_is_extrapolation():
    train = np.linspace(40_000, 60_000, 400)  # won prices
    test = np.linspace(61_000, 80_000, 100)  # all above the training maximum
    found = diagnose(frame(train, test, test - 500), "test", "loses")
    assert keys(found)[0] == "extrapolation"
    values = dict(found)["extrapolation"]
    assert values["above"] == 1.0 and values["below"] == 0.0 and values["high"] == "60,000"
    for lang in ("en", "ko"):  # the message renders with what was measured
        text = i18n.t("train.diagnosis.extrapolation", lang, **values)
        assert "100%" in text and "60,000" in text
    assert "generic" not in keys(found)


def test_a_flat_prediction_is_named():
    rng = np.random.default_rng(0)
    train = rng.normal(size=500)
    test = rng.normal(size=100) * 0.9  # inside the training range
    found = diagnose(frame(train, test, np.full(100, 0.01) + rng.normal(size=100) * 0.01), "test", "loses")
    assert keys(found) == ["flat"]
    assert dict(found)["flat"]["ratio"] < 0.05


def test_too_few_windows_is_named():
    train = np.sin(np.arange(30) / 3)
    test = np.sin(np.arange(30, 40) / 3)
    found = diagnose(frame(train, test, test[::-1]), "test", "ties")
    assert "few_windows" in keys(found) and dict(found)["few_windows"] == {"n": 30, "need": 100}


def test_generic_advice_only_when_nothing_measured_explains_it():
    rng = np.random.default_rng(1)
    train = rng.normal(size=500)
    test = rng.normal(size=100) * 0.8
    assert keys(diagnose(frame(train, test, rng.normal(size=100) * 0.8), "test", "loses")) == ["generic"]


def test_no_diagnosis_when_the_model_wins():
    train = np.linspace(0, 1, 500)
    test = np.linspace(1.1, 2, 100)
    assert diagnose(frame(train, test, test), "test", "beats") == []


def test_the_page_shows_the_extrapolation_on_aapl(app_test, keras):
    """AAPL (2013-2018) rises past every training price: the Train page says so, not "more epochs"."""
    at = app_test(
        page="app_pages/train.py",
        data_source_kind="bundled",
        data_bundled="aapl",
        data_window=20,
        data_val_frac=0.15,
        data_test_frac=0.15,  # the last 15 %: 2017-2018, above every earlier price
        data_scaling="minmax",
        train_epochs=1,
        train_lr=0.0001,  # one tiny step: the model surely loses
    )
    at.button(key="btn_train_start").click().run()
    at.session_state["job_train"].join(timeout=180)
    at.run()
    assert not at.exception
    run = at.session_state["runs"][-1]
    assert run.metrics["verdict"] in ("ties", "loses")
    shown = " ".join(m.value for m in at.markdown)
    assert [k for k, _ in run.metrics["diagnosis"]][0] == "extrapolation"
    assert "Why, from what this page measured" in shown and "Outside the training range" in shown
    assert "% of the test targets lie above the training maximum" in shown
    assert "Try more epochs" not in shown
