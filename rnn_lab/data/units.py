"""The units a series is measured in (its currency), and numbers and dates written the way a class reads them.

A price series shows its currency everywhere: ``RMSE 655 원`` (Korean) or ``655 KRW`` (English), a chart's hover
``45,298 원`` (never Plotly's ``45.29812k``) and the date in full (``2019년 8월 2일``, ``Fri Aug 2, 2019``).

Where the currency comes from, in this order (nothing is guessed from the size of the numbers):

1. a bundled series: its registry entry (:data:`BUNDLED_CURRENCY`; Samsung is quoted in won, AAPL in US dollars),
   for its price columns only (``Volume`` counts shares);
2. an upload: the currency sign its cells carried (``₩21,550``, ``$1,234.50``: the reader drops and reports it),
   else a currency named in the column's name (``Close (KRW)``, ``종가(원)``, ``price_usd``, ``가격 달러``);
3. the Data page's setting ``data_currency`` for an upload's target (``auto`` = 1 and 2, ``none``, or a code);
4. nothing else: toys, sunspots and passengers have no currency, and a bare upload column neither.
"""

from __future__ import annotations

import re

from rnn_lab.data.calendar import series_calendar

PRICE_COLUMNS = ("Open", "High", "Low", "Close", "Adj Close")

# bundled series -> the currency its prices are quoted in (assets/data/SOURCES.md: Yahoo's 005930.KS is in won,
# the Kaggle S&P 500 file in US dollars)
BUNDLED_CURRENCY = {"samsung": "KRW", "aapl": "USD"}

# ISO 4217 code -> (English label, Korean label, decimals a price is written with)
CURRENCIES = {
    "KRW": ("KRW", "원", 0),
    "USD": ("USD", "달러", 2),
    "EUR": ("EUR", "유로", 2),
    "JPY": ("JPY", "엔", 0),
    "GBP": ("GBP", "파운드", 2),
    "CNY": ("CNY", "위안", 2),
    "BRL": ("BRL", "헤알", 2),
}

# the Data page's choices for an upload's target: from the file (sign or name), none, or one of the codes above
CURRENCY_CHOICES = ("auto", "none", *CURRENCIES)

# a currency sign the reader found in the cells -> its code (an unknown sign is shown as it was written)
SIGN_CODES = {
    "₩": "KRW",
    "￦": "KRW",
    "원": "KRW",
    "$": "USD",
    "US$": "USD",
    "€": "EUR",
    "£": "GBP",
    "円": "JPY",
    "元": "CNY",
    "R$": "BRL",
}

# a currency named in a column's name: an ISO code as a word of its own ("Close (KRW)", "price_usd"), or the
# Korean name ("종가(원)", "가격 달러")
_NAME_CODE = re.compile(r"(?:^|[^A-Za-z])(KRW|USD|EUR|JPY|GBP|CNY)(?:$|[^A-Za-z])", re.IGNORECASE)
_NAME_KO = {"원": "KRW", "달러": "USD", "유로": "EUR", "엔화": "JPY", "위안": "CNY"}
_KO_IN_PARENS = re.compile(r"[(\[（]\s*(원|달러|유로|엔화|위안)\s*[)\]）]|(?:^|\s|_)(원|달러|유로|엔화|위안)$")


def currency_from_name(column: str) -> str | None:
    """The currency a column's name states (``Close (KRW)`` -> KRW, ``종가(원)`` -> KRW), else None."""
    name = str(column)
    found = _NAME_CODE.search(name)
    if found:
        return found.group(1).upper()
    found = _KO_IN_PARENS.search(name.strip())
    if found:
        return _NAME_KO[found.group(1) or found.group(2)]
    return None


def column_currency(source: str, column: str, signs: dict | None = None) -> str | None:
    """The currency of ``column`` of the series from ``source`` ("bundled:samsung", "upload:x.csv", "toy:sine"): an
    ISO code, a sign the file used that has no known code, or None (module docstring: where it comes from)."""
    source = str(source or "")
    if source.startswith("bundled:"):
        code = BUNDLED_CURRENCY.get(source.split(":", 1)[1])
        return code if code and column in PRICE_COLUMNS else None
    if source.startswith("toy:"):
        return None
    sign = (signs or {}).get(column)
    if sign == "none":  # the user said: no currency
        return None
    if sign:
        return SIGN_CODES.get(sign.strip(), sign.strip())
    return currency_from_name(column)


def with_choice(signs: dict | None, column: str, choice: str) -> dict:
    """The file's signs with the user's choice for ``column`` (``data_currency``): ``auto`` keeps the file's."""
    out = dict(signs or {})
    if choice and choice != "auto":
        out[column] = choice  # "none" or an ISO code
    return out


