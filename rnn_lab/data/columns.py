"""What a column of numbers is: a calendar part, a row counter, or a series worth forecasting.

A headerless ``year;month;decimal year;value`` file (SILSO's sunspot export) has four numeric columns and
only one of them is the signal: the others count time. These rules look at the values only, so they work
without names; :func:`choose_target` uses them to pick a default target the way a person would, and says why.
The same module finds two things a reader should name rather than silently pass on: a last row that is still
being traded (only an opening price) and a column whose level jumps by a unit factor (K in some years, M in
others).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

YEAR_RANGE = (1000, 2300)  # a column of whole numbers in this range that never goes back is a year
MIN_ROWS_MONOTONIC = 12  # fewer rows than this can rise every step by chance (a short price series)

# column-name hints for calendar parts (compared lowercase, without spaces/dots); values must agree too
YEAR_NAMES = {"year", "yr", "yyyy", "연도", "년도", "년", "ano", "año", "jahr", "année", "annee", "anno", "年"}
MONTH_NAMES = {"month", "mon", "mm", "월", "mês", "mes", "monat", "mois", "mese", "月"}
DAY_NAMES = {"day", "dd", "일", "dia", "día", "tag", "jour", "giorno", "日"}


def _finite(values) -> np.ndarray:
    v = np.asarray(values, dtype=np.float64)
    return v[np.isfinite(v)]


def _integral(v: np.ndarray) -> bool:
    return bool(len(v)) and bool(np.all(v == np.round(v)))


def is_monotonic(values, strict: bool = False) -> bool:
    """True when the values only ever rise (or only ever fall) with the row index and are not constant."""
    v = _finite(values)
    if len(v) < MIN_ROWS_MONOTONIC or v.max() == v.min():
        return False
    d = np.diff(v)
    if strict:
        return bool(np.all(d > 0) or np.all(d < 0))
    return bool(np.all(d >= 0) or np.all(d <= 0))


def calendar_role(values) -> str | None:
    """ "year", "month", "day" or "decimal_year" when the values look like that calendar part, else None.

    year: whole numbers in 1000..2300 that never go back and step by at most 1 (1749, 1749, ..., 1750).
    decimal_year: fractional numbers in 1000..2300 that always rise (1749.042, 1749.123, ...).
    month: whole numbers 1..12 that count up and wrap (..., 11, 12, 1, 2, ...), at least 6 different ones.
    day: whole numbers 1..31 that count up in small steps and wrap to the start of a month.
    """
    v = _finite(values)
    if len(v) < 3:
        return None
    lo, hi = YEAR_RANGE
    d = np.diff(v)
    in_years = v.min() >= lo and v.max() <= hi
    if in_years and not _integral(v) and (np.all(d > 0) or np.all(d < 0)):
        return "decimal_year"
    if not _integral(v):
        return None
    if in_years and (np.all((d >= 0) & (d <= 1)) or np.all((d <= 0) & (d >= -1))):
        return "year"
    moves = d[d != 0]
    if v.min() >= 1 and v.max() <= 12 and len(np.unique(v)) >= 6 and len(moves):
        if np.all((moves == 1) | (moves == -11)) or np.all((moves == -1) | (moves == 11)):
            return "month"
    if v.min() >= 1 and v.max() <= 31 and len(np.unique(v)) >= 15 and len(moves):
        up, down = moves[moves > 0], moves[moves < 0]
        wraps_to_start = np.all(v[1:][d < 0] <= 4) if len(down) else True
        if len(up) and np.all(up <= 4) and wraps_to_start and len(down) <= len(up):
            return "day"
    return None


def name_role(name: str) -> str | None:
    key = "".join(str(name).split()).replace(".", "").lower()
    for role, names in (("year", YEAR_NAMES), ("month", MONTH_NAMES), ("day", DAY_NAMES)):
        if key in names:
            return role
    return None


@dataclass
class CalendarIndex:
    """Calendar columns combined into dates: ``parts`` role -> column, ``dates`` one per row (NaT if invalid)."""

    parts: dict  # {"year": "column_1", "month": "column_2"} (and "day")
    dates: pd.Series
    also_calendar: list = field(default_factory=list)  # other calendar columns (a decimal year): not data
    example: str = ""  # the first row's parts as written, e.g. "1749 · 1"


def combine_calendar(frame: pd.DataFrame, names_hint: dict | None = None) -> CalendarIndex | None:
    """Dates from year + month (+ day) columns, or from a decimal year or a year column alone.

    ``names_hint`` maps a column to the role its header names (``Year`` -> "year"); the values must still
    agree (a "Year" column of prices is not a year). Returns None when no calendar is found.
    """
    names_hint = names_hint or {}
    roles: dict[str, str] = {}
    for col in frame.columns:
        role = calendar_role(frame[col])
        hinted = names_hint.get(col)
        if role is None and hinted in ("month", "day"):  # a named month column need not show a wrap
            v = _finite(frame[col])
            limit = 12 if hinted == "month" else 31
            if _integral(v) and len(v) and v.min() >= 1 and v.max() <= limit:
                role = hinted
        if role and role not in roles.values():
            roles[col] = role
    by_role = {role: col for col, role in roles.items()}
    year, month, day, decimal = (by_role.get(r) for r in ("year", "month", "day", "decimal_year"))
    also = [decimal] if decimal else []
    if year and month:
        parts = {"year": year, "month": month, **({"day": day} if day else {})}
        y = frame[year].to_numpy(dtype=np.float64)
        m = frame[month].to_numpy(dtype=np.float64)
        dd = frame[day].to_numpy(dtype=np.float64) if day else np.ones(len(frame))
        ok = np.isfinite(y) & np.isfinite(m) & np.isfinite(dd)
        key = np.where(ok, y * 10000 + m * 100 + dd, np.nan)
        steps = np.diff(key[ok])
        if len(steps) and not (np.all(steps > 0) or np.all(steps < 0)):
            if day or not (np.all(steps >= 0) or np.all(steps <= 0)):
                return None  # the parts do not count time row by row: not a calendar
        parts_frame = pd.DataFrame({"year": y, "month": m, "day": dd}).where(pd.Series(ok), np.nan)
        dates = pd.to_datetime(parts_frame, errors="coerce")  # Feb 30 or a missing part -> NaT
        first = int(np.flatnonzero(ok)[0]) if ok.any() else 0
        example = " · ".join(_plain(frame[c].iloc[first]) for c in parts.values())
        return CalendarIndex(parts, pd.Series(dates.to_numpy(), index=frame.index), also, example)
    if decimal:
        v = frame[decimal].to_numpy(dtype=np.float64)
        dates = pd.Series([_from_decimal_year(x) for x in v], index=frame.index)
        return CalendarIndex({"decimal_year": decimal}, dates, [], _plain(v[np.isfinite(v)][0]))
    if year:
        v = frame[year].to_numpy(dtype=np.float64)
        finite = v[np.isfinite(v)]
        if len(np.unique(finite)) == len(finite):  # one row per year
            dates = pd.Series([pd.Timestamp(int(x), 1, 1) if np.isfinite(x) else pd.NaT for x in v], index=frame.index)
            return CalendarIndex({"year": year}, dates, [], _plain(finite[0]))
    return None


def _from_decimal_year(x: float):
    if not np.isfinite(x):
        return pd.NaT
    whole = int(np.floor(x))
    start, end = pd.Timestamp(whole, 1, 1), pd.Timestamp(whole + 1, 1, 1)
    return (start + (x - whole) * (end - start)).normalize()


def _plain(value) -> str:
    value = float(value)
    return str(int(value)) if value == int(value) else f"{value:g}"


# ---------------------------------------------------------------------------------------------------- target
@dataclass
class TargetChoice:
    """The default target and why: ``reason`` is a key under ``data.target.reason``; ``skipped`` lists
    (column, why) for the columns passed over before it (why: a key under ``data.target.skip``)."""

    column: str
    reason: str
    skipped: list = field(default_factory=list)


def choose_target(frame: pd.DataFrame, preferred: str | None = None) -> TargetChoice:
    """Pick the column a person would forecast: the named one, Close, else the first column that is not a
    calendar part, not a row counter (monotonic with the row index) and not constant."""
    cols = list(frame.columns)
    if preferred and preferred in cols:
        return TargetChoice(preferred, "bundled")
    if "Close" in cols:
        return TargetChoice("Close", "close")
    skipped = []
    for col in cols:
        values = frame[col]
        finite = _finite(values)
        role = calendar_role(values)
        if not len(finite) or finite.max() == finite.min():
            skipped.append((col, "constant"))
        elif role:
            skipped.append((col, role))
        elif is_monotonic(values):
            skipped.append((col, "monotonic"))
        else:
            return TargetChoice(col, "first_usable", skipped)
    return TargetChoice(cols[0], "fallback", skipped)


SENTINEL_CANDIDATES = (-1.0, -9.0, -99.0, -999.0, -9999.0)  # values exports write for "no data"


def suspect_sentinel(values, min_hits: int = 2) -> float | None:
    """A "no data" code in a column of counts or measures: a value such as -1 that occurs at least ``min_hits``
    times while every other value of the column is zero or positive (SILSO writes -1 for the standard deviation
    and the number of observations before 1818). None when the column has no such value."""
    v = _finite(values)
    for code in SENTINEL_CANDIDATES:
        hit = v == code
        rest = v[~hit]
        if hit.sum() >= min_hits and len(rest) and (rest >= 0).all() and (rest > 0).any():
            return code
    return None


# -------------------------------------------------------------------------------------------- rows and units
@dataclass
class IncompleteRow:
    """The last row has some values but lacks others that every earlier row has (a day still trading)."""

    label: str  # its date (YYYY-MM-DD) or row number
    present: list
    absent: list


def incomplete_last_row(frame: pd.DataFrame, min_rows: int = 5) -> IncompleteRow | None:
    """The last row when it misses values that the other rows (nearly) always have.

    A cell counts as absent when it is missing (NaN) in a column that is at least 95% complete elsewhere,
    or 0 in a column whose other values are all positive (some brokers write 0 for "not yet traded").
    """
    if len(frame) < min_rows or frame.shape[1] < 2:
        return None
    last, rest = frame.iloc[-1], frame.iloc[:-1]
    absent, present = [], []
    for col in frame.columns:
        value, others = last[col], rest[col]
        complete = others.notna().mean() >= 0.95
        if pd.isna(value):
            if complete:
                absent.append(col)
        elif value == 0 and complete and bool((others.dropna() > 0).all()):
            absent.append(col)
        else:
            present.append(col)
    if not absent or not present:
        return None
    when = frame.index[-1]
    label = when.date().isoformat() if isinstance(when, pd.Timestamp) else str(when)
    return IncompleteRow(label, present, absent)


@dataclass
class LevelStep:
    """A lasting jump of a column's typical level by ``factor`` at row ``position``."""

    column: str
    position: int
    factor: float  # after / before (> 1 up, < 1 down)
    before: float  # median just before
    after: float  # median just after

    @property
    def unit_like(self) -> bool:
        """About 1000x or 1,000,000x: thousands vs millions (K vs M), not a market event."""
        size = abs(np.log10(self.factor))
        return min(abs(size - 3), abs(size - 6)) <= 0.4


