"""Issue 9.1: the first training a class sees, every setting at its default, must learn the counting toy."""

from __future__ import annotations

import pytest
from helpers import counting

from rnn_lab.arch.settings import config_from_values as arch_from_values
from rnn_lab.train.settings import DEFAULT_LR, KERAS_LR
from rnn_lab.train.settings import config_from_values as train_from_values


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_default_run_beats_the_naive_baseline_on_counting(keras, seed):
    from rnn_lab.train.runs import execute

    cfg = train_from_values({"train_seed": seed})  # every other setting at its default
    assert cfg.learning_rate == DEFAULT_LR and cfg.epochs == 50 and cfg.optimizer == "adam"
    run = execute(counting(), arch_from_values({}), cfg)
    m = run.metrics
    assert m["verdict"] == "beats", m
    assert m["model"]["rmse"] < m["naive"]["rmse"], m
    assert run.history["loss"][-1] < 0.01  # from about 2.6 at the start


def test_keras_learning_rate_is_one_click_away(app_test):
    at = app_test(page="app_pages/train.py")
    assert at.session_state["train_lr"] == DEFAULT_LR
    assert any(str(KERAS_LR) in c.value and str(DEFAULT_LR) in c.value for c in at.caption)  # why it differs
    at.button(key="btn_train_lr_keras").click().run()
    assert at.session_state["train_lr"] == KERAS_LR and not at.exception
    at.button(key="btn_train_lr_default").click().run()
    assert at.session_state["train_lr"] == DEFAULT_LR and not at.exception
