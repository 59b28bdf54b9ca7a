"""Reading a table, the number stage: one decimal/thousands decision for the whole file (from the shapes of
its cells), currency signs and accounting negatives, percent and volume suffixes, missing markers, sentinels,
text columns left out. Part of :mod:`rnn_lab.data.reader`."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from rnn_lab.data.columns import suspect_sentinel
from rnn_lab.data.errors import DataError, Note
from rnn_lab.data.read_table import _orig

MISSING_MARKERS = {"", "null", "nan", "na", "n/a", "#n/a", "none", "-", "--", "—", "nil", "."}

_NUM_RE = re.compile(r"^[+-]?(\d[\d.,' ]*|[.,]\d+)([eE][+-]?\d+)?$")  # digits with separators, exponent
_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9}

# A currency sign before or after a number ("$1,234.50", "₩21,550", "R$ 37,53", "1.234,50 €", "US$ 12", "21,550원")
# is dropped; a number in parentheses is negative (accounting style: "(1,234)" = -1234). Both are reported.
_CURRENCY = r"(?:[A-Z]{0,3}\$|[₩€£¥￥￦₹₽₺₫฿₱₪]|원|円|元)"
_CURRENCY_RE = re.compile(_CURRENCY)
_PARENS_RE = re.compile(r"^\(\s*([^()]*\d[^()]*?)\s*\)$")


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


def sentinel_value(sentinel: str | float | None) -> float | None:
    """The number the user says means "no data" (decimal comma allowed); DataError if it is none."""
    if sentinel in (None, ""):
        return None
    try:
        return float(str(sentinel).replace(",", "."))
    except ValueError:
        raise DataError("bad_sentinel", value=sentinel) from None


def number_columns(
    table: pd.DataFrame,
    value_cols: list[str],
    columns_map: dict,
    decisions: list[Note],
    problems: list[Note],
    sentinel: str | float | None,
    sentinel_value: float | None,
    has_header: bool,
) -> tuple[dict, dict[str, str], set[str]]:
    """Stage: the value columns as float64 (those that are numbers), the currency sign of each, the percent
    columns. ``table``'s money columns are replaced by their cells without signs."""
    # numbers: one decimal/thousands decision for the whole file
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
    return frame, currency, percent_cols
