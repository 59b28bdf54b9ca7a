"""Reading a table, the date stages: which column holds dates and how they are written (the day/month order
decided from the cells), calendar columns (year, month, day, a decimal year) as the time axis, and the time axis
itself (sorted, duplicates dropped, its frequency). Part of :mod:`rnn_lab.data.reader`."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from rnn_lab.data.columns import combine_calendar, name_role
from rnn_lab.data.errors import Note
from rnn_lab.data.read_table import _orig

# date formats tried in this order; (format, day/month order or None, label shown to the user)
DATE_FORMATS = (
    ("%Y-%m-%d", None, "YYYY-MM-DD"),
    ("%Y/%m/%d", None, "YYYY/MM/DD"),
    ("%Y.%m.%d", None, "YYYY.MM.DD"),
    ("%Y%m%d", None, "YYYYMMDD"),
    ("%Y-%m-%d %H:%M:%S", None, "YYYY-MM-DD hh:mm:ss"),
    ("%Y-%m", None, "YYYY-MM (monthly)"),
    ("%Y/%m", None, "YYYY/MM (monthly)"),
    ("%b %d, %Y", None, "Mon DD, YYYY"),
    ("%B %d, %Y", None, "Month DD, YYYY"),
    ("%d %b %Y", None, "DD Mon YYYY"),
    ("%d-%b-%Y", None, "DD-Mon-YYYY"),
    ("%d-%b-%y", None, "DD-Mon-YY"),
    ("%d.%m.%Y", "dmy", "DD.MM.YYYY"),
    ("%m.%d.%Y", "mdy", "MM.DD.YYYY"),
    ("%d/%m/%Y", "dmy", "DD/MM/YYYY"),
    ("%m/%d/%Y", "mdy", "MM/DD/YYYY"),
    ("%d-%m-%Y", "dmy", "DD-MM-YYYY"),
    ("%m-%d-%Y", "mdy", "MM-DD-YYYY"),
    ("%d-%m-%y", "dmy", "DD-MM-YY"),
    ("%m-%d-%y", "mdy", "MM-DD-YY"),
    ("%d/%m/%y", "dmy", "DD/MM/YY"),
    ("%m/%d/%y", "mdy", "MM/DD/YY"),
    ("%d.%m.%y", "dmy", "DD.MM.YY"),
    ("%y-%m-%d", None, "YY-MM-DD"),
    ("%Y年%m月%d日", None, "YYYY年MM月DD日"),  # Investing.com Japanese
    ("%Y년 %m월 %d일", None, "YYYY년 MM월 DD일"),
)


def _strptime_any(cells: list[str], fmt: str) -> bool:
    from datetime import datetime

    for cell in cells:
        try:
            datetime.strptime(cell, fmt)
            return True
        except ValueError:
            continue
    return False


def _parse_dates(values: pd.Series, order: str) -> tuple[pd.Series | None, str | None, list[tuple]]:
    """Try every format; keep those that read every non-empty cell; prefer increasing, evenly spaced readings.

    Returns (parsed, label, candidates) where candidates are (label, order, score) of every reading that fits.
    """
    present = values[values != ""]
    if present.empty:
        return None, None, []
    fits = []
    step = max(1, len(present) // 200)
    sample = present.iloc[::step]  # try every format on ~200 cells, then the survivors on all of them
    probe = sample.head(5).tolist()
    for fmt, fmt_order, label in DATE_FORMATS:
        if not _strptime_any(probe, fmt):  # cheap pure-Python check before asking pandas
            continue
        if pd.to_datetime(sample, format=fmt, errors="coerce").notna().mean() < 0.98:
            continue
        parsed = pd.to_datetime(present, format=fmt, errors="coerce")
        if parsed.notna().mean() < 0.98:  # allow a stray unreadable cell (reported later)
            continue
        d = parsed.dropna()
        steps = np.diff(d.to_numpy().astype("datetime64[D]").astype(np.int64))
        monotone = bool((steps >= 0).all() or (steps <= 0).all())
        if len(steps):
            mode = pd.Series(np.abs(steps)).mode().iloc[0]
            even = float(np.mean(np.abs(np.abs(steps) - mode) <= max(3, 0.1 * mode)))
        else:
            even = 1.0
        fits.append((parsed, fmt, fmt_order, label, (monotone, even, parsed.notna().mean())))
    if not fits:
        return None, None, []
    candidates = [(f[3], f[2], f[4]) for f in fits]
    pool = fits
    if order in ("dmy", "mdy"):
        chosen = [f for f in fits if f[2] in (order, None)]
        pool = chosen or fits
    best = max(pool, key=lambda f: f[4])
    return pd.Series(best[0], index=present.index).reindex(values.index), best[3], candidates


_DATE_RE = re.compile(
    r"^(\d{4}[-/.]\d{1,2}([-/.]\d{1,2})?( \d{1,2}:\d{2}(:\d{2})?)?|\d{8}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
    r"|[A-Za-z]{3,9}\.? \d{1,2},? \d{4}|\d{1,2}[ -][A-Za-z]{3,9}[ -]\d{2,4}"
    r"|\d{4}年\d{1,2}月\d{1,2}日|\d{4}년 ?\d{1,2}월 ?\d{1,2}일)$"
)


def _looks_date(cell: str) -> bool:
    c = cell.strip()
    if re.fullmatch(r"\d{8}", c):
        return 1800 <= int(c[:4]) <= 2200 and 1 <= int(c[4:6]) <= 12 and 1 <= int(c[6:]) <= 31
    return bool(_DATE_RE.match(c))


def infer_frequency(index: pd.DatetimeIndex) -> str:
    """A key under ``data.freq``: daily, trading, weekly, monthly, quarterly, yearly or irregular."""
    if len(index) < 3:
        return "irregular"
    days = np.diff(index.to_numpy().astype("datetime64[D]").astype(np.int64))
    median = float(np.median(days))
    if median == 1:
        weekend = (index.dayofweek >= 5).mean()
        return "trading" if weekend < 0.01 and (days > 1).mean() > 0.1 else "daily"
    for key, lo, hi in (("weekly", 6, 8), ("monthly", 28, 31), ("quarterly", 89, 92), ("yearly", 365, 366)):
        if lo <= median <= hi:
            return key
    return "irregular"


def date_column(
    table: pd.DataFrame,
    names: list[str],
    columns_map: dict,
    decisions: list[Note],
    problems: list[Note],
    date_order: str,
    n_rows: int,
    looks_number,
) -> tuple[pd.DataFrame, str | None, pd.Series | None]:
    """Stage: the date column, named Date, else the first column whose cells are all dates; its parsed dates.
    ``names``, ``columns_map`` and ``decisions`` change in place when a "Date" column holds plain numbers."""
    date_col = "Date" if "Date" in names else None
    if date_col is None:
        first = table[names[0]]
        sample = first[first != ""].head(50)
        if len(names) > 1 and len(sample) and sample.map(_looks_date).mean() > 0.9:
            date_col = names[0]
    dates = None
    if date_col is not None:
        parsed, label, candidates = _parse_dates(table[date_col], date_order)
        if parsed is None:
            original = _orig(columns_map, date_col)
            cells = table[date_col][table[date_col] != ""]
            if date_col == "Date" and original != "Date" and len(cells) and cells.map(looks_number).mean() >= 0.9:
                # "Month", "Day" or pt-BR "Data" holding plain numbers: a calendar part or a value, not dates.
                # It keeps its own name; the calendar check below may still make it part of the time axis.
                names[names.index("Date")] = original
                table = table.rename(columns={"Date": original})
                del columns_map[original]
                decisions[:] = [
                    n for n in decisions if not (n.key == "column_mapped" and n.values["original"] == original)
                ]
            elif date_col == "Date":
                problems.append(Note("bad_dates", n=n_rows, example=table[date_col].iloc[0]))
            date_col = None
        else:
            dates = parsed
            ex = table[date_col][parsed.notna()].iloc[0]
            decisions.append(
                Note(
                    "date_format",
                    column=_orig(columns_map, date_col),
                    format=label,
                    example=ex,
                    parsed=parsed.dropna().iloc[0].date().isoformat(),
                )
            )
            orders = {c[1] for c in candidates if c[1]}
            if len(orders) > 1:
                chosen = next(c for c in candidates if c[0] == label)
                other = max((c for c in candidates if c[1] and c[1] != chosen[1]), key=lambda c: c[2])
                if date_order in ("dmy", "mdy"):
                    decisions.append(Note("date_override", chosen=label))
                elif other[2][:2] == chosen[2][:2]:  # both readings increasing and evenly spaced
                    decisions.append(Note("date_ambiguous_tie", chosen=label, other=other[0]))
                else:
                    decisions.append(Note("date_ambiguous", chosen=label, other=other[0]))
            elif date_order in ("dmy", "mdy") and orders and date_order not in orders:
                decisions.append(Note("date_order_invalid", chosen=date_order.upper(), used=label))
    return table, date_col, dates


def calendar_axis(
    out: pd.DataFrame,
    table: pd.DataFrame,
    dates: pd.Series | None,
    date_col: str | None,
    columns_map: dict,
    has_header: bool,
    delim: str | None,
    decisions: list[Note],
) -> tuple[pd.DataFrame, pd.Series | None, str | None]:
    """Stage: calendar columns (year + month (+ day), a decimal year or a year) become the time axis (SILSO's
    headerless "1749;01;1749.042;  96.7;..." export) instead of being offered as data. Returns the values, the
    dates and the label of the date column."""
    date_label = _orig(columns_map, date_col)
    if dates is None:
        hints = {c: name_role(_orig(columns_map, c)) for c in out.columns} if has_header else {}
        calendar = combine_calendar(out, {c: r for c, r in hints.items() if r})
        used = [*calendar.parts.values(), *calendar.also_calendar] if calendar else []
        if calendar is not None and len(used) < out.shape[1] and calendar.dates.notna().any():
            dates = calendar.dates
            first = dates.dropna().iloc[0].date().isoformat()
            orig = {role: _orig(columns_map, c) for role, c in calendar.parts.items()}
            key = "calendar_" + "_".join(r for r in ("year", "month", "day", "decimal_year") if r in orig)
            row = int(np.flatnonzero(dates.notna().to_numpy())[0])
            written = (delim or " ").join(table[c].iloc[row] for c in calendar.parts.values())  # "1749;01"
            decisions.append(Note(key, **orig, example=written, parsed=first))
            for col in calendar.also_calendar:
                decisions.append(Note("calendar_extra", column=_orig(columns_map, col), example=table[col].iloc[row]))
            out = out.drop(columns=used)
            date_label = " + ".join(orig.values())
    if dates is None:
        decisions.append(Note("no_date"))
    return out, dates, date_label


def time_axis(
    out: pd.DataFrame,
    dates: pd.Series | None,
    table: pd.DataFrame,
    date_col: str | None,
    decisions: list[Note],
    problems: list[Note],
) -> tuple[pd.DataFrame, str]:
    """Stage: the values indexed by their dates (unreadable dates and duplicates dropped, sorted) and the
    frequency; a RangeIndex and "steps" without dates."""
    frequency = "steps"
    if dates is not None:
        bad = dates.isna()
        if bad.any():
            example = table[date_col][bad].iloc[0] if date_col else f"#{int(np.flatnonzero(bad.to_numpy())[0]) + 1}"
            problems.append(Note("bad_dates", n=int(bad.sum()), example=example))
        out.index = pd.DatetimeIndex(dates, name="Date")
        out = out[~bad.to_numpy()]
        if len(out) > 1 and out.index[0] > out.index[-1]:
            decisions.append(Note("sorted"))
        out = out.sort_index(kind="stable")
        dup = out.index.duplicated(keep="first")
        if dup.any():
            problems.append(Note("duplicates", n=int(dup.sum()), example=out.index[dup][0].date().isoformat()))
            out = out[~dup]
        frequency = infer_frequency(out.index)
        decisions.append(Note("frequency", frequency=f"@freq.{frequency}"))
    else:
        out = out.reset_index(drop=True)
    return out, frequency
