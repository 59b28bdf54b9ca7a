"""The Compare view (issue 10): SimpleRNN, LSTM, GRU, Conv1D and Dense on the same split with the same budget, for
both tasks, through the Train page and the library."""

from __future__ import annotations

import json

from helpers import DIGITS as DIGITS_DATA
from helpers import counting

from rnn_lab import i18n

DIGITS = {**DIGITS_DATA, "train_loss": "sparse_categorical_crossentropy"}


def _compare(at):
    at.button(key="btn_train_compare_all").click().run()
    assert not at.exception, at.exception
    at.session_state["job_train"].join(timeout=300)
    at.run()
    assert not at.exception, at.exception
    return at


def test_compare_trains_the_five_on_digits_with_one_budget(app_test, keras):
    at = _compare(app_test(page="app_pages/train.py", **DIGITS, train_epochs=1, arch_units_1=8, arch_filters=8))
    compared = [r for r in at.session_state["runs"] if r.id in at.session_state["compare_ids"]]
    assert [r.arch.cell if r.arch.is_rnn else r.arch.family for r in compared] == [
        "SimpleRNN",
        "LSTM",
        "GRU",
        "conv1d",
        "dense",
    ]
    assert {(r.train.epochs, r.train.seed, r.train.batch_size) for r in compared} == {(1, 0, 32)}
    assert len({tuple(map(len, (r.predictions,))) for r in compared}) == 1  # the same test split for every model
    table = next(d.value for d in at.table if "Parameters" in d.value.columns)
    assert len(table) == 5
    # the parameter column is Keras' own count: SimpleRNN(8) on 28 features + Dense(10)
    assert table["Parameters"].iloc[0] == f"{(8 * 8 + 8 * 28 + 8) + (8 * 10 + 10):,}"
    assert table["Parameters"].tolist() == [f"{r.model.count_params():,}" for r in compared]
    titles = [json.loads(c.proto.spec)["layout"].get("title", {}).get("text", "") for c in at.get("plotly_chart")]
    assert any(i18n.t("train.compare_all_curves", "en", which="validation") == x for x in titles)


def test_compare_works_for_forecasting_in_korean_and_leaves_out_what_cannot_fit(app_test, keras):
    # window 5 with kernel 6: Conv1D cannot slide over it; the others are compared, with a message naming why
    at = _compare(app_test(page="app_pages/train.py", lang="ko", train_epochs=2, arch_kernel_size=6))
    assert any("Conv1D" in w.value for w in at.warning)
    why = i18n.t("arch.err.kernel_too_long", "ko", kernel=6, timesteps=5)  # the reason in Korean, not the library's
    assert any(why in w.value for w in at.warning) and not any("must not exceed" in w.value for w in at.warning)
    compared = [r for r in at.session_state["runs"] if r.id in at.session_state["compare_ids"]]
    assert len(compared) == 4 and all(r.task == "forecast" for r in compared)
    table = next(d.value for d in at.table if i18n.t("train.col_params", "ko") in d.value.columns)
    assert i18n.t("train.col_naive_rmse", "ko") in table.columns and len(table) == 4


def test_a_stopped_comparison_keeps_the_models_it_finished(keras):
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.train.compare import CompareJob
    from rnn_lab.train.settings import TrainConfig

    prepared = counting()

    job = CompareJob(prepared, ArchConfig(), TrainConfig(epochs=2), names=("SimpleRNN", "Dense"))
    job.join(timeout=120)
    assert job.state == "done" and [r.arch.family for r in job.runs] == ["rnn", "dense"]
    stopped = CompareJob(prepared, ArchConfig(), TrainConfig(epochs=2), names=("SimpleRNN", "Dense"))
    stopped.stop()
    stopped.join(timeout=120)
    assert stopped.state == "done" and len(stopped.runs) <= 1