def target_currency(prepared) -> str | None:
    """The currency of a prepared series' target (None for class labels and text)."""
    target = getattr(prepared, "target", None)
    if not target:
        return None
    return column_currency(getattr(prepared, "source", ""), target, getattr(prepared, "currency", None))


def unit_label(code: str | None, lang: str) -> str:
    """How a currency is written after a number: ``원`` (Korean) or ``KRW`` (English); "" without a currency."""
    if not code:
        return ""
    known = CURRENCIES.get(code)
    if known is None:
        return code  # a sign the file used (e.g. "CHF", "₹"): as written
    return known[1] if lang == "ko" else known[0]


def unit_decimals(code: str | None, default: int) -> int:
    """Decimals a price in this currency is written with (won and yen: none; most others: cents)."""
    known = CURRENCIES.get(code or "")
    return known[2] if known else default


def format_amount(value, code: str | None, lang: str, decimals: int | None = None) -> str:
    """``45,298 원`` / ``45,298 KRW`` / ``172.50 USD``; without a currency the number alone (``0.1234``).

    ``decimals`` defaults to the currency's (0 for won); give it for numbers finer than a price (scaled values)."""
    if value is None or value != value or value in (float("inf"), float("-inf")):
        return "-"
    d = unit_decimals(code, 4) if decimals is None else decimals
    text = f"{float(value):,.{d}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    label = unit_label(code, lang)
    return f"{text} {label}" if label else text


# ------------------------------------------------------------------ Plotly: hovers in the unit, dates in full


def date_hoverformat(lang: str, calendar=None) -> str:
    """A d3 date format for hovers: the full date (``2019년 8월 2일`` / ``Fri Aug 2, 2019``), the month alone for
    a monthly or yearly series (``1949년 1월`` / ``Jan 1949``), and the time too for a sub-daily series."""
    import pandas as pd

    if calendar in ("MS", "ME", "M"):
        return "%Y년 %-m월" if lang == "ko" else "%b %Y"
    if calendar in ("YS", "Y"):
        return "%Y년" if lang == "ko" else "%Y"
    day = "%Y년 %-m월 %-d일" if lang == "ko" else "%a %b %-d, %Y"
    if isinstance(calendar, pd.Timedelta):
        return day + " %H:%M"
    return day


DAY_MS = 86_400_000  # Plotly measures a date axis' tick spacing in milliseconds


def date_tickformatstops(lang: str) -> list[dict]:
    """Korean date ticks at every zoom (Plotly's own are English: ``Jan 2015``, ``Jul 2015``); [] in English,
    where Plotly's defaults read well."""
    if lang != "ko":
        return []
    return [
        {"dtickrange": [None, DAY_MS], "value": "%-m월 %-d일 %H:%M"},
        {"dtickrange": [DAY_MS, 28 * DAY_MS], "value": "%-m월 %-d일"},
        {"dtickrange": [28 * DAY_MS, 365 * DAY_MS], "value": "%Y년 %-m월"},
        {"dtickrange": [365 * DAY_MS, None], "value": "%Y년"},
    ]


def value_hovertemplate(code: str | None, lang: str, decimals: int | None = None) -> str:
    """A trace's hover text for its y value: ``%{y:,.0f} 원`` for won; a plain number with thousands separators
    and fixed decimals otherwise (never an SI suffix like ``45.3k``). The trace's name is Plotly's default
    ``<extra>`` box (the series name in a unified hover)."""
    d = unit_decimals(code, 4) if decimals is None else decimals
    label = unit_label(code, lang)
    return "%{y:,." + str(d) + "f}" + (f" {label}" if label else "")


def apply_units(fig, index, code: str | None, lang: str, decimals: int | None = None, traces=None):
    """Hovers of ``fig`` in the series' unit, and its date axis hovering the full date on the series' calendar.

    ``index`` is the series' index (its calendar decides the date format); ``traces`` limits the change to these
    trace types (default: scatter lines and markers)."""
    import pandas as pd

    template = value_hovertemplate(code, lang, decimals)
    for trace in fig.data:
        if trace.type in (traces or ("scatter", "scattergl")) and trace.hovertemplate is None:
            trace.hovertemplate = template
    if isinstance(index, pd.DatetimeIndex):
        fig.update_xaxes(hoverformat=date_hoverformat(lang, series_calendar(index)))
        if lang == "ko":
            fig.update_xaxes(tickformatstops=date_tickformatstops(lang))
    label = unit_label(code, lang)
    if label and unit_decimals(code, 2) == 0:  # whole won on the ticks too: "45,000", not "45k"
        fig.update_yaxes(tickformat=",")
    return fig


def axis_title(name: str, code: str | None, lang: str) -> str:
    """``Close (원)`` / ``Close (KRW)``; the name alone without a currency."""
    label = unit_label(code, lang)
    return f"{name} ({label})" if label else name
