"""A forgiving reader for the tables students download (Yahoo, Kaggle, Investing.com, Korean brokers, KRX).

Every quirk is detected from the file itself and reported as a :class:`Note` (a decision or a problem),
so the page and ``python -m rnn_lab inspect-data`` can say what was done. Unusable input raises
:class:`DataError` with a catalogue key. The result is a :class:`Loaded` table: numeric columns with
canonical names, indexed by a DatetimeIndex named ``Date`` (or a RangeIndex when there is no date).

The reading runs in stages, one module each: bytes -> text -> a table of strings and the columns' names
(:mod:`rnn_lab.data.read_table`), the date column and the time axis (:mod:`rnn_lab.data.read_dates`), the numbers
(:mod:`rnn_lab.data.read_numbers`); :func:`_read_bytes` here runs them in order. Their public names stay importable
from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from rnn_lab.data.columns import IncompleteRow, incomplete_last_row, level_steps
from rnn_lab.data.errors import DataError, Note
from rnn_lab.data.read_dates import (  # noqa: F401 (re-exported: reader.DATE_FORMATS, reader.infer_frequency)
    DATE_FORMATS,
    _looks_date,
    calendar_axis,
    date_column,
    infer_frequency,
    time_axis,
)
from rnn_lab.data.read_numbers import (  # noqa: F401 (re-exported: reader.MISSING_MARKERS)
    MISSING_MARKERS,
    _fmt_value,
    _looks_number,
    number_columns,
    sentinel_value,
)
from rnn_lab.data.read_table import (  # noqa: F401 (re-exported: reader.MAX_MB, reader.DELIMITERS, ...)
    CANONICAL,
    DELIMITERS,
    MAX_MB,
    MIN_ROWS,
    _check_bytes,
    canonical_name,
    column_names,
    raw_table,
)


@dataclass
class Loaded:
    """A table that was read: numeric columns in original units, plus what the reader did."""

    frame: pd.DataFrame  # numeric columns, canonical names; DatetimeIndex "Date" or RangeIndex
    source: str  # "toy:sine", "bundled:samsung", "upload:<name>"
    name: str = ""
    encoding: str | None = None
    delimiter: str | None = None
    date_column: str | None = None  # the original name of the date column
    frequency: str = "steps"  # key under data.freq
    rows: int = 0  # data rows read (blank rows excluded, rows with missing values included)
    columns_map: dict = field(default_factory=dict)  # original -> canonical
    decisions: list[Note] = field(default_factory=list)
    problems: list[Note] = field(default_factory=list)
    currency: dict = field(default_factory=dict)  # column -> the currency sign its cells carried ("₩", "R$")
    incomplete: IncompleteRow | None = None  # the last row lacks values every other row has (still trading)

    @property
    def has_dates(self) -> bool:
        return isinstance(self.frame.index, pd.DatetimeIndex)

    @property
    def start(self) -> str | None:
        return self.frame.index[0].date().isoformat() if self.has_dates and len(self.frame) else None

    @property
    def end(self) -> str | None:
        return self.frame.index[-1].date().isoformat() if self.has_dates and len(self.frame) else None

    @property
    def has_ohlc(self) -> bool:
        return all(c in self.frame.columns for c in ("Open", "High", "Low", "Close"))


# -------------------------------------------------------------------------------------------------- main entry
def read_bytes(
    data: bytes,
    name: str = "data.csv",
    sentinel: str | float | None = None,
    date_order: str = "auto",
    max_mb: float = MAX_MB,
    source: str | None = None,
) -> Loaded:
    """Read a CSV/TSV/TXT/XLSX file given as bytes. Raises DataError (and only DataError) for unusable input."""
    try:
        return _read_bytes(data, name, sentinel, date_order, max_mb, source)
    except DataError:
        raise
    except Exception as err:  # a file shape nobody foresaw: a plain message, never a traceback
        raise DataError("unreadable", reason=f"{type(err).__name__}: {str(err)[:120]}") from err


def _read_bytes(
    data: bytes, name: str, sentinel: str | float | None, date_order: str, max_mb: float, source: str | None
) -> Loaded:
    """The stages in order: decode and parse (read_table), header and body, names, the date column (read_dates),
    the numbers (read_numbers), calendar columns, the time axis, then the rows and units to name."""
    _check_bytes(data, name, max_mb)
    decisions: list[Note] = []
    problems: list[Note] = []
    raw, encoding, delim, long, short = raw_table(data, decisions)
    sentinel_number = sentinel_value(sentinel)
    header, table, has_header = _header_and_body(raw, decisions, problems, long, short)
    n_rows = len(table)
    names, columns_map = column_names(header, decisions)
    table.columns = names
    table, date_col, dates = date_column(
        table, names, columns_map, decisions, problems, date_order, n_rows, _looks_number
    )
    value_cols = [c for c in names if c != date_col]
    frame, currency, percent_cols = number_columns(
        table, value_cols, columns_map, decisions, problems, sentinel, sentinel_number, has_header
    )
    if not frame:
        raise DataError("no_numeric")
    out = pd.DataFrame(frame)
    if all(out[c].isna().all() for c in out.columns):
        raise DataError("no_numeric")
    out, dates, date_label = calendar_axis(out, table, dates, date_col, columns_map, has_header, delim, decisions)
    out, frequency = time_axis(out, dates, table, date_col, decisions, problems)
    if len(out) < MIN_ROWS:
        raise DataError("too_few_rows", rows=len(out), need=MIN_ROWS)
    incomplete = _rows_and_units(out, problems, percent_cols)
    return Loaded(
        frame=out,
        source=source or f"upload:{name}",
        name=name,
        encoding=encoding,
        delimiter=None if delim is None else DELIMITERS[delim],
        date_column=date_label,
        frequency=frequency,
        rows=n_rows,
        columns_map=columns_map,
        decisions=decisions,
        problems=problems,
        currency={c: v for c, v in currency.items() if c in out.columns},
        incomplete=incomplete,
    )


def _header_and_body(
    raw: pd.DataFrame, decisions: list[Note], problems: list[Note], long: int, short: int
) -> tuple[list[str], pd.DataFrame, bool]:
    """Stage: blank rows dropped, the header found (the first row has more non-number, non-date cells than the
    second), the body as strings."""
    # blank rows (",,,,,") are not data
    blank = (raw.fillna("") == "").all(axis=1).to_numpy()
    n_blank = int(blank[1:].sum())
    raw = raw[~blank].reset_index(drop=True)
    if raw.empty:
        raise DataError("empty")

    def n_text(row):
        return sum(1 for c in row if isinstance(c, str) and c and not _looks_number(c) and not _looks_date(c))

    first_rows = raw.head(2).fillna("").values.tolist()
    has_header = len(first_rows) == 1 or n_text(first_rows[0]) > n_text(first_rows[1])
    width = raw.shape[1]
    if has_header:
        header = [c or f"column_{i + 1}" for i, c in enumerate(first_rows[0])]
        body = raw.iloc[1:]
    else:
        header = ["value"] if width == 1 else [f"column_{i + 1}" for i in range(width)]
        body = raw
        decisions.append(Note("header_none", names=", ".join(header)))
    if n_blank:
        decisions.append(Note("blank_rows", n=n_blank))
    if short:
        problems.append(Note("partial_rows", n=short))
    if long:
        problems.append(Note("long_rows", n=long))
    if len(body) < MIN_ROWS:
        raise DataError("too_few_rows", rows=len(body), need=MIN_ROWS)
    return header, body.fillna("").astype(str).reset_index(drop=True), has_header


def _rows_and_units(out: pd.DataFrame, problems: list[Note], percent_cols: set[str]) -> IncompleteRow | None:
    """Stage: rows and units to name: Adj Close on another scale, a last row still being traded, a level that jumps
    by a unit factor. Returns the incomplete last row (or None); ``problems`` change in place."""
    if "Adj Close" in out.columns and "Close" in out.columns:
        # Adjusted prices differ from Close by a slowly changing factor (dividends, splits); a factor that
        # changes by more than 2x means Adj Close is on another scale (the Samsung Yahoo export: ~370 -> 1).
        ratio = (out["Close"] / out["Adj Close"]).replace([np.inf, -np.inf], np.nan).dropna()
        if len(ratio) and ratio.max() > 2 * ratio.min() > 0:
            problems.insert(0, Note("adj_scale", low=f"{ratio.min():.3g}", high=f"{ratio.max():.3g}"))

    # rows and units to name: a last row still being traded, a level that jumps by a unit factor
    incomplete = incomplete_last_row(out)
    if incomplete is not None:
        # its empty cells are this one problem, not one "missing values" note per column
        only_last = {c for c in incomplete.absent if not out[c].iloc[:-1].isna().any()}
        problems[:] = [n for n in problems if not (n.key.startswith("missing") and n.values.get("column") in only_last)]
        problems.append(
            Note(
                "incomplete_last",
                date=incomplete.label,
                present=", ".join(incomplete.present),
                absent=", ".join(incomplete.absent),
            )
        )
    for step in level_steps(out, skip=percent_cols):
        when = out.index[step.position]
        problems.append(
            Note(
                "unit_step" if step.unit_like else "level_step",
                column=step.column,
                date=when.date().isoformat() if isinstance(when, pd.Timestamp) else f"#{when + 1}",
                factor=f"{max(step.factor, 1 / step.factor):,.0f}",
                before=_fmt_value(step.before),
                after=_fmt_value(step.after),
            )
        )
    return incomplete


def read_file(path: str | Path, **kwargs) -> Loaded:
    """Read a file from disk (the size limit is checked before reading it)."""
    path = Path(path)
    max_mb = kwargs.get("max_mb", MAX_MB)
    size = path.stat().st_size
    if size > max_mb * 1024 * 1024:
        raise DataError("too_big", mb=size / 1024 / 1024, limit=max_mb)
    return read_bytes(path.read_bytes(), name=path.name, **kwargs)
