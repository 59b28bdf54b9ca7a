"""Gradient connectivity: exact against finite differences, and the vanishing gradient on long_memory."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_lab.inside import connectivity as C


def _tiny(keras, cell="SimpleRNN", dense=1, steps=6, features=2, seed=0):
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.arch.keras_model import build_model

    return build_model(ArchConfig(cell=cell, units=(4,), timesteps=steps, features=features, dense_units=dense), seed)


@pytest.mark.parametrize("cell,dense", [("SimpleRNN", 1), ("LSTM", 1), ("GRU", 3)])
def test_connectivity_matches_finite_differences(keras, cell, dense):
    """||dŷ/dx_t||_F from GradientTape equals central differences of the model output (float64 NumPy rewrite)."""
    from rnn_lab.inside.numpy_rnn import run_model

    model = _tiny(keras, cell, dense)
    x = np.random.default_rng(1).normal(size=(6, 2))
    conn = C.connectivity(model, x)
    assert conn.shape == (1, 6)
    eps = 1e-5
    jac = np.zeros((dense, 6, 2))  # dŷ_k / dX[t, f]
    for t in range(6):
        for f in range(2):
            up, down = x.copy(), x.copy()
            up[t, f] += eps
            down[t, f] -= eps
            jac[:, t, f] = (run_model(model, up).output[0] - run_model(model, down).output[0]) / (2 * eps)
    expected = np.sqrt((jac**2).sum(axis=(0, 2)))  # (T,)
    np.testing.assert_allclose(conn[0], expected, rtol=1e-3, atol=1e-6)


def test_connectivity_is_per_window(keras):
    """A batch of windows gives each window its own gradient (windows do not mix)."""
    model = _tiny(keras, "GRU")
    xs = np.random.default_rng(2).normal(size=(3, 6, 2)).astype("float32")
    together = C.connectivity(model, xs)
    alone = np.vstack([C.connectivity(model, w) for w in xs])
    np.testing.assert_allclose(together, alone, rtol=1e-5, atol=1e-8)


def test_early_late_ratio():
    assert C.early_late_ratio(np.array([1.0, 1, 1, 1])) == pytest.approx(1.0)
    assert C.early_late_ratio(np.array([0.01, 0.1, 1, 2, 4, 8, 10, 10])) == pytest.approx(0.055 / 10)
    assert C.early_late_ratio(np.array([[2.0, 0, 0, 1], [0.0, 0, 0, 1]])) == pytest.approx(1.0)  # mean over windows


def test_vanishing_gradient_on_long_memory(keras):
    """Same seed, data, size and budget: SimpleRNN's connectivity fades towards early steps, LSTM's much less."""
    result = C.run_experiment(C.ExperimentConfig(cells=("SimpleRNN", "LSTM")))
    by = result.by_cell()
    simple, lstm = by["SimpleRNN"], by["LSTM"]
    assert simple.connectivity.shape == lstm.connectivity.shape == (result.config.lag,)
    assert len(simple.val_loss) == len(lstm.val_loss) == result.config.epochs
    assert simple.ratio < 0.25  # early inputs barely reach SimpleRNN's prediction
    assert lstm.ratio > 4 * simple.ratio  # LSTM keeps them connected
    assert lstm.connectivity[0] > simple.connectivity[0]  # the answer lives at step 1 of the window
    assert lstm.val_loss[-1] < 0.5 * lstm.baseline_mse  # and LSTM actually learned the long memory
    text = C.conclusion(result, "en")
    assert f"{simple.ratio:.3g}" in text and f"{lstm.ratio:.3g}" in text
    assert "SimpleRNN" in text and "LSTM" in text


def _fake(ratios: dict[str, float], losses: dict[str, float]) -> C.ExperimentResult:
    rows = [
        C.CellResult(
            cell=c,
            val_loss=[1.0, losses[c]],
            train_loss=[1.0, losses[c]],
            connectivity=np.ones(4),
            ratio=ratios[c],
            baseline_mse=1.0,
            seconds=1.0,
        )
        for c in ratios
    ]
    return C.ExperimentResult(config=C.ExperimentConfig(), results=rows)


def test_conclusion_is_built_from_the_numbers():
    """The sentence follows the numbers: which cell fades, by how much, which learned; in both languages."""
    fades = C.conclusion(
        _fake({"SimpleRNN": 0.02, "LSTM": 3.0, "GRU": 2.0}, {"SimpleRNN": 0.9, "LSTM": 0.2, "GRU": 0.3})
    )
    assert "SimpleRNN" in fades and "0.02" in fades and "150 times" in fades
    assert "Learned the long memory" in fades and "LSTM, GRU" in fades
    assert "Did not learn" in fades  # SimpleRNN stayed at 0.9 of the baseline
    flipped = C.conclusion(
        _fake({"SimpleRNN": 3.0, "LSTM": 0.05, "GRU": 2.0}, {"SimpleRNN": 0.2, "LSTM": 0.9, "GRU": 0.3})
    )
    assert "The gradient of LSTM fades" in flipped  # not a canned "SimpleRNN loses" sentence
    same = C.conclusion(_fake({"SimpleRNN": 1.0, "LSTM": 1.2, "GRU": 1.1}, {"SimpleRNN": 0.3, "LSTM": 0.3, "GRU": 0.3}))
    assert "No clear vanishing gradient" in same
    lag20 = C.conclusion(
        _fake({"SimpleRNN": 7.3, "LSTM": 11.3, "GRU": 3.0}, {"SimpleRNN": 0.2, "LSTM": 0.2, "GRU": 0.2})
    )
    assert "fades" not in lag20 and "lowest early/late ratio is 3 (GRU)" in lag20  # ratios > 1: nothing faded
    ko = C.conclusion(
        _fake({"SimpleRNN": 0.02, "LSTM": 3.0, "GRU": 2.0}, {"SimpleRNN": 0.9, "LSTM": 0.2, "GRU": 0.3}), "ko"
    )
    assert "SimpleRNN" in ko and "0.02" in ko and "기울기" in ko


@pytest.mark.parametrize(
    "bad", [{"lag": 1}, {"units": 0}, {"epochs": 0}, {"cells": ("RNN",)}, {"lag": 50, "length": 100}]
)
def test_experiment_config_rejects_bad_values(bad):
    with pytest.raises(ValueError):
        C.ExperimentConfig(**bad).validate()


def test_one_lag_for_the_toy_the_data_page_the_experiment_and_the_lesson():
    """long_memory's default lag is the experiment's and the lesson's (no exception anywhere): 40."""
    from rnn_lab import lessons
    from rnn_lab.data.settings import SETTINGS as DATA_SETTINGS
    from rnn_lab.data.settings import source_defaults
    from rnn_lab.data.toys import TOYS, recommended_window
    from rnn_lab.inside.settings import SETTINGS as INSIDE_SETTINGS
    from rnn_lab.settings import all_settings

    lag = TOYS["long_memory"].params["lag"]
    assert lag == 40 == C.ExperimentConfig().lag == recommended_window("long_memory") == TOYS["long_memory"].window
    assert {s.key: s.default for s in DATA_SETTINGS}["data_toy_lag"] == lag
    assert {s.key: s.default for s in INSIDE_SETTINGS}["inside_exp_lag"] == lag
    picked = source_defaults("toy", "long_memory")
    assert picked["data_toy_lag"] == picked["data_window"] == lag
    v = lessons.start_values(lessons.LESSONS["why_lstm"], 0, {}, all_settings())
    assert v["data_toy_lag"] == v["data_window"] == v["inside_exp_lag"] == lag


