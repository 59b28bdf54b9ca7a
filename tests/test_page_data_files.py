"""The Data page with real exports (tests/fixtures), in both languages: what the page says and offers.

Issue 14 items 1 (target picked and explained), 4 (original names in the selects, uploader text, no
"(empty)"), 5 (incomplete last row: named and droppable), 6 (the active file after a page switch), 3/7
(one number format per column) and issue 9 item 5 (a column name with a comma as a feature, in links too).
"""

import pytest
from helpers import ROOT, upload

from rnn_lab import i18n, share
from rnn_lab.data.settings import join_columns, split_columns

PAGE, TRAIN = "app_pages/data.py", "app_pages/train.py"
FIXTURES = ROOT / "tests" / "fixtures"


def texts(elements):
    return [e.value for e in elements]


def shown(at) -> str:
    parts = texts(at.markdown) + texts(at.caption) + texts(at.info) + texts(at.warning) + texts(at.success)
    return "\n".join(parts + texts(at.error))


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_headerless_sunspot_file_trains_on_the_value_not_the_year(app_test, lang):
    at = upload(app_test(page=PAGE, lang=lang), "silso_SN_m_tot_V2.0_tail600.csv")
    assert not at.exception and not at.error
    p = at.session_state["prepared"]
    assert p.target == "column_4" and p.series.index[0].year == 1969 and "column_1" not in p.series.columns
    reason = i18n.t("data.target.reason.first_usable", lang, column="column_4")
    assert reason in texts(at.caption)
    calendar = i18n.t(
        "data.note.calendar_year_month", lang, year="column_1", month="column_2", example="1969;03", parsed="1969-03-01"
    )
    assert calendar in shown(at)
    # the chart caption counts the spike hints: sunspot maxima are not among them
    from rnn_lab.data.clean import spike_mask

    loaded = at.session_state["data_loaded"]
    spikes = spike_mask(loaded.frame[["column_4"]])["column_4"]
    assert spikes.sum() <= 2 and not spikes[loaded.frame["column_4"].idxmax()]
    hint = (
        i18n.t("data.look.spike_hint", lang, n=int(spikes.sum()))
        if spikes.any()
        else i18n.t("data.look.no_spikes", lang)
    )
    assert any(hint in c for c in texts(at.caption))


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_selects_show_the_files_own_column_names(app_test, lang):
    at = upload(app_test(page=PAGE, lang=lang), "krx_005930_202406_cp949.csv")
    assert not at.exception and not at.error  # 8 rows: the default window shrinks to fit (2), no error
    target = at.selectbox(key="data_target")
    assert target.value == "Close" and target.options[:3] == ["Close (종가)", "Change (대비)", "Change % (등락률)"]
    assert "Volume (거래량)" in at.multiselect(key="btn_data_features").options
    assert "거래대금" in target.options  # no canonical name: shown once
    assert at.session_state["data_window"] == 2 and at.session_state["prepared"].X_train.shape[1] == 2
    # won prices: whole numbers with separators, never "81,600.0000"
    label = at.metric[0].value
    assert label.replace(",", "").isdigit() and "," in label
    assert i18n.t("data.target.reason.close", lang, column="Close (종가)") in texts(at.caption)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_last_row_with_only_an_opening_price_is_named_and_can_be_dropped(app_test, lang):
    at = upload(app_test(page=PAGE, lang=lang), "broker_005930_open_only_cp949.csv")
    assert not at.exception
    warning = next(w for w in texts(at.warning) if "2024-06-28" in w)
    assert warning.startswith(
        i18n.t("data.note.incomplete_last", lang, date="2024-06-28", present="Open", absent="")[:8]
    )
    box = at.checkbox(key="data_drop_last")
    assert box.label == i18n.t("data.drop_last", lang, date="2024-06-28") and box.value is True  # left out by default
    p = at.session_state["prepared"]
    assert str(p.series.index[-1].date()) == "2024-06-27"  # dropped: the last label is a real close
    kept = i18n.t("data.note.incomplete_kept", lang, date="2024-06-28", absent="Close")[:12]
    assert not any(c.startswith(kept) for c in texts(at.caption))
    box.uncheck().run()
    assert not at.exception
    p = at.session_state["prepared"]
    assert str(p.series.index[-1].date()) == "2024-06-28"  # kept on request: forward-fill invented its close
    assert p.series["Close"].iloc[-1] == 81600
    assert any(c.startswith(kept) for c in texts(at.caption))  # and the page says so
    assert share.encode({"data_drop_last": False}) == {"data_drop_last": "0"}  # a link keeps the choice


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_after_another_page_the_active_file_is_named_with_a_replace_action(app_test, lang):
    at = upload(app_test(page=PAGE, lang=lang), "krx_005930_202406_cp949.csv")
    html = "\n".join(h.proto.body for h in at.get("html"))
    assert (
        i18n.t("data.upload_button", lang) in html
        and i18n.t("data.upload_limits", lang, mb=50, types="CSV, TSV, TXT, XLSX") in html
    )
    at.switch_page(TRAIN).run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.file_uploader(key="upload_data").value is None  # Streamlit emptied the uploader ...
    active = i18n.t("data.upload_active", lang, name="krx_005930_202406_cp949.csv", rows="8", size="1 KB")
    assert active in texts(at.info)  # ... the page names the file that is still active
    assert at.session_state["prepared"].source == "upload:krx_005930_202406_cp949.csv"
    html = "\n".join(h.proto.body for h in at.get("html"))
    assert i18n.t("data.upload_replace_button", lang) in html  # the uploader's button now says "Replace file"