def level_steps(frame: pd.DataFrame, skip=(), min_factor: float = 10.0) -> list[LevelStep]:
    """Columns whose typical level jumps at least ``min_factor`` times from one stretch of rows to the next
    and stays there.

    For each row i: the median of log10(value) over ``m`` rows ending ``g`` rows before i against the median
    over ``m`` rows starting ``g`` rows after it (the gap lets a change spread over a few days count as one
    step). A step must be larger than 3x the spread (IQR) inside either stretch, so a noisy or trending
    column (sunspots, a long crash) is not called a step. Only columns of positive numbers are checked
    (zeros ignored); percent columns belong in ``skip``.
    """
    out = []
    n = len(frame)
    m = max(5, min(20, n // 10))  # rows per stretch
    g = max(2, m // 4)  # rows left out on each side of the step
    if n < 2 * (m + g) + 1:
        return out
    for col in frame.columns:
        if col in skip:
            continue
        v = frame[col].to_numpy(dtype=np.float64)
        finite = v[np.isfinite(v)]
        if not len(finite) or (finite < 0).any() or (finite > 0).mean() < 0.9:
            continue
        logs = pd.Series(np.log10(np.where(v > 0, v, np.nan)))
        roll = logs.rolling(m, min_periods=max(3, m // 2)).median()  # median of rows (j - m, j]
        before, after = roll.shift(g + 1), roll.shift(-(g + m - 1))  # rows [i-g-m, i-g) and [i+g, i+g+m)
        jump = (after - before).to_numpy()
        if not np.isfinite(jump).any():
            continue
        i = int(np.nanargmax(np.abs(jump)))
        size = jump[i]
        if abs(size) < np.log10(min_factor):
            continue
        spread = max(_iqr(logs.iloc[max(0, i - g - m) : i - g]), _iqr(logs.iloc[i + g : i + g + m]))
        if abs(size) <= 3 * spread:
            continue
        out.append(LevelStep(col, i, float(10**size), float(10 ** before.iloc[i]), float(10 ** after.iloc[i])))
    return out


def _iqr(values: pd.Series) -> float:
    v = values.dropna().to_numpy()
    if len(v) < 2:
        return 0.0
    q1, q3 = np.percentile(v, [25, 75])
    return float(q3 - q1)
