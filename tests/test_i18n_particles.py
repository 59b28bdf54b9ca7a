"""Issue 27 ("scores on real labels, exports that stand alone"): Korean particles follow the last syllable
(``i18n.korean_particles``), also on the Train page.

The "no data" codes are in tests/test_data_reader_sentinels.py; filled labels and the exports have their own files
(tests/test_data_clean_filled.py, tests/test_train_export.py).
"""

import pytest
from conftest import ROOT

from rnn_lab import i18n

FIXTURES = ROOT / "tests" / "fixtures"


# ------------------------------------------------------------------------------------------- Korean particles
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("종가을(를)", "종가를"),
        ("거래량을(를)", "거래량을"),
        ("Close (종가)(으)로", "Close (종가)로"),
        ("거래량(으)로", "거래량으로"),
        ("서울(으)로", "서울로"),  # ㄹ takes 로
        ("LSTM을(를)", "LSTM을"),
        ("GRU을(를)", "GRU를"),
        ("Open은(는)", "Open은"),
        ("Close이(가)", "Close가"),
        ("0.02(으)로", "0.02로"),
        ("-1을(를)", "-1을"),
        ("3과(와)", "3과"),
        ("→ 을(를)", "→ 을(를)"),  # after a symbol: both forms stay
    ],
)
def test_korean_particles_follow_the_last_syllable(text, expected):
    assert i18n.korean_particles(text) == expected


def test_a_particle_after_bold_moves_inside_it_so_markdown_closes_the_bold():
    assert i18n.korean_particles("**Close (종가)**을(를) 예측") == "**Close (종가)를** 예측"


def test_train_data_line_in_korean_has_no_unfilled_particles():
    line = i18n.t(
        "train.data_line",
        "ko",
        source="s",
        window=1,
        horizon=1,
        n_train=1,
        n_val=1,
        n_test=1,
        target="Close (종가)",
        features="Close (종가)",
    )
    assert "모델은 Close (종가)로 **Close (종가)를** 예측합니다." in line
    assert (
        i18n.t(
            "train.data_line",
            "en",
            source="s",
            window=1,
            horizon=1,
            n_train=1,
            n_val=1,
            n_test=1,
            target="Close",
            features="Close",
        ).count("**Close**")
        == 1
    )  # English untouched


def test_korean_train_page_renders_the_model_line_without_raw_markdown_or_particles(app_test):
    at = app_test(page="app_pages/data.py", lang="ko")
    at.radio(key="data_source_kind").set_value("upload").run()
    data = (FIXTURES / "krx_005930_202406_cp949.csv").read_bytes()
    at.file_uploader(key="upload_data").set_value(("krx.csv", data, "text/csv")).run()
    at.switch_page("app_pages/train.py").run()
    assert not at.exception
    line = next(m.value for m in at.markdown if "모델은" in m.value)
    assert "(으)로" not in line and "을(를)" not in line
    assert "Close (종가)로 **Close (종가)를**" in line  # the bold closes before a space: CommonMark renders it