def test_korean_page_has_no_english_placeholders_for_empty_cells(app_test):
    text = "날짜,종가,거래량\n" + "".join(
        f"2024-01-{d:02d},{'' if d in (4, 9) else 100 + d},{d}\n" for d in range(1, 31)
    )
    at = upload(app_test(page=PAGE, lang="ko"), "e.csv", text.encode())
    assert not at.exception
    page = shown(at)
    assert "(empty)" not in page and "발견한 표시" not in page
    assert i18n.t("data.note.missing_empty", "ko", n=2, column="Close") in page


def test_a_column_name_with_a_comma_works_as_a_feature_and_in_links(app_test):
    text = 'Date,"Price, KRW",Volume\n' + "".join(
        f"2024-01-{d:02d},{1000 + d * (d % 3)},{d * 10}\n" for d in range(1, 31)
    )
    at = upload(app_test(page=PAGE), "comma.csv", text.encode())
    at.multiselect(key="btn_data_features").set_value(["Price, KRW", "Volume"]).run()
    assert not at.exception and not at.error
    assert at.session_state["data_features"] == "Price\\, KRW,Volume"
    assert at.session_state["prepared"].features == ("Price, KRW", "Volume")
    link = share.build_link("/data", share.encode({"data_features": at.session_state["data_features"]}))
    _, params = share.parse_link(link)
    values, notices = share.decode(params)
    assert not notices and split_columns(values["data_features"]) == ["Price, KRW", "Volume"]
    assert join_columns(["Close", "Volume"]) == "Close,Volume"  # old links stay as they were


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_clipping_a_cyclic_series_warns_that_it_removes_signal(app_test, lang):
    at = app_test(page=PAGE, lang=lang)
    at.radio(key="data_source_kind").set_value("bundled").run()
    at.selectbox(key="data_bundled").set_value("sunspots").run()
    at.selectbox(key="data_outliers").set_value("iqr").run()
    assert not at.exception
    report = at.session_state["data_clean_report"]
    assert report.clipped > 0 and report.clipped_not_spikes > 0
    expected = i18n.t("data.prep.clip_signal", lang, n=report.clipped_not_spikes, total=report.clipped)
    assert expected in texts(at.warning)
