"""Reading a table, its first stages: bytes -> text (the encoding) -> a table of strings (the delimiter sniffed,
or an Excel sheet), and the columns' canonical names. :mod:`rnn_lab.data.reader` runs the stages in order: this
module's, then the date column (:mod:`rnn_lab.data.read_dates`), then the numbers
(:mod:`rnn_lab.data.read_numbers`), then the time axis."""

from __future__ import annotations

import csv
import io
import re
import unicodedata

import numpy as np
import pandas as pd

from rnn_lab.data.errors import DataError, Note

MAX_MB = 50
MIN_ROWS = 3
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


def canonical_name(name: str) -> str | None:
    key = re.sub(r"[\s._\"'\ufeff]", "", unicodedata.normalize("NFC", name)).lower()  # NFC: "Último" from macOS
    return _ALIAS.get(key)


def _orig(columns_map: dict, canon: str | None) -> str | None:
    if canon is None:
        return None
    return next((o for o, c in columns_map.items() if c == canon), canon)


def raw_table(data: bytes, decisions: list[Note]) -> tuple[pd.DataFrame, str, str | None, int, int]:
    """Stage: decode and parse. The raw table of strings, the encoding ("xlsx" for a workbook), the delimiter, and
    how many rows were longer / shorter than the header."""
    long = short = 0
    if data.startswith(b"PK\x03\x04"):
        raw, sheet = _table_from_excel(data)
        encoding, delim = "xlsx", None
        decisions.append(Note("excel", sheet=sheet))
    else:
        text, encoding = _decode(data)
        raw, delim, long, short = _table_from_text(text)
        decisions.append(Note("encoding", encoding=encoding))
        decisions.append(Note("delimiter", delimiter=f"@delim.{DELIMITERS.get(delim, 'none')}"))
    return raw, encoding, delim, long, short


def column_names(header: list[str], decisions: list[Note]) -> tuple[list[str], dict]:
    """Stage: names, canonical when known, unique; and the map original -> canonical of those renamed."""
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
    return names, columns_map