TINY = {"lag": 8, "units": 3, "epochs": 3}  # seconds, not the real experiment


def test_stop_keeps_the_finished_cells_and_leaves_out_the_one_in_training(keras):
    import threading

    stop = threading.Event()
    seen = []

    def progress(fraction, cell):
        seen.append(cell)
        if cell == "LSTM":  # SimpleRNN is finished, LSTM has started: Stop now
            stop.set()

    finished = []
    result = C.run_experiment(C.ExperimentConfig(**TINY), progress=progress, stop=stop, on_cell=finished.append)
    assert [r.cell for r in result.results] == ["SimpleRNN"] == [r.cell for r in finished]
    assert result.stopped and result.interrupted == "LSTM" and result.missing == ["LSTM", "GRU"]
    assert len(result.results[0].val_loss) == TINY["epochs"]  # the finished cell kept its whole budget
    assert "GRU" not in seen
    text = C.conclusion(result, "en")
    assert text.startswith("SimpleRNN reached a validation MSE of") and "to the end" in text
    assert "SimpleRNN" in C.conclusion(result, "ko")


def test_stop_before_the_start_runs_nothing(keras):
    import threading

    stop = threading.Event()
    stop.set()
    result = C.run_experiment(C.ExperimentConfig(**TINY), stop=stop)
    assert result.results == [] and result.stopped and result.interrupted is None
    assert result.missing == list(C.EXPERIMENT_CELLS) and C.conclusion(result) == ""


