"""Error metrics, the naive persistence baseline, the skill score, residuals and a recursive forecast.

All in original units (scaling inverted). The baseline says "the value ``horizon`` steps later
equals the last value seen"; a model is only useful if it beats it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from rnn_lab.data.calendar import series_calendar

MAPE_NEAR_ZERO = 0.02  # a label under 2 % of the largest |label| makes MAPE mislead (its error counts 50x or more)
SKILL_TIE = 0.02  # |skill| <= 2 %: "about as good as" the baseline


def mse(actual, pred) -> float:
    """Mean squared error: mean((y - y_hat)^2)."""
    e = np.asarray(actual, np.float64) - np.asarray(pred, np.float64)
    return float(np.mean(e**2))


def rmse(actual, pred) -> float:
    """Root mean squared error: sqrt(MSE), in the target's units."""
    return math.sqrt(mse(actual, pred))


def mae(actual, pred) -> float:
    """Mean absolute error: mean(|y - y_hat|)."""
    return float(np.mean(np.abs(np.asarray(actual, np.float64) - np.asarray(pred, np.float64))))


def mape_unfit(actual) -> str | None:
    """Why MAPE would mislead on these labels, as a catalogue key under ``train.mape_note``, or None when it is fit.

    MAPE divides each error by |y|: labels that change sign (``crosses_zero``) or come near zero relative to the
    series' scale (``near_zero``: some |y| at most MAPE_NEAR_ZERO of the largest |y|, zero included) blow single
    errors up into thousands of percent, so the page, the command line and the exports show no MAPE then.
    """
    a = np.asarray(actual, np.float64)
    if a.size == 0:
        return None
    if a.min() < 0 < a.max():
        return "crosses_zero"
    size = np.abs(a)
    if size.min() <= MAPE_NEAR_ZERO * size.max():
        return "near_zero"
    return None


def mape(actual, pred) -> float:
    """Mean absolute percentage error in %: 100 * mean(|y - y_hat| / |y|).

    NaN when MAPE would mislead on these labels (see :func:`mape_unfit`: they cross zero or come near it).
    """
    a = np.asarray(actual, np.float64)
    p = np.asarray(pred, np.float64)
    if mape_unfit(a) is not None:
        return float("nan")
    return float(100.0 * np.mean(np.abs(a - p) / np.abs(a)))


def regression_metrics(actual, pred) -> dict[str, float]:
    """MSE, RMSE, MAE and MAPE (%) of ``pred`` against ``actual``."""
    if len(actual) == 0:
        raise ValueError("no labels to score")
    return {
        "mse": mse(actual, pred),
        "rmse": rmse(actual, pred),
        "mae": mae(actual, pred),
        "mape": mape(actual, pred),
    }


def skill_score(rmse_model: float, rmse_naive: float) -> float:
    """Skill = 1 - RMSE_model / RMSE_naive: 1 is perfect, 0 is no better than the baseline, < 0 is worse.

    NaN when the baseline is perfect (RMSE_naive = 0, e.g. a constant series).
    """
    return float("nan") if rmse_naive == 0 else 1.0 - rmse_model / rmse_naive


def verdict(skill: float) -> str:
    """A plain-words verdict key: ``beats`` | ``ties`` | ``loses`` | ``undefined`` (train.verdict.*)."""
    if not math.isfinite(skill):
        return "undefined"
    if skill > SKILL_TIE:
        return "beats"
    if skill < -SKILL_TIE:
        return "loses"
    return "ties"


def compare(actual, model_pred, naive_pred) -> dict:
    """Model vs naive metrics on the same labels, the skill score, the verdict key and why no MAPE is given
    (``mape_note``: a :func:`mape_unfit` key, or None)."""
    m = regression_metrics(actual, model_pred)
    n = regression_metrics(actual, naive_pred)
    skill = skill_score(m["rmse"], n["rmse"])
    return {"model": m, "naive": n, "skill": skill, "verdict": verdict(skill), "mape_note": mape_unfit(actual)}


OUTSIDE_SHARE = 0.10  # a tenth of the scored targets outside the training range is worth saying
FLAT_RATIO = 0.2  # predictions spread less than a fifth of the targets' spread: a (nearly) flat line
FEW_WINDOWS = 100  # training windows below which a recurrent model has little to learn from


