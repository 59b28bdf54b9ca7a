"""Real exports (tests/fixtures, see its README): what a student uploads, read and named right.

Issue 9 item 5 (Investing.com in six languages, currency signs, accounting negatives, a comma in a column
name) and issue 14 items 1, 5 and 7 (headerless calendar files, the default target, spike hints instead
of outliers, an incomplete last row, a unit step, one number format per column).
"""

import hashlib
import importlib.util
import re

import numpy as np
import pandas as pd
import pytest
from helpers import ROOT

from rnn_lab.data.clean import clean, outlier_mask, spike_mask
from rnn_lab.data.columns import calendar_role, choose_target, incomplete_last_row, level_steps
from rnn_lab.data.display import NumberFormat, describe_formats, frame_formats, styled
from rnn_lab.data.reader import read_bytes, read_file
from rnn_lab.data.settings import join_columns, split_columns
from rnn_lab.data.sources import BUNDLED, load_bundled

FIXTURES = ROOT / "tests" / "fixtures"
EXACT = {
    "silso_SN_m_tot_V2.0_tail600.csv": "d8b52effcc9f9de7a4bd60f63f8c8e478a37f9779bbdd0acb2c91538c9aba77b",
    "investing_ptbr_ibovespa_2007.csv": "3eafa703aa2ba82e453cf90900dd979c14a3695505b0242434b634e300f6ce04",
    "krx_005930_202406_utf8bom.csv": "48cb68f00ae67ab2ed29b0d7b8a84c550fd5a36f20e20b1f7e1ca899ceae0e09",
    "silso_SN_m_tot_V2.0_1814-1823.csv": "a775f39f6511f2c901bed15a2a3e44f11eff37c781895e2588e9a28f02fc7408",
}


def keys(notes):
    return [n.key for n in notes]


def note(notes, key):
    return next(n for n in notes if n.key == key)


def read(name, **kwargs):
    return read_file(FIXTURES / name, **kwargs)


# ------------------------------------------------------------------------------------------- the files themselves
@pytest.mark.parametrize("name", sorted(EXACT))
def test_byte_exact_excerpts(name):
    assert hashlib.sha256((FIXTURES / name).read_bytes()).hexdigest() == EXACT[name]


