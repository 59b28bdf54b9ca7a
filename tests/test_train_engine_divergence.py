"""The divergence guard: NaN/inf or a loss that keeps growing stops the run, says why, offers lr / 10 (issue 27)."""

from __future__ import annotations

import math

import pytest

from rnn_lab.train.engine import GROWTH_EPOCHS, GROWTH_GRACE, divergence_kind, divergence_text, loss_diverging


def test_growth_rule_on_numbers():
    assert loss_diverging([5.0, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0, 34.0])  # 5 rises after the grace, 34x the low
    assert not loss_diverging([5.0, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0])  # too early to tell
    assert not loss_diverging([5.0, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0, 20.0])  # one fall breaks the run
    plateau = [1.0, 0.5, 0.3, 0.2, 0.200, 0.201, 0.202, 0.203, 0.204, 0.205]  # noise rising 5 times
    assert not loss_diverging(plateau)
    adam = [2.6, 2.1, 1.6, 0.9, 0.3, 0.0136, 0.0198, 0.0316, 0.0427, 0.0479]  # Adam's overshoot: 3.5x, climbs back
    assert not loss_diverging(adam)
    assert loss_diverging([2.6, 2.1, 1.6, 0.9, 0.3, 0.5, 0.9, 1.5, 2.2, 2.7])  # past where it started
    # converged to ~1e-6, then wobbling up 5 epochs to 2e-5: twenty times its low, yet nowhere near where it started
    converged = [1.0, 0.2, 0.01, 1e-4, 1e-6, 1.5e-6, 2.5e-6, 5e-6, 1e-5, 2e-5]
    assert not loss_diverging(converged)
    assert loss_diverging([1.0, 0.2, 0.01, 1e-4, 1e-6, 1e-3, 1e-2, 0.05, 0.1, 0.2])  # back to a fifth of its start
    assert GROWTH_EPOCHS == 5 and GROWTH_GRACE == 3


def _counting(scale: float = 1.0):
    from rnn_lab.data.prepare import prepare
    from rnn_lab.data.sources import load_toy

    toy = load_toy("counting", length=15, noise=0.0)
    return prepare(toy.frame * scale, "value", ("value",), 5, 1, 0.0, 0.0, "none", source=toy.source)


def _train(optimizer: str, lr: float, epochs: int = 40, scale: float = 1.0):
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.train.engine import TrainConfig
    from rnn_lab.train.runs import execute

    arch = ArchConfig(cell="SimpleRNN", units=(4,), timesteps=5, features=1)
    return execute(
        _counting(scale), arch, TrainConfig(optimizer=optimizer, learning_rate=lr, epochs=epochs, batch_size=32)
    )


def test_a_huge_learning_rate_stops_on_growth(keras):
    """Real Keras: SGD at lr 0.5 on the counting toy, one full batch an epoch: the loss climbs every epoch from
    the third on; the guard stops at epoch 9 (3 grace epochs + 5 rises), long before the 40 asked for."""
    run = _train("sgd", 0.5)
    assert run.stop_reason == "diverged" and run.epochs_run == GROWTH_GRACE + GROWTH_EPOCHS + 1
    loss = run.history["loss"]
    assert all(math.isfinite(v) for v in loss) and loss[-1] > 100 * min(loss)
    assert divergence_kind(run.history) == "growth"
    assert "grew in each of the last 5 epochs" in divergence_text(run.history, 0.5, "en")
    assert "5 에포크 동안" in divergence_text(run.history, 0.5, "ko")


def test_overflow_stops_at_once(keras):
    """Unscaled values of a million and SGD at lr 10: the loss grows ~10,000-fold an epoch and overflows float32 at
    epoch 8, before the growth rule could speak: the guard stops on the infinite loss, keeping 7 finite epochs."""
    run = _train("sgd", 10.0, scale=1e6)
    assert run.stop_reason == "diverged" and run.epochs_run < GROWTH_GRACE + GROWTH_EPOCHS + 1
    assert all(math.isfinite(v) for v in run.history["loss"])
    assert divergence_kind(run.history) == "nan"
    assert "NaN or infinite" in divergence_text(run.history, 10.0, "en")


def test_a_sound_learning_rate_is_not_stopped(keras):
    run = _train("adam", 0.02, epochs=30)
    assert run.stop_reason is None and run.epochs_run == 30


@pytest.mark.parametrize("lang", ["ko"])  # the English text: test_a_huge_learning_rate_stops_on_growth
def test_train_page_says_why_and_offers_a_tenth(app_test, keras, lang):
    from helpers import wait_for_job as _wait_for_job

    at = app_test(page="app_pages/train.py", lang=lang, train_epochs=40, train_optimizer="sgd", train_lr=0.5)
    settings = {k: at.session_state[k] for k in ("train_epochs", "train_optimizer", "train_batch_size", "train_loss")}
    at.button(key="btn_train_start").click().run()
    assert _wait_for_job(at).state == "done"
    at.run()
    assert not at.exception
    message = " ".join(e.value for e in at.error)
    assert ("diverged" in message and "grew" in message) if lang == "en" else ("발산" in message and "커져" in message)
    at.button(key="btn_train_lr_tenth").click().run()
    assert not at.exception
    assert at.session_state["train_lr"] == pytest.approx(0.05)
    assert {k: at.session_state[k] for k in settings} == settings  # nothing else changed
