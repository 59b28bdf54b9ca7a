"""From a clean table to the 3D window tensor ``(samples, time steps, features)``.

Conventions (keras-io ``timeseries_weather_forecasting``):
- window i covers rows ``i .. i + window - 1``; its label is the target at row ``i + window - 1 + horizon``;
- splits are chronological by ROW: the first ``1 - val_frac - test_frac`` of the rows are the training
  period, then validation, then test; a window belongs to the split of its label;
- the scaler is fitted on the training rows only (statistics from later rows would leak the future).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from rnn_lab.data.clean import MIN_FILLED_RUN, CleanReport, clean, filled_runs
from rnn_lab.data.errors import DataError
from rnn_lab.data.settings import SCALINGS, DataConfig

SPLITS = ("train", "val", "test")


@dataclass
class Scaler:
    """Per-column affine scaling ``z = (x - offset) / scale`` fitted on the training rows.

    minmax: offset = min, scale = max - min (-> [0, 1] on the training rows);
    standard: offset = mean, scale = std (population, ddof=0); none: offset 0, scale 1.
    A column constant on the training rows gets scale 1 (no division by zero).
    """

    kind: str
    columns: tuple[str, ...]
    offset: np.ndarray  # (n_columns,)
    scale: np.ndarray  # (n_columns,)
    fit_rows: int = 0  # how many rows the statistics come from

    @classmethod
    def fit(cls, values: np.ndarray, columns: tuple[str, ...], kind: str) -> Scaler:
        """Fit on ``values`` (rows, columns): pass the TRAINING rows only."""
        if kind not in SCALINGS:
            raise ValueError(f"scaling must be one of {', '.join(SCALINGS)}, got {kind!r}")
        values = np.asarray(values, dtype=np.float64)
        if kind == "minmax":
            offset, scale = values.min(axis=0), values.max(axis=0) - values.min(axis=0)
        elif kind == "standard":
            offset, scale = values.mean(axis=0), values.std(axis=0)
        else:
            offset, scale = np.zeros(values.shape[1]), np.ones(values.shape[1])
        scale = np.where(scale > 0, scale, 1.0)
        return cls(kind, tuple(columns), offset, scale, len(values))

    def _cols(self, columns) -> np.ndarray:
        return np.array([self.columns.index(c) for c in columns])

    def transform(self, values: np.ndarray, columns) -> np.ndarray:
        """Scale ``values`` (..., len(columns)) column by column."""
        j = self._cols(columns)
        return (np.asarray(values, dtype=np.float64) - self.offset[j]) / self.scale[j]

    def inverse(self, values: np.ndarray, columns) -> np.ndarray:
        j = self._cols(columns)
        return np.asarray(values, dtype=np.float64) * self.scale[j] + self.offset[j]

    def transform_column(self, values, column: str) -> np.ndarray:
        j = self.columns.index(column)
        return (np.asarray(values, dtype=np.float64) - self.offset[j]) / self.scale[j]

    def inverse_column(self, values, column: str) -> np.ndarray:
        j = self.columns.index(column)
        return np.asarray(values, dtype=np.float64) * self.scale[j] + self.offset[j]


@dataclass
class PreparedData:
    """Windows ready for Keras, with enough bookkeeping to plot them back in original units."""

    # the prepared-dataset protocol shared with classification and text data (docs: TASKS_DESIGN)
    task = "forecast"
    input_kind = "values"
    vocab_size = None
    n_classes = None
    class_names = None

    source: str  # "toy:counting", "bundled:samsung", "upload:<file name>"
    series: pd.DataFrame  # cleaned, original units; DatetimeIndex or RangeIndex
    target: str
    features: tuple[str, ...]
    window: int
    horizon: int
    X_train: np.ndarray  # float32 (n_train, window, n_features), scaled
    X_val: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray  # float32 (n_train,), scaled target
    y_val: np.ndarray
    y_test: np.ndarray
    idx_train: np.ndarray  # int (n_train,): row of each label in `series`
    idx_val: np.ndarray
    idx_test: np.ndarray
    scaler: Scaler
    val_frac: float = 0.0
    test_frac: float = 0.0
    notes: list = field(default_factory=list)
    filled: np.ndarray | None = None  # bool (rows,): the target at this row was filled by cleaning, not read
    currency: dict = field(default_factory=dict)  # column -> the currency sign its file used (Loaded.currency)

    @property
    def n_features(self) -> int:
        return len(self.features)

    @property
    def split_sizes(self) -> dict[str, int]:
        return {s: len(getattr(self, f"y_{s}")) for s in SPLITS}

    def X(self, split: str) -> np.ndarray:
        return getattr(self, f"X_{_split(split)}")

    def y(self, split: str) -> np.ndarray:
        return getattr(self, f"y_{_split(split)}")

    def idx(self, split: str) -> np.ndarray:
        return getattr(self, f"idx_{_split(split)}")

    def inverse_y(self, y_scaled) -> np.ndarray:
        """Scaled target values (any shape) back to original units (float64)."""
        return self.scaler.inverse_column(y_scaled, self.target)

    def actual(self, split: str) -> np.ndarray:
        """The labels of ``split`` in original units, read from the series itself."""
        return self.series[self.target].to_numpy(dtype=np.float64)[self.idx(split)]

    def naive(self, split: str) -> np.ndarray:
        """Persistence baseline: the target ``horizon`` steps before each label (original units)."""
        return self.series[self.target].to_numpy(dtype=np.float64)[self.idx(split) - self.horizon]

    def label_filled(self, split: str) -> np.ndarray:
        """Bool (n,): the label of each window of ``split`` is a value cleaning filled in (not scored as real)."""
        if self.filled is None:
            return np.zeros(len(self.idx(split)), dtype=bool)
        return self.filled[self.idx(split)]

    def filled_runs(self, min_rows: int | None = None) -> list[dict]:
        """Long runs of filled target values: first and last date (or row), rows, and the share of each split's
        labels that lie in the run (a run over the test labels means a test score mostly on invented values)."""
        if self.filled is None:
            return []
        out = []
        for first, last in filled_runs(self.filled, min_rows or MIN_FILLED_RUN):
            share = {}
            for s in SPLITS:
                idx = self.idx(s)
                share[s] = float(np.mean((idx >= first) & (idx <= last))) if len(idx) else 0.0
            out.append(
                {
                    "start": _label(self.series.index[first]),
                    "end": _label(self.series.index[last]),
                    "rows": last - first + 1,
                    "share": share,
                }
            )
        return out

    def index_labels(self, split: str):
        """Dates (or row numbers) of the labels of ``split``, for plotting."""
        return self.series.index[self.idx(split)]

    def window_frame(self, i: int, split: str = "train") -> pd.DataFrame:
        """Window ``i`` of ``split`` in original units: one row per time step, feature columns."""
        start = int(self.idx(split)[i]) - self.horizon - self.window + 1
        return self.series.iloc[start : start + self.window][list(self.features)]


def _label(when) -> str:
    return when.date().isoformat() if isinstance(when, pd.Timestamp) else f"#{when}"


def _split(split: str) -> str:
    split = {"validation": "val"}.get(split, split)
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    return split


def split_rows(n_rows: int, val_frac: float, test_frac: float) -> tuple[int, int]:
    """Row boundaries ``(b1, b2)``: rows [0, b1) train, [b1, b2) validation, [b2, n) test."""
    b1 = round(n_rows * (1.0 - val_frac - test_frac))
    b2 = round(n_rows * (1.0 - test_frac))
    return b1, b2


def make_windows(values: np.ndarray, window: int, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """All windows of ``values`` (rows, features) and the label row of each (vectorised, no copy until indexed).

    Returns X (n, window, features) as a read-only view and label_rows (n,) with
    n = rows - window - horizon + 1 and label_rows[i] = i + window - 1 + horizon.
    """
    values = np.asarray(values)
    n = len(values) - window - horizon + 1
    if n <= 0:
        return np.empty((0, window, values.shape[1]), values.dtype), np.empty(0, np.int64)
    X = sliding_window_view(values[: n + window - 1], window, axis=0)  # (n, features, window)
    X = X.transpose(0, 2, 1)  # (n, window, features)
    return X, np.arange(n) + window - 1 + horizon


def prepare(
    df: pd.DataFrame,
    target: str,
    features=None,
    window: int = 5,
    horizon: int = 1,
    val_frac: float = 0.15,
    test_frac: float = 0.15,
    scaling: str = "minmax",
    source: str = "",
    filled=None,
) -> PreparedData:
    """Cut ``df`` into scaled, chronologically split windows. Raises DataError with a plain message.

    ``filled`` (the cleaning report's mask, same rows as ``df``) marks values cleaning filled in: windows whose
    label is one of them are kept for training but not scored as real (:meth:`PreparedData.label_filled`)."""
    features = tuple(features) if features else (target,)
    if target not in df.columns:
        raise DataError("no_target", target=target)
    for col in features:
        if col not in df.columns:
            raise DataError("no_feature", column=col)
    window, horizon = int(window), int(horizon)
    if window < 1 or horizon < 1:
        raise DataError("bad_window")
    if not (0 <= val_frac < 1 and 0 <= test_frac < 1 and val_frac + test_frac < 1):
        raise DataError("bad_fractions", val=val_frac, test=test_frac)
    if scaling not in SCALINGS:
        raise ValueError(f"scaling must be one of {', '.join(SCALINGS)}, got {scaling!r}")
    columns = tuple(dict.fromkeys((*features, target)))  # features first, target last if not a feature
    data = df[list(columns)].apply(pd.to_numeric, errors="coerce").astype(np.float64)
    if data[target].isna().all():
        raise DataError("target_all_missing", target=target)
    n_missing = int(data.isna().any(axis=1).sum())
    if n_missing:
        raise DataError("missing_left", n=n_missing)
    values = data.to_numpy()
    if not np.isfinite(values).all():
        raise DataError("not_finite")
    if np.nanmax(values[:, columns.index(target)]) == np.nanmin(values[:, columns.index(target)]):
        raise DataError("constant", target=target)
    n_rows = len(values)
    need = window + horizon
    if n_rows < need:
        raise DataError("too_short", rows=n_rows, window=window, horizon=horizon, need=need)
    b1, b2 = split_rows(n_rows, val_frac, test_frac)
    X_all, label_rows = make_windows(values[:, [columns.index(f) for f in features]], window, horizon)
    train = label_rows < b1
    val = (label_rows >= b1) & (label_rows < b2)
    test = label_rows >= b2
    if not train.any():
        raise DataError("no_train", rows=n_rows, window=window, horizon=horizon, train_rows=b1)
    if val_frac > 0 and not val.any():
        raise DataError("no_split", split="validation", rows=n_rows)
    if test_frac > 0 and not test.any():
        raise DataError("no_split", split="test", rows=n_rows)
    scaler = Scaler.fit(values[:b1], columns, scaling)  # training rows ONLY
    scaled = scaler.transform(values, columns).astype(np.float32)  # (rows, columns)
    X_all, _ = make_windows(scaled[:, [columns.index(f) for f in features]], window, horizon)
    y_all = scaled[label_rows, columns.index(target)]  # (n,)
    out = {}
    for name, mask in (("train", train), ("val", val), ("test", test)):
        out[f"X_{name}"] = np.ascontiguousarray(X_all[mask], dtype=np.float32)
        out[f"y_{name}"] = np.ascontiguousarray(y_all[mask], dtype=np.float32)
        out[f"idx_{name}"] = label_rows[mask].astype(np.int64)
    return PreparedData(
        source=source,
        series=df,
        target=target,
        features=features,
        window=window,
        horizon=horizon,
        scaler=scaler,
        val_frac=float(val_frac),
        test_frac=float(test_frac),
        filled=_target_filled(filled, target, len(df)),
        **out,
    )


def prepare_series(frame: pd.DataFrame, cfg: DataConfig, source: str = "") -> tuple[PreparedData, CleanReport]:
    """Clean ``frame`` (gaps and outliers, limits fitted on the training rows) and cut it into windows as ``cfg``
    says: the one path from a loaded table to a forecast dataset, for the Data page and a saved run's settings."""
    fit_rows, _ = split_rows(len(frame), cfg.val_frac, cfg.test_frac)
    frame, report = clean(frame, list(cfg.columns), cfg.missing, cfg.outliers, cfg.outlier_k, fit_rows=fit_rows)
    prepared = prepare(
        frame,
        cfg.target,
        list(cfg.inputs),
        cfg.window,
        cfg.horizon,
        cfg.val_frac,
        cfg.test_frac,
        cfg.scaling,
        source=source,
        filled=report.filled,
    )
    return prepared, report


def _target_filled(filled, target: str, rows: int) -> np.ndarray | None:
    """The target's column of the cleaning mask as bool (rows,), or None when nothing was filled."""
    if filled is None or target not in getattr(filled, "columns", ()):
        return None
    mask = np.asarray(filled[target], dtype=bool)
    return mask if len(mask) == rows and mask.any() else None
