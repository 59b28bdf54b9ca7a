"""AppTest of the Train page through a short training (the thread is awaited, then the page reruns)."""

from __future__ import annotations

import json

import pytest
from helpers import plotly_values as _values
from helpers import wait_for_job as _wait_for_job


def _figure(at, title_part: str) -> dict:
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        title = spec["layout"].get("title", {}).get("text", "")
        if title_part in title:
            return spec
    raise AssertionError(f"no chart titled {title_part!r}")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_short_training_shows_results(app_test, keras, lang):
    at = app_test(page="app_pages/train.py", lang=lang, train_epochs=5)
    assert not at.exception
    at.button(key="btn_train_start").click().run()
    assert not at.exception
    job = _wait_for_job(at)
    assert job.state == "done", job.error
    at.run()
    assert not at.exception
    runs = at.session_state["runs"]
    assert len(runs) == 1 and runs[0].epochs_run == 5
    # the loss chart holds the 5 epochs of the run
    loss = _figure(at, "Loss per epoch" if lang == "en" else "에포크별 손실")
    assert loss["data"][0]["y"] == pytest.approx(runs[0].history["loss"])
    # the metrics table: 4 metrics, model and naive, on the training windows (counting toy has no test split)
    tables = [df.value for df in at.dataframe]
    metrics = next(tb for tb in tables if len(tb) == 4 and tb.shape[1] == 3)
    assert metrics.iloc[0, 0] == "MSE"
    assert float(metrics.iloc[1, 2]) == pytest.approx(0.1)  # naive RMSE on counting: every step is +0.1
    # the tutorial view: ten targets 0.5 .. 1.4
    tutorial = next(tb for tb in tables if len(tb) == 10)
    assert list(tutorial.iloc[:, 0]) == pytest.approx([0.5 + 0.1 * i for i in range(10)])
    assert any("training windows" in m.value or "학습 윈도우" in m.value for m in at.subheader)
    # predictions in original units, and the recursive forecast (20 steps after the series' last row, 14)
    pred = _figure(at, "Predictions" if lang == "en" else "예측값과 실제값")
    fitted, forecast = pred["data"][1], pred["data"][-1]
    assert _values(fitted["y"]) == pytest.approx(list(runs[0].predictions["predicted"]))
    assert forecast["line"]["dash"] == "dot" and len(_values(forecast["y"])) == 20
    assert _values(forecast["x"])[0] == 15


def _two_runs(app_test, epochs: int):
    """The Train page after two trainings of the counting toy (seeds 0 and 1)."""
    at = app_test(page="app_pages/train.py", train_epochs=epochs)
    for seed in (0, 1):
        at.session_state["train_seed"] = seed
        at.button(key="btn_train_start").click().run()
        _wait_for_job(at)
        at.run()
    return at


def test_second_run_compare_rename_delete(app_test, keras):
    at = _two_runs(app_test, epochs=3)
    assert not at.exception
    runs = at.session_state["runs"]
    assert len(runs) == 2 and runs[0].history != runs[1].history
    assert _figure(at, "Training loss of the chosen runs")["data"][1]["y"] == pytest.approx(runs[1].history["loss"])
    at.text_input(key="btn_train_rename").input("my run").run()
    at.button(key="btn_train_rename_go").click().run()
    assert at.session_state["runs"][1].name == "my run"
    at.button(key="btn_train_delete").click().run()
    assert not at.exception
    assert [r.id for r in at.session_state["runs"]] == [runs[0].id]


def test_renaming_the_run_the_inside_page_shows_keeps_it_there(app_test, keras):
    at = _two_runs(app_test, epochs=2)
    first, _ = at.session_state["runs"]
    at.session_state["inside_source"], at.session_state["inside_run"] = "run", first.name  # chosen on Inside
    at.selectbox(key="btn_train_show").select(first.id).run()
    at.text_input(key="btn_train_rename").input("my first").run()
    at.button(key="btn_train_rename_go").click().run()
    assert at.session_state["inside_run"] == "my first"  # not the latest run when Inside opens again


def test_batch_larger_than_data_is_reported(app_test, keras):
    at = app_test(page="app_pages/train.py", train_epochs=2, train_batch_size=64)  # counting has 10 training windows
    at.button(key="btn_train_start").click().run()
    assert any("one full batch" in m.value for m in at.info)  # said before training
    _wait_for_job(at)
    at.run()
    assert not at.exception
    run = at.session_state["runs"][0]
    assert run.full_batch and run.batch_size == 10
    assert any("one full batch" in m.value for m in at.info)  # and kept with the run


def test_stop_keeps_the_partial_run_and_scores_on_the_test_split(app_test, keras):
    import time

    at = app_test(
        page="app_pages/train.py",
        data_toy="sine",
        data_toy_length=400,
        data_window=20,
        data_val_frac=0.15,
        data_test_frac=0.15,
        data_scaling="minmax",
        train_epochs=2000,
        train_batch_size=8,
    )
    at.button(key="btn_train_start").click().run()
    job = at.session_state["job_train"]
    deadline = time.time() + 120
    while job.snapshot()["epoch"] < 1 and time.time() < deadline:
        time.sleep(0.1)
    at.run()  # the live view is drawn while the job runs
    assert not at.exception
    # AppTest's Progress.value is the proto's whole percent (0-100): "< 1.0" only held in the first 1% of epochs
    assert any(p.value < 100 for p in at.get("progress")), (job.state, job.error, job.snapshot()["epoch"])
    at.button(key="btn_train_stop").click().run()
    _wait_for_job(at)
    at.run()
    assert not at.exception
    run = at.session_state["runs"][-1]
    assert run.stopped and 1 <= run.epochs_run < 2000
    assert len(run.history["val_loss"]) == run.epochs_run
    assert run.metrics["split"] == "test" and run.n["test"] > 0
    assert any("Stopped by you" in w.value for w in at.warning)
    assert any("Metrics on the test split" in s.value for s in at.subheader)
    # the sine's labels cross zero: no MAPE (a dash for model and naive) and a note saying why
    assert run.metrics["mape_note"] == "crosses_zero"
    metrics = next(df.value for df in at.dataframe if len(df.value) == 4 and df.value.shape[1] == 3)
    assert metrics.iloc[3, 0] == "MAPE (%)" and list(metrics.iloc[3, 1:]) == ["—", "—"]
    assert any("MAPE (—) is not shown: the actual values change sign" in c.value for c in at.caption)


def test_a_training_that_ends_during_the_press_shows_its_results_in_that_rerun(app_test, keras, monkeypatch):
    """The press waits up to ui.train.SHORT_JOB_WAIT for a training that started at once: here long enough for any
    machine, so the one rerun of the press draws the results (the wiring, not the timing, is tested)."""
    from ui import train as ui_train

    monkeypatch.setattr(ui_train, "SHORT_JOB_WAIT", 180.0)
    at = app_test(page="app_pages/train.py", train_epochs=3)
    at.button(key="btn_train_start").click().run()
    assert not at.exception
    job = at.session_state["job_train"]
    assert job.state == "done" and job.consumed
    runs = at.session_state["runs"]
    assert len(runs) == 1 and runs[0].epochs_run == 3
    pred = _figure(at, "Predictions")
    assert _values(pred["data"][1]["y"]) == pytest.approx(list(runs[0].predictions["predicted"]))
