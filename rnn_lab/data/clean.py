"""Missing values and outliers, with counts of what changed (shown on the page before/after)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rnn_lab.data.settings import MISSING_STRATEGIES, OUTLIER_STRATEGIES


@dataclass
class CleanReport:
    missing: int = 0  # missing cells filled or removed
    rows_dropped: int = 0
    clipped: int = 0  # values changed by outlier clipping
    clipped_by_column: dict = field(default_factory=dict)
    bounds: dict = field(default_factory=dict)  # column -> (low, high) clip limits
    changed: pd.DataFrame | None = None  # bool mask (rows of the cleaned frame) of clipped cells
    clipped_not_spikes: int = 0  # clipped values that are not isolated spikes (the series' own peaks and dips)
    filled: pd.DataFrame | None = None  # bool mask (rows of the cleaned frame) of cells filled by ffill/interpolate


def outlier_bounds(values: np.ndarray, method: str, k: float) -> tuple[float, float]:
    """Clip limits from ``values`` (pass the training rows only).

    iqr: [Q1 - k*IQR, Q3 + k*IQR] (Tukey's fences, k=1.5 by default); zscore: mean +- k*std.
    """
    v = values[np.isfinite(values)]
    if method == "iqr":
        q1, q3 = np.percentile(v, [25, 75])
        return q1 - k * (q3 - q1), q3 + k * (q3 - q1)
    if method == "zscore":
        return v.mean() - k * v.std(), v.mean() + k * v.std()
    return -np.inf, np.inf


def clean(
    frame: pd.DataFrame,
    columns=None,
    missing: str = "ffill",
    outliers: str = "leave",
    k: float = 1.5,
    fit_rows: int | None = None,
) -> tuple[pd.DataFrame, CleanReport]:
    """Fill or drop missing values, then clip outliers with limits computed on the first ``fit_rows`` rows."""
    if missing not in MISSING_STRATEGIES:
        raise ValueError(f"missing must be one of {', '.join(MISSING_STRATEGIES)}, got {missing!r}")
    if outliers not in OUTLIER_STRATEGIES:
        raise ValueError(f"outliers must be one of {', '.join(OUTLIER_STRATEGIES)}, got {outliers!r}")
    columns = list(columns) if columns else list(frame.columns)
    out = frame[columns].copy()
    report = CleanReport(missing=int(out.isna().sum().sum()))
    was_missing = out.isna()
    if missing == "ffill":
        out = out.ffill()  # only the past is used
    elif missing == "interpolate":
        out = out.interpolate(method="linear", limit_area="inside")
    before = len(out)
    kept = out.notna().all(axis=1).to_numpy()
    out = out.dropna()  # "drop", and leading/trailing gaps that nothing can fill
    report.rows_dropped = before - len(out)
    report.filled = was_missing[kept]  # these values were invented by cleaning: a label among them is not real
    if outliers != "leave" and len(out):
        n_fit = len(out) if fit_rows is None else max(1, min(int(fit_rows), len(out)))
        changed = pd.DataFrame(False, index=out.index, columns=out.columns)
        for col in columns:
            lo, hi = outlier_bounds(out[col].to_numpy()[:n_fit], outliers, k)
            clipped = out[col].clip(lo, hi)
            changed[col] = clipped != out[col]
            report.bounds[col] = (float(lo), float(hi))
            report.clipped_by_column[col] = int(changed[col].sum())
            out[col] = clipped
        report.changed = changed
        report.clipped = int(changed.to_numpy().sum())
        if report.clipped:
            spikes = spike_mask(frame.loc[out.index, columns])
            report.clipped_not_spikes = int((changed & ~spikes).to_numpy().sum())
    return out, report


def outlier_mask(frame: pd.DataFrame, k: float = 1.5) -> pd.DataFrame:
    """Cells outside Tukey's fences (IQR x k) of their column, for highlighting on the raw chart."""
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    for col in frame.columns:
        v = frame[col].to_numpy(dtype=np.float64)
        if np.isfinite(v).sum() >= 4:
            lo, hi = outlier_bounds(v, "iqr", k)
            mask[col] = (v < lo) | (v > hi)
    return mask


SPIKE_HALF_WINDOW = 5  # neighbours on each side: 11 rows in all
SPIKE_K = 6.0  # how many robust standard deviations from the neighbours' median makes a spike


def spike_mask(frame: pd.DataFrame, half_window: int = SPIKE_HALF_WINDOW, k: float = SPIKE_K) -> pd.DataFrame:
    """Cells far from their neighbours: a hint of a typo or a glitch, never a verdict.

    The global IQR fences above call every peak of a cyclic series an outlier (all sunspot maxima, a market
    crash). This rule compares each value with the median of the ``2 * half_window + 1`` rows around it
    (a Hampel filter): ``|x - median| > k * scale`` where scale is 1.4826 x the median absolute deviation of
    those residuals, locally or over the whole column, whichever is larger (so a flat stretch does not make
    every tiny move a spike). A step or a slow swing moves the median with it and is not flagged; one row
    ten times its neighbours is.
    """
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    width = 2 * half_window + 1
    for col in frame.columns:
        s = pd.Series(frame[col].to_numpy(dtype=np.float64))
        if s.notna().sum() < width:
            continue
        median = s.rolling(width, center=True, min_periods=half_window + 1).median()
        residual = (s - median).abs()
        overall = 1.4826 * float(np.nanmedian(residual))
        local = 1.4826 * residual.rolling(width, center=True, min_periods=half_window + 1).median()
        scale = np.maximum(local.to_numpy(), overall)
        with np.errstate(invalid="ignore"):
            hit = (residual.to_numpy() > k * scale) & (scale > 0)
        mask[col] = hit
    return mask


MIN_FILLED_RUN = 5  # consecutive filled labels worth naming on the Data and Train pages


def filled_runs(filled, min_rows: int = MIN_FILLED_RUN) -> list[tuple[int, int]]:
    """Runs of at least ``min_rows`` consecutive True values in ``filled`` (bool, one per row): (first, last) row."""
    f = np.asarray(filled, dtype=bool)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], f.astype(np.int8), [0]])))  # starts and ends alternate
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True) if b - a >= min_rows]