def test_experiment_job_runs_in_a_thread_and_reports_progress(keras):
    job = C.ExperimentJob(C.ExperimentConfig(**TINY, cells=("SimpleRNN", "GRU")))
    job.join(600)
    snap = job.snapshot()
    assert job.state == "done" and not job.running and snap["state"] == "done"
    assert snap["done"] == ["SimpleRNN", "GRU"] and snap["fraction"] == pytest.approx(1.0)
    assert [r.cell for r in job.result.results] == ["SimpleRNN", "GRU"] and not job.result.stopped
    with pytest.raises(ValueError, match="units"):
        C.ExperimentJob(C.ExperimentConfig(units=0))  # a bad setting is an error at once, not a dead thread


def _text_model(keras, task, **arch):
    from rnn_lab.arch.config import ArchConfig, training_variant
    from rnn_lab.arch.keras_model import build_model
    from rnn_lab.data.text import prepare_text

    source = "tiny-ko" if task == "next_token" else "nsmc"
    p = prepare_text(source, "char", maxlen=8, padding="post" if task == "next_token" else "pre", limit=100)
    return p, build_model(training_variant(ArchConfig(**{"units": (4,), "embedding_dim": 3, **arch}), p), 0)


@pytest.mark.parametrize(
    ("task", "arch"),
    [
        ("next_token", {"cell": "LSTM", "mask_zero": True, "units": (4, 3)}),
        ("classify", {"cell": "GRU", "bidirectional": True}),
        ("classify", {"family": "conv1d", "kernel_size": 3}),
    ],
)
def test_token_connectivity_runs_the_model_from_its_embedding_and_matches_finite_differences(keras, task, arch):
    """The model run layer by layer from the Embedding's vectors equals the model on the ids; ||dŷ/de_t|| equals
    central differences on e_t (float32, so a loose tolerance); [PAD] steps skipped by the mask get no gradient."""
    p, model = _text_model(keras, task, **arch)
    ids = p.X_train[:2]
    e, mask = C.embedded(model, ids)
    np.testing.assert_allclose(np.asarray(C.after_embedding(model, e, mask)), np.asarray(model(ids)), atol=1e-6)
    at = int(np.flatnonzero(ids[0])[-1]) + 1  # next_token: the answer after the last real token
    conn = C.token_connectivity(model, ids[:1], at=at)
    e0 = np.asarray(e)[:1].astype(np.float64)

    def answer(vectors):
        out = np.asarray(C.after_embedding(model, vectors.astype("float32"), None if mask is None else mask[:1]))
        return out[0, at - 1].max(keepdims=True) if out.ndim == 3 else out[0]

    eps = 1e-3  # small: Conv1D's max pooling is piecewise
    T, d = e0.shape[1:]
    jac = np.zeros((len(answer(e0)), T, d))
    for t in range(T):
        for f in range(d):
            up, down = e0.copy(), e0.copy()
            up[0, t, f] += eps
            down[0, t, f] -= eps
            jac[:, t, f] = (answer(up) - answer(down)) / (2 * eps)
    np.testing.assert_allclose(conn[0], np.sqrt((jac**2).sum(axis=(0, 2))), rtol=2e-2, atol=1e-5)
    if mask is not None:
        assert np.all(conn[0][~np.asarray(mask[0])] == 0)  # masked [PAD] steps: no path to the answer
