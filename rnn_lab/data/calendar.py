"""The calendar a dated series lives on (business days, days, weeks, months, years), inferred from its dates.

The recursive forecast continues a series on this calendar (``rnn_lab.train.metrics.future_index``) and the charts
write their hover dates by it (``rnn_lab.data.units.date_hoverformat``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WEEKDAYS_ONLY_MIN = 10  # dates needed before "no Saturday or Sunday among them" says business days


def series_calendar(index: pd.Index):
    """The calendar a series lives on, inferred from its dates: ``"B"`` (business days: daily dates that skip
    every weekend, e.g. stock prices; holidays are gaps too, so the steps are 1 or more days), ``"D"`` (daily),
    ``"W"`` (weekly), ``"MS"``/``"ME"`` (monthly, on the first or the last day), ``"M"`` (monthly on another day),
    ``"YS"``/``"Y"`` (yearly), a ``pd.Timedelta`` (a regular sub-daily step), or None (row numbers, or dates too
    irregular to continue: the forecast then counts steps)."""
    if not isinstance(index, pd.DatetimeIndex) or len(index) < 3:
        return None
    dates = index[-min(len(index), 120) :]  # the recent calendar (an old series may have changed its rhythm)
    gaps = (
        np.diff(dates.to_numpy().astype("datetime64[ns]").astype(np.int64)) / 86_400e9
    )  # days between consecutive dates
    if len(gaps) == 0 or np.any(gaps <= 0):
        return None
    median = float(np.median(gaps))
    if median < 1:
        step = pd.Timedelta(dates[-1] - dates[-2])
        return step if np.allclose(gaps, gaps[-1]) else None
    if median == 1:
        weekend = np.isin(dates.dayofweek, (5, 6)).any()
        if not weekend and len(dates) >= WEEKDAYS_ONLY_MIN and np.all(gaps <= 10):
            return "B"
        return "D" if np.mean(gaps == 1) >= 0.9 else None
    if median == 7:
        return "W" if np.mean(gaps == 7) >= 0.9 else None
    if 28 <= median <= 31 and np.all((gaps >= 28) & (gaps <= 31)):
        if np.all(dates.day == 1):
            return "MS"
        return "ME" if np.all(dates.is_month_end) else "M"
    if 365 <= median <= 366 and np.all((gaps >= 365) & (gaps <= 366)):
        return "YS" if np.all((dates.month == 1) & (dates.day == 1)) else "Y"
    return None
