"""Issue 27: labels that cleaning filled in are not scored as real.

The file is the bundled Yahoo Samsung export with the block 2019-02-07 .. 2019-05-16 (68 trading days) written as
Yahoo writes a day without data (``null`` in every column); forward-fill turns it into a flat line.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import ROOT
from helpers import samsung_with_nulls

from rnn_lab import i18n
from rnn_lab.data.clean import clean, filled_runs
from rnn_lab.data.prepare import prepare, split_rows
from rnn_lab.data.reader import read_bytes
from rnn_lab.train import metrics as M
from rnn_lab.train.runs import mark_filled_labels, score

SAMSUNG = ROOT / "assets" / "data" / "samsung_005930KS_yahoo_2014-2019.csv"
GAP = ("2019-02-07", "2019-05-16")


def prepared_gap(missing: str = "ffill", window: int = 20):
    loaded = read_bytes(samsung_with_nulls(), name="005930.KS.csv")
    fit_rows, _ = split_rows(len(loaded.frame), 0.15, 0.15)
    frame, report = clean(loaded.frame, ["Close"], missing, "leave", fit_rows=fit_rows)
    p = prepare(frame, "Close", ["Close"], window, 1, 0.15, 0.15, "minmax", source="upload:x", filled=report.filled)
    return p, report


def test_filled_runs_finds_runs_of_at_least_min_rows():
    assert filled_runs([0, 1, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1], 5) == [(1, 5), (10, 15)]
    assert filled_runs([0, 0, 1], 5) == []


def test_the_gap_is_named_with_its_dates_and_its_share_of_each_split():
    p, report = prepared_gap()
    assert int(report.filled["Close"].sum()) == 68
    (run,) = p.filled_runs()
    assert (run["start"], run["end"], run["rows"]) == (*GAP, 68)
    n_test = p.split_sizes["test"]
    assert run["share"] == {"train": 0.0, "val": 0.0, "test": pytest.approx(68 / n_test)}
    assert p.label_filled("test").sum() == 68 and not p.label_filled("train").any()
    # the labels flagged are exactly the test windows dated inside the gap
    dates = p.index_labels("test").strftime("%Y-%m-%d")
    assert np.array_equal(p.label_filled("test"), (dates >= GAP[0]) & (dates <= GAP[1]))


def test_dropping_the_missing_rows_leaves_nothing_filled():
    p, _ = prepared_gap("drop")
    assert p.filled is None and p.filled_runs() == [] and not p.label_filled("test").any()


def test_score_leaves_filled_labels_out_of_model_and_naive_metrics():
    p, _ = prepared_gap()
    rng = np.random.default_rng(0)
    parts = []
    import pandas as pd

    for s in ("train", "val", "test"):
        actual = p.actual(s)
        parts.append(
            pd.DataFrame(
                {
                    "split": s,
                    "index": p.index_labels(s),
                    "actual": actual,
                    "predicted": actual + rng.normal(0, 500, len(actual)),
                    "naive": p.naive(s),
                }
            )
        )
    pred = mark_filled_labels(pd.concat(parts, ignore_index=True), p)
    m = score(pred, p.split_sizes)
    real = pred[(pred["split"] == "test") & ~pred["filled"]]
    assert m["left_out"] == 68 and m["scored"] == len(real) == p.split_sizes["test"] - 68
    assert m["model"]["rmse"] == pytest.approx(M.rmse(real["actual"], real["predicted"]), rel=1e-12)
    assert m["naive"]["rmse"] == pytest.approx(M.rmse(real["actual"], real["naive"]), rel=1e-12)
    everything = pred[pred["split"] == "test"]
    assert m["naive"]["rmse"] != pytest.approx(M.rmse(everything["actual"], everything["naive"]))  # it matters
    key, values = m["diagnosis"][0]
    assert key == "filled_labels" and values == {"n": 68, "total": p.split_sizes["test"], "split": "test"}
    for lang in ("en", "ko"):
        assert "68" in i18n.t("train.diagnosis.filled_labels", lang, **values)


def _upload_gap(app_test, lang):
    at = app_test(page="app_pages/data.py", lang=lang)
    at.radio(key="data_source_kind").set_value("upload").run()
    return at.file_uploader(key="upload_data").set_value(("005930.KS.csv", samsung_with_nulls(), "text/csv")).run()


def _values(values) -> np.ndarray:
    """Plotly 6 sends arrays as {"dtype", "bdata"} (base64); plain lists otherwise."""
    import base64

    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _figure(at, key):
    import json

    return json.loads(next(c for c in at.get("plotly_chart") if c.proto.id and key in c.proto.id).proto.spec)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_data_page_names_the_gap_and_draws_what_the_model_trains_on(app_test, lang):
    at = _upload_gap(app_test, lang)
    assert not at.exception
    p = at.session_state["prepared"]
    (run,) = p.filled_runs()
    expected = i18n.t(
        "data.prep.filled_run", lang, target="Close", **{k: v for k, v in run.items() if k != "share"}, **run["share"]
    )
    assert expected in [w.value for w in at.warning]
    assert "2019-02-07" in expected and "2019-05-16" in expected
    fig = _figure(at, "data_series_chart")
    trace = next(tr for tr in fig["data"] if tr.get("name") == i18n.t("data.prep.filled_marker", lang))
    ys = _values(trace["y"])
    ys = ys[np.isfinite(ys)]
    before = float(p.series.loc[:"2019-02-06", "Close"].iloc[-1])  # the last real close before the gap
    assert len(ys) == 69 and set(ys.tolist()) == {before}  # flat: the forward-filled values, not an interpolated slope
    missing = next(tr for tr in fig["data"] if tr.get("name") == i18n.t("data.look.missing_marker", lang))
    assert set(_values(missing["y"]).tolist()) == {before}


def test_train_page_warns_about_the_gap_and_shows_the_windows_left_out(app_test, keras):
    at = _upload_gap(app_test, "ko")
    at.switch_page("app_pages/train.py").run()
    p = at.session_state["prepared"]
    (run,) = p.filled_runs()
    warning = i18n.t("train.filled_warning", "ko", **{k: v for k, v in run.items() if k != "share"}, **run["share"])
    assert warning in [w.value for w in at.warning]
    at.session_state["arch_units_1"] = 4
    at.session_state["train_epochs"] = 1
    at.run()
    at.button(key="btn_train_start").click().run()
    at.session_state["job_train"].join(timeout=180)
    at.run()
    assert not at.exception
    result = at.session_state["runs"][-1]
    m = result.metrics
    assert m["split"] == "test" and m["left_out"] == 68  # a real training run scores only the real labels
    test = result.predictions[result.predictions["split"] == "test"]
    assert int(test["filled"].sum()) == 68  # kept in the predictions, shown apart
    real = test[~test["filled"]]
    assert m["model"]["rmse"] == pytest.approx(M.rmse(real["actual"], real["predicted"]), rel=1e-9)
    assert m["naive"]["rmse"] == pytest.approx(M.rmse(real["actual"], real["naive"]), rel=1e-9)
    assert m["skill"] == pytest.approx(1 - m["model"]["rmse"] / m["naive"]["rmse"])
    assert [k for k, _ in m["diagnosis"]][0] == "filled_labels"
    caption = i18n.t(
        "train.left_out",
        "ko",
        n=68,
        total=m["scored"] + 68,
        split=i18n.t("train.split_short.test", "ko"),
        scored=m["scored"],
    )
    assert caption in [c.value for c in at.caption]
    fig = _figure(at, "chart_train_predictions")
    apart = next(tr for tr in fig["data"] if tr.get("name") == i18n.t("train.filled_point", "ko"))
    assert len(_values(apart["y"])) == 68
    assert any("채운 레이블" in m.value for m in at.markdown)  # the diagnosis names the filled labels
    notebook = next(d for d in at.get("download_button") if d.proto.label == i18n.t("train.export_notebook", "ko"))
    assert notebook.proto.help == i18n.t("train.export_notebook_help", "ko")
