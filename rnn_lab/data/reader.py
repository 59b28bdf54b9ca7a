"""A forgiving reader for the tables students download (Yahoo, Kaggle, Investing.com, Korean brokers, KRX).

Every quirk is detected from the file itself and reported as a :class:`Note` (a decision or a problem),
so the page and ``python -m rnn_lab inspect-data`` can say what was done. Unusable input raises
:class:`DataError` with a catalogue key. The result is a :class:`Loaded` table: numeric columns with
canonical names, indexed by a DatetimeIndex named ``Date`` (or a RangeIndex when there is no date).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from rnn_lab.data.errors import DataError, Note

MAX_MB = 50
MIN_ROWS = 3
MISSING_MARKERS = {"", "null", "nan", "na", "n/a", "#n/a", "none", "-", "--", "—", "nil", "."}
DELIMITERS = {"\t": "tab", ";": "semicolon", "|": "pipe", ",": "comma"}  # order = preference on ties

# canonical name -> aliases (compared after lowercasing and removing spaces, dots, underscores, quotes)
CANONICAL = {
    "Date": ("date", "날짜", "일자", "기준일자", "거래일", "month", "time", "timestamp", "datetime", "day", "period"),
    "Open": ("open", "시가", "openprice", "opening"),
    "High": ("high", "고가", "highprice"),
    "Low": ("low", "저가", "lowprice"),
    "Close": ("close", "price", "종가", "closeprice", "closing", "last", "현재가"),
    "Adj Close": ("adjclose", "adjustedclose", "수정종가", "adjclose*", "adj"),
    "Volume": ("volume", "vol", "거래량", "volumn"),
    "Change": ("change", "change%", "chg", "chg%", "등락률", "대비", "등락률(%)", "전일대비", "changepercent"),
}
_ALIAS = {alias: canon for canon, aliases in CANONICAL.items() for alias in aliases}

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
)

_NUM_RE = re.compile(r"^[+-]?(\d[\d.,' ]*|[.,]\d+)$")  # digits with separators (after suffix/percent removal)
_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9}


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


# ----------------------------------------------------------------------------------------------- bytes -> text
def _check_bytes(data: bytes, name: str, max_mb: float) -> None:
    if len(data) > max_mb * 1024 * 1024:
        raise DataError("too_big", mb=len(data) / 1024 / 1024, limit=max_mb)
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf,;"):
        raise DataError("empty")
    head = data[:16]
    for magic, kind in ((b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF8", "GIF"), (b"BM", "BMP"),
                        (b"RIFF", "WEBP"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF")):
        if head.startswith(magic) and (kind != "BMP" or b"\x00" in data[:64]):
            raise DataError("image", kind=kind)
    if head.startswith(b"PK\x03\x04"):  # a zip: fine if it is a workbook
        if name.lower().endswith((".xlsx", ".xlsm")):
            return
        raise DataError("binary")
    if head.startswith((b"%PDF", b"\x7fELF", b"MZ", b"\x1f\x8b")) or b"\x00" in data[:8192]:
        raise DataError("binary")


def _decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding's display name: UTF-8 (with or without BOM), else CP949/EUC-KR, else Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "UTF-8 with BOM"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp949"), "CP949/EUC-KR"
    except UnicodeDecodeError:
        pass
    text = data.decode("latin-1")
    if sum(ch.isprintable() or ch in "\r\n\t" for ch in text[:4096]) < 0.9 * min(len(text), 4096):
        raise DataError("binary")
    return text, "Latin-1"


def _count_outside_quotes(line: str, ch: str) -> int:
    count, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == ch and not quoted:
            count += 1
    return count


def _sniff_delimiter(lines: list[str]) -> str | None:
    """The delimiter whose count per line is the same non-zero number on (nearly) every line."""
    sample = [ln for ln in lines[:200] if ln.strip().strip(",;\t|")][:60]
    if not sample:
        return None
    best, best_score = None, 0.0
    for delim in DELIMITERS:
        counts = [_count_outside_quotes(ln, delim) for ln in sample]
        mode = max(set(counts), key=counts.count)
        if mode == 0:
            continue
        score = counts.count(mode) / len(counts)
        if score > best_score + 1e-9:
            best, best_score = delim, score
    return best if best_score >= 0.6 else None


def _rows_from_text(text: str) -> tuple[list[list[str]], str | None]:
    lines = text.splitlines()
    delim = _sniff_delimiter(lines)
    if delim is None:
        rows = [[ln] for ln in lines]
    else:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim, quotechar='"', skipinitialspace=True))
    return [[cell.strip().strip('"').strip() for cell in row] for row in rows], delim


def _rows_from_excel(data: bytes) -> tuple[list[list[str]], str]:
    try:
        book = pd.read_excel(io.BytesIO(data), sheet_name=0, header=None, dtype=object, engine="openpyxl")
    except Exception as err:  # noqa: BLE001 - any broken workbook becomes one line for the user
        raise DataError("bad_excel", reason=str(err).splitlines()[0][:200]) from None
    with pd.ExcelFile(io.BytesIO(data), engine="openpyxl") as xls:
        sheet = xls.sheet_names[0]
    rows = []
    for rec in book.itertuples(index=False):
        row = []
        for v in rec:
            if v is None or (isinstance(v, float) and np.isnan(v)):
                row.append("")
            elif isinstance(v, pd.Timestamp | np.datetime64) or hasattr(v, "isoformat"):
                row.append(pd.Timestamp(v).strftime("%Y-%m-%d"))
            else:
                row.append(str(v).strip())
        rows.append(row)
    return rows, sheet


# ---------------------------------------------------------------------------------------------- cells -> values
def canonical_name(name: str) -> str | None:
    key = re.sub(r"[\s._\"'\ufeff]", "", name).lower()
    return _ALIAS.get(key)


def _looks_number(cell: str) -> bool:
    c = cell.strip().lower()
    if c.endswith("%") or (c and c[-1] in _SUFFIX):  # "-0.52%", "1.2M"
        c = c[:-1]
    c = c.replace(" ", "")
    return bool(_NUM_RE.match(c)) or c in ("inf", "-inf", "+inf", "infinity", "-infinity")


def _parse_dates(values: pd.Series, order: str) -> tuple[pd.Series | None, str | None, list[tuple]]:
    """Try every format; keep those that read every non-empty cell; prefer increasing, evenly spaced readings.

    Returns (parsed, label, candidates) where candidates are (label, order, score) of every reading that fits.
    """
    present = values[values != ""]
    if present.empty:
        return None, None, []
    fits = []
    for fmt, fmt_order, label in DATE_FORMATS:
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


def _number_evidence(cells: list[str]) -> tuple[str, str | None, str | None, bool]:
    """Decide the decimal mark and thousands separator for the whole file from its number cells.

    Returns (decimal, thousands, example, ambiguous). A cell with both marks: the last one is the decimal mark
    ("1,407,345.50", "20.347,09"). One mark repeated: it is the thousands separator ("1.407.345"). One mark
    once followed by other than 3 digits: it is the decimal mark ("20,5", "26000.000000"). One mark once
    followed by exactly 3 digits ("112.253") is ambiguous and decided by the other cells.
    """
    comma_dec = dot_dec = 0
    ex_comma = ex_dot = amb_example = None
    for cell in cells:
        c = cell.lstrip("+-")
        has_c, has_d = "," in c, "." in c
        if not (has_c or has_d):
            continue
        if has_c and has_d:
            if c.rfind(",") > c.rfind("."):
                comma_dec += 1
                ex_comma = ex_comma or cell
            else:
                dot_dec += 1
                ex_dot = ex_dot or cell
        elif has_c:
            if c.count(",") > 1 or len(c) - c.rfind(",") - 1 == 3 and c.find(",") > 0:
                if c.count(",") > 1:
                    dot_dec += 1  # "1,407,345": comma groups thousands, so a dot would be the decimal mark
                    ex_dot = ex_dot or cell
                else:
                    amb_example = amb_example or cell
            else:
                comma_dec += 1
                ex_comma = ex_comma or cell
        else:
            if c.count(".") > 1:
                comma_dec += 1  # "1.407.345": dot groups thousands
                ex_comma = ex_comma or cell
            elif len(c) - c.rfind(".") - 1 == 3 and c.find(".") > 0:
                amb_example = amb_example or cell
            else:
                dot_dec += 1
                ex_dot = ex_dot or cell
    if comma_dec > dot_dec:
        return ",", ".", ex_comma, False
    if dot_dec:
        return ".", ",", ex_dot, False
    return ".", ",", amb_example, amb_example is not None


def _to_numbers(col: pd.Series, decimal: str, thousands: str) -> tuple[pd.Series, str | None]:
    """Vectorised text -> float: percents, K/M/B suffixes, separators. Returns values and a kind ('%', 'suffix')."""
    s = col.str.replace(" ", "", regex=False).str.replace("'", "", regex=False)
    low = s.str.lower()
    pct = low.str.endswith("%")
    suf = low.str[-1:].isin(list(_SUFFIX)) & low.str[:-1].str.match(r"^[+-]?[\d.,]+$")
    mult = pd.Series(1.0, index=s.index)
    mult[suf] = low[suf].str[-1].map(_SUFFIX)
    s = s.where(~(pct | suf), s.str[:-1])
    s = s.str.replace(thousands, "", regex=False)
    if decimal == ",":
        s = s.str.replace(",", ".", regex=False)
    out = pd.to_numeric(s, errors="coerce") * mult
    kind = "%" if pct.any() else ("suffix" if suf.any() else None)
    return out, kind


def _fmt_value(v: float) -> str:
    return f"{v:,.6g}" if abs(v) < 1e6 else f"{v:,.0f}"


# -------------------------------------------------------------------------------------------------- main entry
def read_bytes(
    data: bytes, name: str = "data.csv", sentinel: str | float | None = None, date_order: str = "auto",
    max_mb: float = MAX_MB, source: str | None = None,
) -> Loaded:
    """Read a CSV/TSV/TXT/XLSX file given as bytes. Raises DataError for unusable input."""
    _check_bytes(data, name, max_mb)
    decisions: list[Note] = []
    problems: list[Note] = []
    if data.startswith(b"PK\x03\x04"):
        rows, sheet = _rows_from_excel(data)
        encoding, delim = "xlsx", None
        decisions.append(Note("excel", sheet=sheet))
    else:
        text, encoding = _decode(data)
        rows, delim = _rows_from_text(text)
        decisions.append(Note("encoding", encoding=encoding))
        decisions.append(Note("delimiter", delimiter=f"@delim.{DELIMITERS.get(delim, 'none')}"))
    sentinel_value = None
    if sentinel not in (None, ""):
        try:
            sentinel_value = float(str(sentinel).replace(",", "."))
        except ValueError:
            raise DataError("bad_sentinel", value=sentinel) from None

    # blank rows (",,,,,") are not data
    blank = [not any(cell for cell in row) for row in rows]
    n_blank = sum(blank[1:]) if rows else 0
    rows = [row for row, b in zip(rows, blank) if not b]
    if not rows:
        raise DataError("empty")

    # header: the first row has more non-number, non-date cells than the second
    def n_text(row):
        return sum(1 for c in row if c and not _looks_number(c) and not _looks_date(c))

    has_header = len(rows) == 1 or n_text(rows[0]) > n_text(rows[1])
    width = max(len(rows[0]), max((len(r) for r in rows[1:]), default=0)) if not has_header else len(rows[0])
    if has_header:
        header = [c or f"column_{i + 1}" for i, c in enumerate(rows[0])]
        body = rows[1:]
    else:
        header = ["value"] if width == 1 else [f"column_{i + 1}" for i in range(width)]
        body = rows
        decisions.append(Note("header_none", names=", ".join(header)))
    if n_blank:
        decisions.append(Note("blank_rows", n=n_blank))
    short = sum(1 for r in body if len(r) < width)
    long = sum(1 for r in body if len(r) > width)
    if short:
        problems.append(Note("partial_rows", n=short))
    if long:
        problems.append(Note("long_rows", n=long))
    body = [(r + [""] * (width - len(r)))[:width] for r in body]
    n_rows = len(body)
    if n_rows < MIN_ROWS:
        raise DataError("too_few_rows", rows=n_rows, need=MIN_ROWS)
    table = pd.DataFrame(body, columns=range(width), dtype=object).astype(str)

    # names: canonical when known, unique
    names, columns_map, seen = [], {}, set()
    for original in header:
        canon = canonical_name(original) or original
        base, k = canon, 2
        while canon in seen:
            canon, k = f"{base} {k}", k + 1
        seen.add(canon)
        names.append(canon)
        if canon != original:
            columns_map[original] = canon
            decisions.append(Note("column_mapped", original=original, canonical=canon))
    table.columns = names

    # date column: named Date, else the first column whose cells are all dates
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
            if date_col == "Date":
                problems.append(Note("bad_dates", n=n_rows, example=table[date_col].iloc[0]))
            date_col = None
        else:
            dates = parsed
            ex = table[date_col][parsed.notna()].iloc[0]
            decisions.append(Note("date_format", column=_orig(columns_map, date_col), format=label, example=ex,
                                  parsed=parsed.dropna().iloc[0].date().isoformat()))
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
    if date_col is None:
        decisions.append(Note("no_date"))

    # numbers: one decimal/thousands decision for the whole file
    value_cols = [c for c in names if c != date_col]
    cells = [c for col in value_cols for c in table[col].tolist() if c and c.lower() not in MISSING_MARKERS]
    number_cells = [c for c in cells if _looks_number(c)]
    decimal, thousands, example, ambiguous = _number_evidence(number_cells)
    if ambiguous:
        decisions.append(Note("numbers_ambiguous", example=example))
    elif decimal == "," or any(thousands in c for c in number_cells):
        decisions.append(Note("numbers", decimal=decimal, thousands=thousands, example=example))
    frame = {}
    for col in value_cols:
        raw = table[col]
        low = raw.str.lower()
        is_missing = low.isin(MISSING_MARKERS)
        present = raw[~is_missing]
        if present.empty:
            decisions.append(Note("empty_column", column=_orig(columns_map, col)))
            continue
        numeric_share = present.map(_looks_number).mean()
        if numeric_share < 0.8:
            if present.nunique() == 1:
                decisions.append(Note("text_constant", column=_orig(columns_map, col), value=present.iloc[0]))
            else:
                decisions.append(Note("text_ignored", column=_orig(columns_map, col)))
            continue
        col_decimal, col_thousands = decimal, thousands
        own_decimal, own_thousands, own_example, own_ambiguous = _number_evidence(present.tolist())
        if own_example is not None and not own_ambiguous and own_decimal != decimal:
            col_decimal, col_thousands = own_decimal, own_thousands  # this column's own cells say otherwise
            decisions.append(Note("numbers_column", column=col, decimal=own_decimal, example=own_example))
        values, kind = _to_numbers(raw.where(~is_missing, ""), col_decimal, col_thousands)
        values[is_missing] = np.nan
        if kind:
            i = int(np.flatnonzero(raw.str.endswith("%") if kind == "%" else raw.str[-1:].str.lower().isin(
                list(_SUFFIX)))[0])
            decisions.append(Note("percent" if kind == "%" else "suffix", column=col, example=raw.iloc[i],
                                  value=_fmt_value(values.iloc[i])))
        bad = values.isna() & ~is_missing
        if bad.any():
            problems.append(Note("unreadable", n=int(bad.sum()), column=col, example=raw[bad].iloc[0]))
        if is_missing.any():
            markers = sorted({m if m else "(empty)" for m in raw[is_missing].tolist()})
            problems.append(Note("missing", n=int(is_missing.sum()), column=col, markers=", ".join(markers)))
        if sentinel_value is not None:
            hit = values == sentinel_value
            if hit.any():
                values[hit] = np.nan
                problems.append(Note("sentinel", n=int(hit.sum()), sentinel=sentinel, column=col))
        inf = np.isinf(values.to_numpy(dtype=np.float64))
        if inf.any():
            raise DataError("inf", column=col, row=int(np.flatnonzero(inf)[0]) + 1 + int(has_header))
        frame[col] = values.astype(np.float64)
    if not frame:
        raise DataError("no_numeric")
    out = pd.DataFrame(frame)
    if all(out[c].isna().all() for c in out.columns):
        raise DataError("no_numeric")

    # time axis
    frequency = "steps"
    if dates is not None:
        bad = dates.isna()
        if bad.any():
            problems.append(Note("bad_dates", n=int(bad.sum()), example=table[date_col][bad].iloc[0]))
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
    if len(out) < MIN_ROWS:
        raise DataError("too_few_rows", rows=len(out), need=MIN_ROWS)
    if "Adj Close" in out.columns and "Close" in out.columns:
        # Adjusted prices differ from Close by a slowly changing factor (dividends, splits); a factor that
        # changes by more than 2x means Adj Close is on another scale (the Samsung Yahoo export: ~370 -> 1).
        ratio = (out["Close"] / out["Adj Close"]).replace([np.inf, -np.inf], np.nan).dropna()
        if len(ratio) and ratio.max() > 2 * ratio.min() > 0:
            problems.insert(0, Note("adj_scale", low=f"{ratio.min():.3g}", high=f"{ratio.max():.3g}"))
    return Loaded(
        frame=out, source=source or f"upload:{name}", name=name, encoding=encoding,
        delimiter=None if delim is None else DELIMITERS[delim], date_column=_orig(columns_map, date_col),
        frequency=frequency, rows=n_rows, columns_map=columns_map, decisions=decisions, problems=problems,
    )


def read_file(path: str | Path, **kwargs) -> Loaded:
    """Read a file from disk (the size limit is checked before reading it)."""
    path = Path(path)
    max_mb = kwargs.get("max_mb", MAX_MB)
    size = path.stat().st_size
    if size > max_mb * 1024 * 1024:
        raise DataError("too_big", mb=size / 1024 / 1024, limit=max_mb)
    return read_bytes(path.read_bytes(), name=path.name, **kwargs)


def _orig(columns_map: dict, canon: str | None) -> str | None:
    if canon is None:
        return None
    return next((o for o, c in columns_map.items() if c == canon), canon)


_DATE_RE = re.compile(
    r"^(\d{4}[-/.]\d{1,2}([-/.]\d{1,2})?( \d{1,2}:\d{2}(:\d{2})?)?|\d{8}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
    r"|[A-Za-z]{3,9}\.? \d{1,2},? \d{4}|\d{1,2}[ -][A-Za-z]{3,9}[ -]\d{2,4})$"
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
