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
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from rnn_lab.data.columns import (
    IncompleteRow,
    combine_calendar,
    incomplete_last_row,
    level_steps,
    name_role,
    suspect_sentinel,
)
from rnn_lab.data.errors import DataError, Note

MAX_MB = 50
MIN_ROWS = 3
MISSING_MARKERS = {"", "null", "nan", "na", "n/a", "#n/a", "none", "-", "--", "—", "nil", "."}
DELIMITERS = {"\t": "tab", ";": "semicolon", "|": "pipe", ",": "comma"}  # order = preference on ties

# canonical name -> aliases (compared after lowercasing and removing spaces, dots, underscores, quotes).
# Investing.com "Historical Data" downloads name their columns in the site's language. The headers below are
# copied from public code that reads or writes those downloads (GitHub code search, 2025; the file
# tests/fixtures/README.md lists each source and a sample row):
#   en    "Date","Price","Open","High","Low","Vol.","Change %"          (dates 06/28/2024 or Jun 28, 2024)
#   pt-BR "Data","Último","Abertura","Máxima","Mínima","Vol.","Var%"    (28.06.2024, "123.907", "9,07M", "-0,32%")
#   es    "Fecha","Último","Apertura","Máximo","Mínimo","Vol.","% var." (22.07.2019, "10,074", "10,36M")
#   de    "Datum","Zuletzt","Eröffn.","Hoch","Tief","Vol.","+/- %"      (18.04.2018, "20.347,09")
#   fr    "Date","Dernier","Ouv."," Plus Haut","Plus Bas","Vol.","Variation %" (DD/MM/YYYY, "1.234,56")
#   ja    "日付け","終値","始値","高値","安値","出来高","変化率 %" (older: "前日比%"; dates 2019年07月22日 or 2024-12-12)
#   zh    "日期","收盘","开盘","高","低","交易量","涨跌幅"           (2025-5-9, "4,385.20", "275.32K", "0.16%")
# Korean brokers and KRX: 일자,종가,대비,등락률,시가,고가,저가,거래량,거래대금,시가총액,상장주식수.
CANONICAL = {  # aliases separated by spaces (an alias never contains one: spaces are removed before comparing)
    "Date": "date 날짜 일자 기준일자 거래일 month time timestamp datetime day period data fecha datum 日付け 日付 日期",
    "Open": "open 시가 openprice opening abertura apertura eröffn eroffn ouv 始値 开盘 오픈",
    "High": "high 고가 highprice máxima máximo maxima maximo hoch plushaut 高値 高",
    "Low": "low 저가 lowprice mínima mínimo minima minimo tief plusbas 安値 低",
    "Close": "close close/last price 종가 closeprice closing last 현재가 último ultimo zuletzt dernier 終値 收盘 收盘价",
    "Adj Close": "adjclose adjustedclose 수정종가 adjclose* adj",
    "Volume": "volume vol 거래량 volumn 出来高 交易量 成交量",
    "Change": "change chg 대비 전일대비",  # absolute change from the day before
    "Change %": "change% chg% changepercent 등락률 등락률(%) var% %var +/-% variation% 変化率% 前日比% 涨跌幅 변동%",
}
_ALIAS = {alias: canon for canon, aliases in CANONICAL.items() for alias in aliases.split()}

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

_NUM_RE = re.compile(r"^[+-]?(\d[\d.,' ]*|[.,]\d+)([eE][+-]?\d+)?$")  # digits with separators, exponent
_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9}

# A currency sign before or after a number ("$1,234.50", "₩21,550", "R$ 37,53", "1.234,50 €", "US$ 12", "21,550원")
# is dropped; a number in parentheses is negative (accounting style: "(1,234)" = -1234). Both are reported.
_CURRENCY = r"(?:[A-Z]{0,3}\$|[₩€£¥￥￦₹₽₺₫฿₱₪]|원|円|元)"
_CURRENCY_RE = re.compile(_CURRENCY)
_PARENS_RE = re.compile(r"^\(\s*([^()]*\d[^()]*?)\s*\)$")


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


