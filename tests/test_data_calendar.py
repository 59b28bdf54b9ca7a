"""The series' own calendar for the recursive forecast, and numbers in the units the class knows (issue 27)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from rnn_lab.data.calendar import series_calendar
from rnn_lab.data.sources import load_bundled
from rnn_lab.data.units import (
    apply_units,
    axis_title,
    column_currency,
    currency_from_name,
    date_hoverformat,
    format_amount,
)
from rnn_lab.train.metrics import future_index


def test_business_day_series_forecasts_monday_after_friday():
    """Samsung's last row is Friday 2019-08-02: the forecast goes on Mon 5, Tue 6, ... never a weekend, never 11:44."""
    index = load_bundled("samsung").frame.index
    assert index[-1] == pd.Timestamp("2019-08-02") and index[-1].dayofweek == 4
    assert series_calendar(index) == "B"
    future = future_index(index, 10)
    assert future[0] == pd.Timestamp("2019-08-05")  # Monday
    assert (future.dayofweek < 5).all() and (future == future.normalize()).all()
    assert list(future[:6].day) == [5, 6, 7, 8, 9, 12]


def test_business_days_survive_holidays_and_a_short_tail():
    """Holiday gaps (Chuseok: a week without trading) still read as business days; the weekend rule needs dates."""
    days = pd.bdate_range("2021-09-01", "2021-10-15")
    days = days[(days < "2021-09-20") | (days > "2021-09-22")]  # Chuseok 2021
    assert series_calendar(days) == "B"
    assert future_index(days, 1)[0] == pd.Timestamp("2021-10-18")  # Friday 15 -> Monday 18


@pytest.mark.parametrize(
    ("dates", "calendar", "first"),
    [
        (pd.date_range("2020-01-01", periods=30, freq="D"), "D", "2020-01-31"),  # weekends included: daily
        (pd.date_range("2020-01-05", periods=20, freq="W-SUN"), "W", "2020-05-24"),
        (pd.date_range("1949-01-01", periods=24, freq="MS"), "MS", "1951-01-01"),
        (pd.date_range("2020-01-31", periods=10, freq="ME"), "ME", "2020-11-30"),
        (pd.date_range("2020-01-15", periods=10, freq=pd.DateOffset(months=1)), "M", "2020-11-15"),
        (pd.date_range("2000-01-01", periods=10, freq="YS"), "YS", "2010-01-01"),
        (pd.date_range("2020-01-01", periods=10, freq="h"), pd.Timedelta(hours=1), "2020-01-01 10:00"),
    ],
)
def test_calendars(dates, calendar, first):
    assert series_calendar(dates) == calendar
    assert future_index(dates, 3)[0] == pd.Timestamp(first)


def test_bundled_monthly_series_continue_by_month():
    for name, first in (("airline", "1961-01-01"), ("sunspots", "1984-01-01")):
        future = future_index(load_bundled(name).frame.index, 3)
        assert list(future) == list(pd.date_range(first, periods=3, freq="MS"))


def test_irregular_dates_and_row_numbers_count_steps():
    irregular = pd.DatetimeIndex(["2020-01-01", "2020-01-04", "2020-01-20", "2020-03-01", "2020-03-02"])
    assert series_calendar(irregular) is None
    assert list(future_index(irregular, 3)) == [5, 6, 7]
    assert list(future_index(pd.RangeIndex(15), 2)) == [15, 16]


def test_currency_of_bundled_series_and_uploads():
    assert column_currency("bundled:samsung", "Close") == "KRW"
    assert column_currency("bundled:samsung", "Volume") is None  # shares, not money
    assert column_currency("bundled:aapl", "Open") == "USD"
    assert column_currency("bundled:airline", "Passengers") is None
    assert column_currency("toy:sine", "value") is None
    assert column_currency("upload:x.csv", "Close") is None  # nothing says so: no guess
    assert column_currency("upload:x.csv", "Close", {"Close": "₩"}) == "KRW"  # the cells carried the sign
    assert column_currency("upload:x.csv", "Price", {"Price": "$"}) == "USD"
    assert column_currency("upload:x.csv", "Price", {"Price": "₹"}) == "₹"  # unknown sign: as written
    assert currency_from_name("Close (KRW)") == "KRW" and currency_from_name("price_usd") == "USD"
    assert currency_from_name("종가(원)") == "KRW" and currency_from_name("가격 달러") == "USD"
    assert currency_from_name("Count") is None and currency_from_name("Kurwa index") is None
    assert currency_from_name("원래값") is None  # 원 inside a word is not a currency


def test_format_amount():
    assert format_amount(45298.12, "KRW", "ko") == "45,298 원"
    assert format_amount(655.4, "KRW", "en") == "655 KRW"
    assert format_amount(172.5, "USD", "en") == "172.50 USD"
    assert format_amount(172.5, "USD", "ko") == "172.50 달러"
    assert format_amount(0.12345, None, "en") == "0.1235"
    assert format_amount(-0.2, "KRW", "ko") == "0 원"  # no "-0"
    assert format_amount(float("nan"), "KRW", "ko") == "-"
    assert axis_title("Close", "KRW", "ko") == "Close (원)" and axis_title("Close", None, "ko") == "Close"


def test_plotly_hovers_in_won_and_full_dates():
    index = load_bundled("samsung").frame.index[-30:]
    fig = go.Figure(go.Scatter(x=index, y=np.linspace(45000, 46000, 30)))
    apply_units(fig, index, "KRW", "ko")
    assert fig.data[0].hovertemplate == "%{y:,.0f} 원"
    assert fig.layout.xaxis.hoverformat == "%Y년 %-m월 %-d일"
    assert fig.layout.yaxis.tickformat == ","  # 45,000 on the axis, never 45k
    apply_units(fig := go.Figure(go.Scatter(x=index, y=np.ones(30))), index, "KRW", "en")
    assert fig.data[0].hovertemplate == "%{y:,.0f} KRW" and fig.layout.xaxis.hoverformat == "%a %b %-d, %Y"
    assert date_hoverformat("ko", "MS") == "%Y년 %-m월"


def test_cli_json_has_the_forecast_on_trading_days():
    """`train --json` on Samsung: 7 forecast values in won on the business days after Fri 2019-08-02."""
    from helpers import train_cli as cli

    out = cli("--data", "bundled:samsung", "--epochs", "1", "--forecast-steps", "7", "--json")
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    fc = res["forecast"]
    assert fc["steps"] == 7 and fc["calendar"] == "B" and fc["unit"] == "KRW" and fc["reason"] is None
    assert res["config"]["unit"] == "KRW"
    assert fc["dates"] == [
        "2019-08-05",
        "2019-08-06",
        "2019-08-07",
        "2019-08-08",
        "2019-08-09",
        "2019-08-12",
        "2019-08-13",
    ]
    assert len(fc["values"]) == 7 and all(20_000 < v < 80_000 for v in fc["values"])  # won, not scaled values
    bad = cli("--data", "toy:counting", "--forecast-steps", "0")
    assert bad.returncode == 2 and "--forecast-steps" in bad.stderr
