"""One number format per column, chosen from the numbers themselves and the currency sign the file used.

Won prices are whole numbers ("21,550", never "21,550.0000"), AAPL prices keep their cents, sunspot
numbers their one decimal, scaled values about four significant digits. Every table and number on the
Data page goes through :func:`column_format` (values) or :func:`describe_formats` (statistics), so one
column is never shown two ways ("3.0014e+07" beside "940757").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MAX_DECIMALS = 6
SIGNIFICANT = 4  # digits shown for numbers that carry more precision than anyone reads
SUFFIX_SIGNS = ("원", "円", "元")  # written after the number; every other sign before it


def _sample(values) -> np.ndarray:
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if len(v) > 2000:  # evenly spaced sample: the decision needs the shapes, not every row
        v = v[:: len(v) // 2000]
    return v


def significant_decimals(values, digits: int = SIGNIFICANT) -> int:
    """Decimals giving about ``digits`` significant digits at the column's typical (median) size."""
    v = _sample(values)
    nonzero = np.abs(v[v != 0])
    if not len(nonzero):
        return 0
    typical = float(np.median(nonzero))
    return int(np.clip(digits - 1 - np.floor(np.log10(typical)), 0, MAX_DECIMALS))


def value_decimals(values) -> int:
    """The fewest decimals (0..4) that show every value exactly as the file wrote it; beyond that
    (scaled values, long floats), about four significant digits."""
    v = _sample(values)
    if not len(v):
        return 2
    tolerance = 1e-9 * np.maximum(1.0, np.abs(v))
    for decimals in range(5):
        if np.all(np.abs(np.round(v, decimals) - v) <= tolerance):
            return decimals
    return max(significant_decimals(v), 2)


@dataclass(frozen=True)
class NumberFormat:
    """How one column's numbers are written: thousands separators, fixed decimals, its currency sign."""

    decimals: int = 2
    sign: str = ""  # currency sign the file used, e.g. "₩", "$", "R$"

    def __call__(self, value) -> str:
        if value is None or (isinstance(value, float) and not np.isfinite(value)) or pd.isna(value):
            return ""
        value = float(value)
        text = f"{abs(value):,.{self.decimals}f}"
        if self.sign in SUFFIX_SIGNS:
            text = f"{text}{self.sign}"
        elif self.sign:
            text = f"{self.sign}{text}"
        return ("-" if value < 0 and float(f"{abs(value):.{self.decimals}f}") != 0 else "") + text


def column_format(values, sign: str = "") -> NumberFormat:
    return NumberFormat(value_decimals(values), sign or "")


def frame_formats(frame: pd.DataFrame, currency: dict | None = None) -> dict[str, NumberFormat]:
    """A format for every column of ``frame`` (``currency`` maps a column to the sign its file used)."""
    currency = currency or {}
    return {col: column_format(frame[col], currency.get(col, "")) for col in frame.columns}


def describe_formats(frame: pd.DataFrame, currency: dict | None = None) -> dict[str, NumberFormat]:
    """Formats for ``frame.describe()``: a mean or a standard deviation may need one decimal more than the
    values (up to four significant digits: won prices stay whole), but one column keeps one format in every row."""
    currency = currency or {}
    out = {}
    for col in frame.columns:
        own = value_decimals(frame[col])
        decimals = max(own, min(significant_decimals(frame[col]), own + 1))
        out[col] = NumberFormat(min(decimals, MAX_DECIMALS), currency.get(col, ""))
    return out


def styled(frame: pd.DataFrame, formats: dict[str, NumberFormat], count_row: str | None = None):
    """``frame`` as a pandas Styler showing each column in its format (numbers stay numbers, so tables sort
    and align them). ``count_row`` names a row of counts (describe's "count") written as whole numbers."""
    styler = frame.style.format({col: fmt for col, fmt in formats.items() if col in frame.columns})
    if count_row is not None and count_row in frame.index:
        styler = styler.format(NumberFormat(0), subset=pd.IndexSlice[[count_row], :])
    return styler