# ----------------------------------------------------------------------------------------------- bytes -> text
def _check_bytes(data: bytes, name: str, max_mb: float) -> None:
    if len(data) > max_mb * 1024 * 1024:
        raise DataError("too_big", mb=len(data) / 1024 / 1024, limit=max_mb)
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf,;"):
        raise DataError("empty")
    head = data[:16]
    for magic, kind in (
        (b"\x89PNG", "PNG"),
        (b"\xff\xd8\xff", "JPEG"),
        (b"GIF8", "GIF"),
        (b"BM", "BMP"),
        (b"RIFF", "WEBP"),
        (b"II*\x00", "TIFF"),
        (b"MM\x00*", "TIFF"),
    ):
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


def _table_from_text(text: str) -> tuple[pd.DataFrame, str | None, int, int]:
    """Cells as str, the delimiter, and how many rows had too many / too few fields."""
    delim = _sniff_delimiter(text[:200_000].splitlines()[:200])
    if delim is not None:
        try:  # the C parser: quotes, CRLF, missing final newline; fails on rows with extra fields
            table = pd.read_csv(
                io.StringIO(text),
                sep=delim,
                header=None,
                dtype=str,
                keep_default_na=False,
                na_values=[],
                skipinitialspace=True,
                skip_blank_lines=True,
                quotechar='"',
                engine="c",
            )
            short = 0
            if (table.iloc[1:, -1] == "").any():  # the C parser pads short rows with "": count them
                counts = [len(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delim) if r]
                short = sum(1 for n in counts[1:] if n < table.shape[1])
            if f" {delim}" in text or " \n" in text or " \r" in text or text.endswith(" "):
                table = table.apply(lambda col: col.str.strip())  # space-padded fields
            return table, delim, 0, short
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError):
            rows = list(
                csv.reader(io.StringIO(text, newline=""), delimiter=delim, quotechar='"', skipinitialspace=True)
            )
    else:
        rows = [[ln] for ln in text.splitlines()]
    rows = [[c.strip().strip('"').strip() for c in r] for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise DataError("empty")
    width = len(rows[0]) if len(rows) > 1 and len(rows[0]) > 1 else max(len(r) for r in rows)
    long = sum(1 for r in rows if len(r) > width)
    short = sum(1 for r in rows[1:] if len(r) < width)
    table = pd.DataFrame([r[:width] + [""] * (width - len(r)) for r in rows], dtype=object)
    return table, delim, long, short


def _table_from_excel(data: bytes) -> tuple[pd.DataFrame, str]:
    try:
        book = pd.read_excel(io.BytesIO(data), sheet_name=0, header=None, dtype=object, engine="openpyxl")
        with pd.ExcelFile(io.BytesIO(data), engine="openpyxl") as xls:
            sheet = xls.sheet_names[0]
    except Exception as err:  # noqa: BLE001 - any broken workbook becomes one line for the user
        raise DataError("bad_excel", reason=str(err).splitlines()[0][:200]) from None

    def cell(v):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return ""
        if hasattr(v, "isoformat"):  # datetime cells
            return pd.Timestamp(v).strftime("%Y-%m-%d")
        if isinstance(v, int | float | np.number) and not isinstance(v, bool):
            return np.format_float_positional(float(v), trim="-")  # never "1e-05"
        return str(v).strip()

    return book.map(cell), sheet


# ---------------------------------------------------------------------------------------------- cells -> values
def canonical_name(name: str) -> str | None:
    key = re.sub(r"[\s._\"'\ufeff]", "", unicodedata.normalize("NFC", name)).lower()  # NFC: "Último" from macOS
    return _ALIAS.get(key)


def _strip_money(cell: str) -> str:
    """ "$1,234.50" -> "1,234.50", "(1,234)" -> "-1,234", "R$ -1,00" -> "-1,00"."""
    c = _CURRENCY_RE.sub("", cell).strip()
    m = _PARENS_RE.match(c)
    if m:
        c = "-" + m.group(1).strip().lstrip("+-")
    return re.sub(r"^([+-])\s+", r"\1", c)


def _money_column(col: pd.Series) -> tuple[pd.Series, str | None, bool]:
    """The cells without currency signs and with accounting negatives written "-": (cells, sign seen, parens seen).

    Vectorised: a 6,000-row column is a handful of string operations, and a column without "(" or any
    currency sign is returned untouched at the cost of one search.
    """
    joined = "\x00".join(col.tolist())
    has_parens = "(" in joined
    has_sign = _CURRENCY_RE.search(joined) is not None
    if not (has_parens or has_sign):
        return col, None, False
    cells = col.str.strip()
    sign = None
    if has_sign:  # first the sign ("(15,25) €", "($1,234.50)"), then the parentheses
        found = cells.str.extract(f"({_CURRENCY})", expand=False).dropna()
        sign = found.mode().iloc[0] if len(found) else None
        cells = cells.str.replace(_CURRENCY, "", regex=True).str.strip()
    parens = False
    if has_parens:
        inner = cells.str.extract(_PARENS_RE, expand=False)
        hit = inner.notna()
        if hit.any():
            parens = True
            cells = cells.where(~hit, "-" + inner.str.strip().str.lstrip("+-"))
    if has_sign or parens:
        cells = cells.str.replace(r"^([+-])\s+", r"\1", regex=True)  # "- 12" (after "- $12") -> "-12"
    return cells, sign, parens


def _looks_number(cell: str) -> bool:
    c = _strip_money(cell).lower()
    if c.endswith("%") or (c and c[-1] in _SUFFIX):  # "-0.52%", "1.2M"
        c = c[:-1]
    c = c.replace(" ", "")
    return bool(_NUM_RE.match(c)) or c in ("inf", "-inf", "+inf", "infinity", "-infinity")


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


_S = r"[kKmMbB%]?"  # an optional volume suffix or percent sign after the number
_EVIDENCE = {  # (pattern on one cell per line, what it says)
    "comma_both": (rf"^[+-]?\d+(?:\.\d+)+,\d+{_S}$", ","),  # "20.347,09": comma is the decimal mark
    "dot_both": (rf"^[+-]?\d+(?:,\d+)+\.\d+{_S}$", "."),  # "1,407,345.50"
    "commas": (rf"^[+-]?\d+(?:,\d+){{2,}}{_S}$", "."),  # "1,407,345": commas group thousands
    "dots": (rf"^[+-]?\d+(?:\.\d+){{2,}}{_S}$", ","),  # "1.407.345": dots group thousands
    "comma_dec": (rf"^[+-]?\d*,(?:\d{{1,2}}|\d{{4,}}){_S}$", ","),  # "20,5"
    "dot_dec": (rf"^[+-]?\d*\.(?:\d{{1,2}}|\d{{4,}}){_S}$", "."),  # "26000.000000"
}
_EVIDENCE = {k: (re.compile(p), v) for k, (p, v) in _EVIDENCE.items()}
_AMBIGUOUS = re.compile(rf"^[+-]?\d+[.,]\d{{3}}{_S}$")  # "112.253", "1,234": thousands or decimals?
_NUMBER_LINE = re.compile(rf"(?i)^[+-]?(?:\d[\d.,']*|[.,]\d+)(?:e[+-]?\d+)?{_S}$|^[+-]?inf(?:inity)?$")


_DIGITS_TO_9 = str.maketrans("0123456789", "9999999999")


def _shapes(cells: pd.Series) -> dict[str, tuple[int, str]]:
    """Each distinct cell shape (digits written as 9) -> (count, first cell with that shape).

    A 6,000-row price column has a handful of shapes ("99999.999999"), so the evidence regexes
    below run on a few strings instead of on every cell.
    """
    values = cells.tolist()
    if not values:
        return {}
    shapes = "\x00".join(values).translate(_DIGITS_TO_9).split("\x00")  # NUL never occurs in a text cell
    out: dict[str, list] = {}
    for k, shape in enumerate(shapes):
        if shape in out:
            out[shape][0] += 1
        else:
            out[shape] = [1, values[k]]
    return {k: (v[0], v[1]) for k, v in out.items()}


def _number_evidence(shapes: dict[str, tuple[int, str]]) -> tuple[str, str, str | None, bool]:
    """Decide the decimal mark and thousands separator from cell shapes (see :func:`_shapes`).

    Returns (decimal, thousands, example, ambiguous). A cell with both marks: the last one is the decimal mark
    ("1,407,345.50", "20.347,09"). One mark repeated: it is the thousands separator ("1.407.345"). One mark
    once followed by other than 3 digits: it is the decimal mark ("20,5", "26000.000000"). One mark once
    followed by exactly 3 digits ("112.253") is ambiguous and decided by the other cells.
    """
    votes = {",": 0, ".": 0}
    examples: dict[str, str] = {}
    amb = None
    for shape, (count, example) in shapes.items():
        for pattern, decimal in _EVIDENCE.values():
            if pattern.match(shape):
                votes[decimal] += count
                examples.setdefault(decimal, example)
                break
        else:
            if amb is None and _AMBIGUOUS.match(shape):
                amb = example
    if votes[","] > votes["."]:
        return ",", ".", examples[","], False
    if votes["."]:
        return ".", ",", examples["."], False
    return ".", ",", amb, amb is not None


def _merge(*shape_dicts) -> dict[str, tuple[int, str]]:
    out: dict[str, tuple[int, str]] = {}
    for d in shape_dicts:
        for shape, (count, example) in d.items():
            old = out.get(shape)
            out[shape] = (count + old[0], old[1]) if old else (count, example)
    return out


def _to_numbers(col: pd.Series, decimal: str, thousands: str, shapes: dict) -> tuple[pd.Series, str | None]:
    """Text -> float with string operations on the whole column at once. Returns values and a kind ('%', 'suffix').

    Missing cells must be "" already. Percent strings keep their number ("-0.52%" -> -0.52);
    K/M/B multiply by 1e3/1e6/1e9.
    """
    has_pct = any(sh.endswith("%") for sh in shapes)
    has_suffix = any(sh[-1:] in ("k", "K", "m", "M", "b", "B") for sh in shapes)
    joined = "\x00".join(col.tolist())  # NUL never occurs in a text cell (binary files are refused)
    if decimal == "." and "," not in joined and "'" not in joined and " " not in joined and not (has_pct or has_suffix):
        return pd.to_numeric(col.replace("", np.nan), errors="coerce").astype(np.float64), None  # plain numbers
    joined = joined.replace(" ", "").replace("'", "").replace(thousands, "")
    if decimal == ",":
        joined = joined.replace(",", ".")
    cells = pd.Series(joined.split("\x00"), index=col.index)
    mult = 1.0
    if has_pct or has_suffix:
        last = cells.str[-1:].str.lower()
        mult = last.map(_SUFFIX).fillna(1.0)
        cells = cells.where(~last.isin([*_SUFFIX, "%"]), cells.str[:-1])
    out = pd.to_numeric(cells.replace("", np.nan), errors="coerce") * mult
    return out.astype(np.float64), ("%" if has_pct else "suffix" if has_suffix else None)


def _fmt_value(v: float) -> str:
    return f"{v:,.6g}" if abs(v) < 1e6 else f"{v:,.0f}"


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
    _check_bytes(data, name, max_mb)
    decisions: list[Note] = []
    problems: list[Note] = []
    long = short = 0
    if data.startswith(b"PK\x03\x04"):
        raw_table, sheet = _table_from_excel(data)
        encoding, delim = "xlsx", None
        decisions.append(Note("excel", sheet=sheet))
    else:
        text, encoding = _decode(data)
        raw_table, delim, long, short = _table_from_text(text)
        decisions.append(Note("encoding", encoding=encoding))
        decisions.append(Note("delimiter", delimiter=f"@delim.{DELIMITERS.get(delim, 'none')}"))
    sentinel_value = None
    if sentinel not in (None, ""):
        try:
            sentinel_value = float(str(sentinel).replace(",", "."))
        except ValueError:
            raise DataError("bad_sentinel", value=sentinel) from None

    # blank rows (",,,,,") are not data
    blank = (raw_table.fillna("") == "").all(axis=1).to_numpy()
    n_blank = int(blank[1:].sum())
    raw_table = raw_table[~blank].reset_index(drop=True)
    if raw_table.empty:
        raise DataError("empty")

    # header: the first row has more non-number, non-date cells than the second
    def n_text(row):
        return sum(1 for c in row if isinstance(c, str) and c and not _looks_number(c) and not _looks_date(c))

    first_rows = raw_table.head(2).fillna("").values.tolist()
    has_header = len(first_rows) == 1 or n_text(first_rows[0]) > n_text(first_rows[1])
    width = raw_table.shape[1]
    if has_header:
        header = [c or f"column_{i + 1}" for i, c in enumerate(first_rows[0])]
        body = raw_table.iloc[1:]
    else:
        header = ["value"] if width == 1 else [f"column_{i + 1}" for i in range(width)]
        body = raw_table
        decisions.append(Note("header_none", names=", ".join(header)))
    if n_blank:
        decisions.append(Note("blank_rows", n=n_blank))
    if short:
        problems.append(Note("partial_rows", n=short))
    if long:
        problems.append(Note("long_rows", n=long))
    n_rows = len(body)
    if n_rows < MIN_ROWS:
        raise DataError("too_few_rows", rows=n_rows, need=MIN_ROWS)
    table = body.fillna("").astype(str).reset_index(drop=True)

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
            original = _orig(columns_map, date_col)
            cells = table[date_col][table[date_col] != ""]
            if date_col == "Date" and original != "Date" and len(cells) and cells.map(_looks_number).mean() >= 0.9:
                # "Month", "Day" or pt-BR "Data" holding plain numbers: a calendar part or a value, not dates.
                # It keeps its own name; the calendar check below may still make it part of the time axis.
                names[names.index("Date")] = original
                table = table.rename(columns={"Date": original})
                del columns_map[original]
                decisions = [
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

    # numbers: one decimal/thousands decision for the whole file
    value_cols = [c for c in names if c != date_col]
    money = {}  # column -> (currency sign, parentheses seen, the cells as written)
    for col in value_cols:
        cells, sign, parens = _money_column(table[col])
        if sign or parens:
            money[col] = (sign, parens, table[col])
            table[col] = cells
    missing_masks = {c: table[c].str.lower().isin(MISSING_MARKERS) for c in value_cols}
    shapes = {c: _shapes(table[c][~missing_masks[c]]) for c in value_cols}
    decimal, thousands, example, ambiguous = _number_evidence(_merge(*shapes.values()))
    if ambiguous:
        decisions.append(Note("numbers_ambiguous", example=example))
    elif decimal == "," or any(thousands in shape for d in shapes.values() for shape in d):
        decisions.append(Note("numbers", decimal=decimal, thousands=thousands, example=example))
    frame = {}
    currency: dict[str, str] = {}
    percent_cols: set[str] = set()
    for col in value_cols:
        raw = table[col]
        is_missing = missing_masks[col]
        present = raw[~is_missing]
        if present.empty:
            decisions.append(Note("empty_column", column=_orig(columns_map, col)))
            continue
        numeric_share = sum(n for shape, (n, _) in shapes[col].items() if _NUMBER_LINE.match(shape)) / len(present)
        if numeric_share < 0.8:
            if present.nunique() == 1:
                decisions.append(Note("text_constant", column=_orig(columns_map, col), value=present.iloc[0]))
            else:
                decisions.append(Note("text_ignored", column=_orig(columns_map, col)))
            continue
        col_decimal, col_thousands = decimal, thousands
        own_decimal, own_thousands, own_example, own_ambiguous = _number_evidence(shapes[col])
        if own_example is not None and not own_ambiguous and own_decimal != decimal:
            col_decimal, col_thousands = own_decimal, own_thousands  # this column's own cells say otherwise
            decisions.append(Note("numbers_column", column=col, decimal=own_decimal, example=own_example))
        values, kind = _to_numbers(raw.where(~is_missing, ""), col_decimal, col_thousands, shapes[col])
        values[is_missing] = np.nan
        if kind == "%" or col == "Change %":
            percent_cols.add(col)
        if col in money:
            sign, parens, written = money[col]
            if sign:
                currency[col] = sign
                i = int(np.flatnonzero(written.str.contains(sign, regex=False).to_numpy())[0])
                decisions.append(
                    Note("currency", column=col, sign=sign, example=written.iloc[i], value=_fmt_value(values.iloc[i]))
                )
            if parens:
                unsigned = written.str.replace(_CURRENCY, "", regex=True).str.strip()
                i = int(np.flatnonzero(unsigned.str.match(_PARENS_RE).to_numpy())[0])
                decisions.append(
                    Note("accounting_negative", column=col, example=written.iloc[i], value=_fmt_value(values.iloc[i]))
                )
        if kind:
            i = int(
                np.flatnonzero(raw.str.endswith("%") if kind == "%" else raw.str[-1:].str.lower().isin(list(_SUFFIX)))[
                    0
                ]
            )
            decisions.append(
                Note(
                    "percent" if kind == "%" else "suffix",
                    column=col,
                    example=raw.iloc[i],
                    value=_fmt_value(values.iloc[i]),
                )
            )
        bad = values.isna() & ~is_missing
        if bad.any():
            problems.append(Note("unreadable", n=int(bad.sum()), column=col, example=raw[bad].iloc[0]))
        if is_missing.any():
            # say which markers meant "missing" ('-', 'null'); empty cells are counted, not shown as a marker
            written = raw[is_missing]
            markers = ", ".join(f"'{m}'" for m in sorted(set(written.tolist()) - {""}))
            empty = int((written == "").sum())
            n = int(is_missing.sum())
            if markers and empty:
                problems.append(Note("missing_both", n=n, column=col, markers=markers, empty=empty))
            elif markers:
                problems.append(Note("missing", n=n, column=col, markers=markers))
            else:
                problems.append(Note("missing_empty", n=n, column=col))
        if sentinel_value is not None:
            hit = values == sentinel_value
            if hit.any():
                values[hit] = np.nan
                problems.append(Note("sentinel", n=int(hit.sum()), sentinel=sentinel, column=col))
        code = suspect_sentinel(values.to_numpy(dtype=np.float64))
        if code is not None:  # any column, not only the target: a -1 "no data" read as a number skews a feature
            n = int((values == code).sum())
            problems.append(
                Note("sentinel_suspect", column=_orig(columns_map, col), n=n, share=n / len(values), value=f"{code:g}")
            )
        inf = np.isinf(values.to_numpy(dtype=np.float64))
        if inf.any():
            raise DataError("inf", column=col, row=int(np.flatnonzero(inf)[0]) + 1 + int(has_header))
        frame[col] = values.astype(np.float64)
    if not frame:
        raise DataError("no_numeric")
    out = pd.DataFrame(frame)
    if all(out[c].isna().all() for c in out.columns):
        raise DataError("no_numeric")

    # calendar columns: year + month (+ day), a decimal year or a year become the time axis (SILSO's headerless
    # "1749;01;1749.042;  96.7;..." export) instead of being offered as data
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

    # time axis
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
    if len(out) < MIN_ROWS:
        raise DataError("too_few_rows", rows=len(out), need=MIN_ROWS)
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
        problems = [n for n in problems if not (n.key.startswith("missing") and n.values.get("column") in only_last)]
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