def test_derived_fixtures_are_reproducible():
    spec = importlib.util.spec_from_file_location("make_derived", FIXTURES / "make_derived.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, make in module.DERIVED.items():
        assert make() == (FIXTURES / name).read_bytes(), f"{name} differs from make_derived.py's output"


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.csv")))
def test_every_note_of_every_fixture_renders_in_both_languages(name):
    loaded = read(name)
    for n in loaded.decisions + loaded.problems:
        for lang in ("en", "ko"):
            text = n.text(lang)
            assert "{" not in text and "(empty)" not in text and "None" not in text


# ------------------------------------------------------------------------------- SILSO: headerless calendar file
def test_silso_headerless_year_month_become_the_date_and_value_is_the_target():
    loaded = read("silso_SN_m_tot_V2.0_tail600.csv")
    f = loaded.frame
    # year;month;decimal year;value;std;obs;definitive -> the calendar is the time axis, not data
    assert list(f.columns) == ["column_4", "column_5", "column_6", "column_7"]
    assert loaded.start == "1969-03-01" and loaded.end == "2019-02-01" and loaded.frequency == "monthly"
    assert loaded.date_column == "column_1 + column_2"
    combined = note(loaded.decisions, "calendar_year_month")
    assert combined.values == {"year": "column_1", "month": "column_2", "example": "1969;03", "parsed": "1969-03-01"}
    assert note(loaded.decisions, "calendar_extra").values == {"column": "column_3", "example": "1969.204"}
    assert "no_date" not in keys(loaded.decisions)
    assert f.loc["2019-02-01", "column_4"] == 0.8 and f.loc["1969-03-01", "column_4"] == 192.3
    choice = choose_target(f)
    assert (choice.column, choice.reason) == ("column_4", "first_usable")


def test_calendar_columns_never_become_the_default_target():
    """Without combining (e.g. only a year and a decimal year), the calendar columns are passed over."""
    silso = (FIXTURES / "silso_SN_m_tot_V2.0_tail600.csv").read_text().splitlines()
    rows = [line.split(";") for line in silso]
    frame = pd.DataFrame({f"column_{i + 1}": [float(r[i]) for r in rows] for i in range(7)})
    assert [calendar_role(frame[c]) for c in frame.columns[:4]] == ["year", "month", "decimal_year", None]
    choice = choose_target(frame)
    assert choice.column == "column_4"
    assert choice.skipped == [("column_1", "year"), ("column_2", "month"), ("column_3", "decimal_year")]
    counter = pd.DataFrame({"id": np.arange(1.0, 41.0), "value": np.sin(np.arange(40.0))})
    assert choose_target(counter).skipped == [("id", "monotonic")] and choose_target(counter).column == "value"
    assert choose_target(counter[["id"]]).reason == "fallback"  # nothing better: say so


@pytest.mark.parametrize(
    ("text", "columns", "start", "key"),
    [
        (
            "Year,Month,Value\n" + "".join(f"{2000 + i // 12},{i % 12 + 1},{i * 1.5}\n" for i in range(30)),
            ["Value"],
            "2000-01-01",
            "calendar_year_month",
        ),
        (
            "ano;mês;dia;valor\n" + "".join(f"2021;3;{d};{d * 2}\n" for d in range(1, 25)),
            ["valor"],
            "2021-03-01",
            "calendar_year_month_day",
        ),
        (
            "1749.042 96.7\n1749.123 104.3\n1749.204 116.7\n1749.288 92.8\n".replace(" ", ";"),
            ["column_2"],
            "1749-01-16",
            "calendar_decimal_year",
        ),
        (
            "Year,Sunspots\n" + "".join(f"{1900 + i},{(i * 37) % 150}\n" for i in range(20)),
            ["Sunspots"],
            "1900-01-01",
            "calendar_year",
        ),
    ],
)
def test_calendar_parts_with_and_without_names(tmp_path, text, columns, start, key):
    loaded = read_bytes(text.encode(), "c.csv")
    assert list(loaded.frame.columns) == columns and loaded.start == start and key in keys(loaded.decisions)
    assert "bad_dates" not in keys(loaded.problems)  # "Month" (a Date alias) holding numbers is not an error


def test_a_column_of_prices_named_year_is_not_a_calendar():
    text = "Date,Year\n" + "".join(f"2020-01-{d:02d},{1500 + 37 * (d % 5)}\n" for d in range(1, 21))
    loaded = read_bytes(text.encode(), "y.csv")
    assert list(loaded.frame.columns) == ["Year"] and loaded.date_column == "Date"


# ------------------------------------------------------------------------------------------------ outlier hints
def test_spike_hint_spares_cycle_peaks_and_finds_a_typo():
    sunspots = load_bundled("sunspots").frame[["Sunspots"]]
    iqr = outlier_mask(sunspots)["Sunspots"]
    spikes = spike_mask(sunspots)["Sunspots"]
    assert iqr.sum() > 40  # Tukey's fences call every big solar maximum an outlier ...
    assert spikes.sum() <= 3 and not spikes[sunspots["Sunspots"].idxmax()]  # ... the local rule does not
    samsung = load_bundled("samsung").frame[["Close"]]
    assert spike_mask(samsung)["Close"].sum() == 0  # neither the 2018 fall nor the 2017 high
    typo = samsung.copy()
    typo.iloc[600, 0] *= 10  # one price typed with an extra zero
    hit = spike_mask(typo)["Close"]
    assert hit.iloc[600] and hit.sum() == 1


def test_clipping_reports_values_that_are_not_spikes():
    frame = load_bundled("sunspots").frame[["Sunspots"]]
    _, report = clean(frame, outliers="iqr", k=1.5, fit_rows=len(frame))
    assert report.clipped > 40 and report.clipped_not_spikes >= report.clipped - 3


# ------------------------------------------------------------------------------------ Investing.com, every language
def test_investing_ptbr_real_export():
    loaded = read("investing_ptbr_ibovespa_2007.csv")
    f = loaded.frame
    assert list(f.columns) == ["Close", "Open", "High", "Low", "Volume", "Change %"]
    assert loaded.columns_map == {
        "Data": "Date", "Último": "Close", "Abertura": "Open", "Máxima": "High", "Mínima": "Low",
        "Vol.": "Volume", "Var%": "Change %",
    }  # fmt: skip
    last = f.loc["2007-12-07"]  # "07.12.2007","65.639","65.789","66.529","65.278","2,29M","-0,23%"
    assert last.tolist() == pytest.approx([65639, 65789, 66529, 65278, 2_290_000, -0.23])
    assert loaded.encoding == "UTF-8 with BOM" and "sorted" in keys(loaded.decisions)
    # the real export's volume falls about 11x in late August 2007 and stays there: named, with its date
    step = note(loaded.problems, "level_step")
    assert step.values["column"] == "Volume" and step.values["date"].startswith("2007-08")
    assert 9 <= float(step.values["factor"]) <= 13


def test_investing_english_export():
    loaded = read("investing_en_aapl.csv")
    f = loaded.frame
    assert list(f.columns) == ["Close", "Open", "High", "Low", "Volume", "Change %"]
    assert f.loc["2018-02-07"].tolist() == pytest.approx([159.54, 163.09, 163.40, 159.07, 51_610_000, -2.14])
    assert not loaded.problems and loaded.frequency == "trading"


def test_volume_unit_change_k_to_m_is_flagged():
    loaded = read("investing_en_aapl_volume_units.csv")
    step = note(loaded.problems, "unit_step")
    assert step.values["column"] == "Volume" and step.values["date"].startswith("2018-01")
    assert 700 <= float(step.values["factor"].replace(",", "")) <= 1500
    assert "K vs M" in step.text("en") and "K 대 M" in step.text("ko")
    assert not [s for s in level_steps(loaded.frame) if s.column != "Volume"]


@pytest.mark.parametrize("name", list(BUNDLED))
def test_no_step_is_reported_in_the_bundled_series(name):
    assert not {"unit_step", "level_step", "incomplete_last"} & set(keys(load_bundled(name).problems))


# layouts as in tests/fixtures/README.md: header, a date, a price and the volume/percent cells
LANGUAGES = {
    "es": ('"Fecha","Último","Apertura","Máximo","Mínimo","Vol.","% var."', "{d:02d}.07.2019", "10.07{d},5", "10,36M",
           "-0,08%"),
    "de": ('"Datum","Zuletzt","Eröffn.","Hoch","Tief","Vol.","+/- %"', "{d:02d}.04.2018", "20.347,{d:02d}", "1,2M",
           "-0,52%"),
    "fr": ('"Date","Dernier","Ouv."," Plus Haut","Plus Bas","Vol.","Variation %"', "{d:02d}/03/2024", "1.234,{d:02d}",
           "5,52K", "4,13%"),
    "ja": ('"日付け","終値","始値","高値","安値","出来高","変化率 %"', "2019年07月{d:02d}日", "2,16{d}.5", "10.36M", "-0.08%"),
    "zh": ('"日期","收盘","开盘","高","低","交易量","涨跌幅"', "2025-5-{d}", "4,38{d}.20", "275.32K", "0.16%"),
}  # fmt: skip


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_investing_headers_in_every_language_get_canonical_names(lang):
    header, date, price, volume, pct = LANGUAGES[lang]
    rows = [
        ",".join(f'"{c}"' for c in (date.format(d=d), price.format(d=d), *[price.format(d=d)] * 3, volume, pct))
        for d in range(9, 2, -1)
    ]
    loaded = read_bytes(("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode("utf-8"), f"{lang}.csv")
    assert list(loaded.frame.columns) == ["Close", "Open", "High", "Low", "Volume", "Change %"]
    assert len(loaded.frame) == 7 and loaded.frame.index.is_monotonic_increasing and not loaded.problems
    first = loaded.frame.iloc[0]
    expect = {"es": 10073.5, "de": 20347.03, "fr": 1234.03, "ja": 2163.5, "zh": 4383.2}[lang]
    assert first["Close"] == pytest.approx(expect)


# ------------------------------------------------------------------------------------ Korean broker and KRX exports
def test_krx_download_and_its_excel_copy_read_the_same():
    raw, excel = read("krx_005930_202406_cp949.csv"), read("krx_005930_202406_utf8bom.csv")
    assert raw.encoding == "CP949/EUC-KR" and excel.encoding == "UTF-8 with BOM"
    assert list(raw.frame.columns)[:8] == ["Close", "Change", "Change %", "Open", "High", "Low", "Volume", "거래대금"]
    pd.testing.assert_frame_equal(raw.frame, excel.frame)
    assert raw.frame.loc["2024-06-27", "Close"] == 81600 and raw.frame.loc["2024-06-21", "Change"] == -1600


def test_broker_export_with_only_an_opening_price_in_the_last_row():
    loaded = read("broker_005930_open_only_cp949.csv")
    last = loaded.incomplete
    assert last.label == "2024-06-28" and last.present == ["Open"]
    assert last.absent == ["Close", "Change", "Change %", "High", "Low", "Volume"]
    problem = note(loaded.problems, "incomplete_last")
    assert problem.values["date"] == "2024-06-28" and "2024-06-28" in problem.text("ko")
    assert not [n for n in loaded.problems if n.key.startswith("missing")]  # one problem, not six
    # forward-filling would invent a close for 2024-06-28 (the last label); without the row there is none
    filled, _ = clean(loaded.frame, ["Close"], "ffill")
    assert filled.index[-1] == pd.Timestamp("2024-06-28") and filled["Close"].iloc[-1] == 81600
    kept, _ = clean(loaded.frame.iloc[:-1], ["Close"], "ffill")
    assert kept.index[-1] == pd.Timestamp("2024-06-27")


def test_a_zero_close_in_the_last_row_counts_as_absent():
    frame = pd.DataFrame(
        {"Open": [10.0, 11, 12, 13, 14, 15], "Close": [10.5, 11.5, 12.5, 13.5, 14.5, 0.0]},
        index=pd.date_range("2024-01-01", periods=6),
    )
    row = incomplete_last_row(frame)
    assert row.absent == ["Close"] and row.label == "2024-01-06"
    assert incomplete_last_row(frame.iloc[:-1]) is None


# ------------------------------------------------------------------------------------ currency and negatives
def test_dollar_prices_from_nasdaq():
    loaded = read("nasdaq_aapl_dollar.csv")
    assert list(loaded.frame.columns) == ["Close", "Volume", "Open", "High", "Low"]
    assert loaded.columns_map["Close/Last"] == "Close" and loaded.frame["Close"].iloc[-1] == 159.54
    assert loaded.currency == {"Close": "$", "Open": "$", "High": "$", "Low": "$"}
    assert note(loaded.decisions, "currency").values == {
        "column": "Close", "sign": "$", "example": "$159.54", "value": "159.54",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("cells", "values", "sign"),
    [
        (['"₩21,550"', '"₩21,600"', '"₩21,500"'], [21550, 21600, 21500], "₩"),
        (['"21,550원"', '"21,600원"', '"21,500원"'], [21550, 21600, 21500], "원"),
        (['"$1,234.50"', '"($1,234.50)"', '"-$12.30"'], [1234.5, -1234.5, -12.3], "$"),
        (['"R$ 37,53"', '"R$ 1.037,50"', '"R$ -1,00"'], [37.53, 1037.5, -1.0], "R$"),
        (['"1.234,50 €"', '"2.000,00 €"', '"(15,25) €"'], [1234.5, 2000.0, -15.25], "€"),
        (['"¥1,234"', '"¥1,300"', '"¥1,250"'], [1234, 1300, 1250], "¥"),
        (['"(1,234)"', "567", '"(89)"'], [-1234, 567, -89], None),
    ],
)
def test_currency_signs_and_accounting_negatives_become_numbers(cells, values, sign):
    text = "Date,Amount\n" + "".join(f"2024-01-0{i + 1},{c}\n" for i, c in enumerate(cells))
    loaded = read_bytes(text.encode(), "m.csv")
    assert loaded.frame["Amount"].tolist() == pytest.approx(values)
    assert loaded.currency.get("Amount") == sign
    assert ("currency" in keys(loaded.decisions)) == (sign is not None)
    assert ("accounting_negative" in keys(loaded.decisions)) == any("(" in c for c in cells)


def test_parentheses_in_a_text_column_are_left_alone():
    text = "Date,Close,Note\n2024-01-01,1,(AAPL)\n2024-01-02,2,(MSFT)\n2024-01-03,3,(KO)\n"
    loaded = read_bytes(text.encode(), "t.csv")
    assert list(loaded.frame.columns) == ["Close"] and "text_ignored" in keys(loaded.decisions)


# ---------------------------------------------------------------------------------- any column name as a feature
@pytest.mark.parametrize(
    "names",
    [["Close", "Volume"], ["Price, KRW", "Vol."], ["a\\b", "c,\\,d", ","], ["종가(원), 조정"], ["C:\\x"]],
)
def test_feature_names_round_trip_through_the_setting(names):
    assert split_columns(join_columns(names)) == names


def test_old_feature_links_keep_their_meaning():
    assert split_columns("Close,Volume") == ["Close", "Volume"] and split_columns("") == []
    assert split_columns("C:\\x,Close") == ["C:\\x", "Close"]  # an unescaped backslash stays as written


def test_a_column_with_a_comma_in_its_name_is_read_and_usable():
    text = 'Date,"Price, KRW",Volume\n' + "".join(f"2024-01-{d:02d},{1000 + d},{d * 10}\n" for d in range(1, 21))
    loaded = read_bytes(text.encode(), "c.csv")
    assert list(loaded.frame.columns) == ["Price, KRW", "Volume"]
    from rnn_lab.data.prepare import prepare

    features = split_columns(join_columns(["Price, KRW", "Volume"]))
    p = prepare(loaded.frame, "Price, KRW", features, window=3, val_frac=0.0, test_frac=0.0)
    assert p.X_train.shape == (17, 3, 2)


# ----------------------------------------------------------------------------------------- one format per column
def test_won_prices_are_whole_numbers_and_one_column_keeps_one_format():
    loaded = read("krx_005930_202406_cp949.csv")
    formats = frame_formats(loaded.frame, loaded.currency)
    assert formats["Close"](81600.0) == "81,600" and formats["Close"].decimals == 0
    assert formats["Change %"](0.37) == "0.37" and formats["거래대금"](953180000000.0) == "953,180,000,000"
    described = describe_formats(loaded.frame)
    html = styled(loaded.frame.describe(), described, count_row="count").to_html()
    assert not re.search(r"\de[+-]\d", html) and "81,600" in html and ".0000" not in html
    assert NumberFormat(0, "₩")(21550.0) == "₩21,550" and NumberFormat(2, "R$")(-37.53) == "-R$37.53"
    assert NumberFormat(0, "원")(21550.4) == "21,550원"
    sunspots = load_bundled("sunspots").frame
    assert frame_formats(sunspots)["Sunspots"](96.7) == "96.7"
    assert frame_formats(pd.DataFrame({"x": [0.123456789, 0.5, 0.75]}))["x"](0.123456789) == "0.1235"
