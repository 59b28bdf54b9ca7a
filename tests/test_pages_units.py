"""AppTest: Samsung in won on the Data and Train pages, Korean candles, the forecast's trading days (issue 27)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from helpers import plotly_values as _values
from helpers import wait_for_job as _wait_for_job


def _spec(at, key: str) -> dict:
    for chart in at.get("plotly_chart"):
        if chart.proto.id and key in chart.proto.id or getattr(chart, "key", None) == key:
            return json.loads(chart.proto.spec)
    raise AssertionError(f"no chart {key!r}")


def _samsung(app_test, lang: str, **state):
    at = app_test(page="app_pages/data.py", lang=lang, **state)
    at.radio(key="data_source_kind").set_value("bundled").run()
    assert not at.exception
    return at


@pytest.mark.parametrize(("lang", "up", "unit"), [("ko", "#D55E00", "원"), ("en", "#009E73", "KRW")])
def test_data_page_candles_and_won(app_test, lang, up, unit):
    at = _samsung(app_test, lang)
    series = _spec(at, "data_series_chart")
    candles = series["data"][0]
    assert candles["type"] == "candlestick" and candles["increasing"]["line"]["color"] == up
    assert ("빨강 = 상승" if lang == "ko" else "green = up") in candles["name"]  # the legend says which
    assert f"%{{close:,.0f}} {unit}" in candles["hovertemplate"]
    assert candles["hovertemplate"].startswith("%{x|%Y년 %-m월 %-d일}" if lang == "ko" else "%{x|%a %b %-d, %Y}")
    assert series["layout"]["yaxis"]["tickformat"] == ","  # 45,000 on the axis, not 45k
    assert series["layout"]["xaxis"]["hoverformat"] == ("%Y년 %-m월 %-d일" if lang == "ko" else "%a %b %-d, %Y")
    window = _spec(at, "data_window_chart")
    assert window["data"][0]["hovertemplate"] == f"%{{y:,.0f}} {unit}"
    assert window["layout"]["yaxis"]["title"]["text"] == f"Close ({unit})"


def test_train_page_metrics_hovers_and_forecast_in_won(app_test, keras):
    at = _samsung(app_test, "ko", train_epochs=2)
    at.switch_page("app_pages/train.py").run()
    at.button(key="btn_train_start").click().run()
    job = _wait_for_job(at)
    assert job.state == "done", job.error
    at.run()
    assert not at.exception
    metrics = next(tb.value for tb in at.dataframe if len(tb.value) == 4 and tb.value.shape[1] == 3)
    assert metrics.iloc[0, 0] == "MSE (원²)"
    rmse = metrics.iloc[1, 1]
    assert rmse.endswith(" 원") and "." not in rmse  # e.g. "1,128 원"
    runs = [tb.value for tb in at.table if len(tb.value) == 1]  # the runs table: its RMSE cells in won too
    assert any(str(v).endswith(" 원") and str(v)[0].isdigit() for tb in runs for v in tb.to_numpy().ravel())
    pred = _spec(at, "chart_train_predictions")
    assert all(tr["hovertemplate"] == "%{y:,.0f} 원" for tr in pred["data"])
    assert pred["layout"]["xaxis"]["hoverformat"] == "%Y년 %-m월 %-d일"
    forecast = pred["data"][-1]
    dates = pd.DatetimeIndex(_values(forecast["x"]))
    assert dates[0] == pd.Timestamp("2019-08-05") and (dates.dayofweek < 5).all()  # Fri 2 Aug -> Mon 5 Aug
    assert len(dates) == 20 and (dates == dates.normalize()).all()


@pytest.mark.parametrize(("lang", "unit", "scaled"), [("ko", "원", "스케일된 값")])  # English: test_page_inside
def test_inside_prediction_in_won_beside_the_scaled_value(app_test, keras, lang, unit, scaled):
    at = _samsung(app_test, lang)
    at.switch_page("app_pages/inside.py").run()
    assert not at.exception
    value = at.metric[1].value  # "45,298 원 · 스케일된 값 0.8123"
    won, rest = value.split(" · ")
    assert won.endswith(f" {unit}") and 1_000 < float(won.split()[0].replace(",", "")) < 200_000
    assert rest.startswith(scaled) and -5 < float(rest.split()[-1]) < 5


def test_an_upload_has_a_currency_only_when_the_file_or_the_user_says_so(app_test):
    from helpers import upload

    at = app_test(page="app_pages/data.py", lang="ko")
    upload(at, "krx_005930_202406_cp949.csv")  # KRX prices: no sign in the cells, "종가" names no currency
    assert not at.exception
    assert _spec(at, "data_window_chart")["data"][0]["hovertemplate"].endswith("f}")  # a number, no unit
    at.selectbox(key="data_currency").set_value("KRW").run()  # the teacher says: won
    assert not at.exception
    assert _spec(at, "data_window_chart")["data"][0]["hovertemplate"] == "%{y:,.0f} 원"
    from rnn_lab.data.units import target_currency

    assert target_currency(at.session_state["prepared"]) == "KRW"
    upload(at, "nasdaq_aapl_dollar.csv")  # "$182.01" in the cells: US dollars from the file
    at.selectbox(key="data_currency").set_value("auto").run()
    assert not at.exception
    assert target_currency(at.session_state["prepared"]) == "USD"
    assert _spec(at, "data_window_chart")["data"][0]["hovertemplate"] == "%{y:,.2f} 달러"