def diagnose(pred: pd.DataFrame, split: str, verdict_key: str) -> list[tuple[str, dict]]:
    """Why a model ties or loses against the naive baseline, from facts measured on the predictions.

    ``pred`` has columns split, actual, predicted (original units). Returns (catalogue key under
    ``train.diagnosis``, values) pairs, most telling first; the generic advice only when nothing measured
    explains the result, and nothing when the model wins.
    """
    if verdict_key not in ("ties", "loses"):
        return []
    train = pred.loc[pred["split"] == "train", "actual"].to_numpy(np.float64)
    part = pred[pred["split"] == split]
    actual = part["actual"].to_numpy(np.float64)
    predicted = part["predicted"].to_numpy(np.float64)
    found: list[tuple[str, dict]] = []
    if split != "train" and len(train) and len(actual):
        lo, hi = float(np.min(train)), float(np.max(train))
        above, below = float(np.mean(actual > hi)), float(np.mean(actual < lo))
        if above + below >= OUTSIDE_SHARE:
            from rnn_lab.data.display import NumberFormat, significant_decimals  # lazy: not on the home page's path

            fmt = NumberFormat(significant_decimals([lo, hi]))  # written as the Data page writes this column
            found.append(
                (
                    "extrapolation",
                    {"above": above, "below": below, "low": fmt(lo), "high": fmt(hi), "split": split},
                )
            )
    spread = float(np.std(actual)) if len(actual) > 1 else 0.0
    if spread > 0 and float(np.std(predicted)) < FLAT_RATIO * spread:
        found.append(("flat", {"ratio": float(np.std(predicted)) / spread}))
    if len(train) < FEW_WINDOWS:
        found.append(("few_windows", {"n": len(train), "need": FEW_WINDOWS}))
    return found or [("generic", {})]


def metrics_split(sizes: dict[str, int]) -> str:
    """Which split the metrics table describes: test if it exists, else validation, else the training windows."""
    for split in ("test", "val"):
        if sizes.get(split, 0) > 0:
            return split
    return "train"


def residuals(actual, pred) -> np.ndarray:
    """actual - predicted (positive: the model predicted too low)."""
    return np.asarray(actual, np.float64) - np.asarray(pred, np.float64)


def can_forecast(features: tuple[str, ...], target: str, horizon: int) -> str | None:
    """None if a recursive forecast is possible, else the reason key (train.forecast.*).

    Feeding a prediction back in only works when the window holds nothing but the target
    (univariate) and the model predicts the very next step (horizon 1): otherwise the other
    features of future steps are unknown, or the prediction does not belong at the window's end.
    """
    if tuple(features) != (target,):
        return "multivariate"
    if horizon != 1:
        return "horizon"
    return None


def recursive_forecast(predict_fn, last_window: np.ndarray, steps: int) -> np.ndarray:
    """Forecast ``steps`` values by feeding each prediction back in (scaled units).

    ``last_window`` (T, 1) is the most recent window; ``predict_fn(X (1, T, 1)) -> (1,)``.
    Errors compound: each step uses earlier guesses, not observations.
    """
    window = np.asarray(last_window, np.float32).copy()  # (T, 1)
    out = np.empty(steps, np.float64)
    for k in range(steps):
        y_hat = float(np.asarray(predict_fn(window[None]))[0])  # next value, scaled
        out[k] = y_hat
        window = np.concatenate([window[1:], [[y_hat]]]).astype(np.float32)  # slide: drop oldest, append guess
    return out


def future_index(index: pd.Index, steps: int):
    """Positions for ``steps`` values after the end of ``index``, on the series' own calendar
    (:func:`series_calendar`): the next business days after a stock series' last trading day (Friday -> Monday;
    public holidays are not known and not skipped), the next months of a monthly series, ...; integer steps
    after the last row when the series has no dates or its dates follow no calendar."""
    calendar = series_calendar(index)
    last = index[-1] if len(index) else None
    if calendar is not None:
        if isinstance(calendar, pd.Timedelta):
            return pd.DatetimeIndex([last + calendar * (k + 1) for k in range(steps)])
        offset = {
            "B": pd.offsets.BDay(1),
            "D": pd.DateOffset(days=1),
            "W": pd.DateOffset(weeks=1),
            "MS": pd.offsets.MonthBegin(1),
            "ME": pd.offsets.MonthEnd(1),
            "M": pd.DateOffset(months=1),
            "YS": pd.offsets.YearBegin(1),
            "Y": pd.DateOffset(years=1),
        }[calendar]
        return pd.DatetimeIndex([last + offset * (k + 1) for k in range(steps)])
    if isinstance(index, pd.DatetimeIndex) or not len(index):
        return pd.RangeIndex(len(index), len(index) + steps)
    end = int(index[-1])
    return pd.RangeIndex(end + 1, end + 1 + steps)
