"""Issue 27 ("scores on real labels, exports that stand alone"): "no data" codes in any column (the reader flags a
sentinel such as SILSO's -1, and reads it as missing once the user types it), on the Data page too.

Korean particles are in tests/test_i18n_particles.py.
"""

import pytest
from conftest import ROOT

from rnn_lab.data.reader import read_file

FIXTURES = ROOT / "tests" / "fixtures"
SILSO_1814 = FIXTURES / "silso_SN_m_tot_V2.0_1814-1823.csv"  # byte-exact: std and n_obs are -1 before 1818


# ------------------------------------------------------------------------------- "no data" codes in any column
def test_silso_minus_one_in_std_and_observations_is_flagged():
    loaded = read_file(SILSO_1814)
    flagged = {n.values["column"]: n.values for n in loaded.problems if n.key == "sentinel_suspect"}
    assert set(flagged) == {"column_5", "column_6"}  # std and number of observations; not the sunspot number
    assert flagged["column_5"]["n"] == 48 and flagged["column_5"]["value"] == "-1"  # 1814-01 .. 1817-12
    assert loaded.frame["column_4"].min() == 0  # the target's own zeros are real counts, not flagged
    ko = next(n for n in loaded.problems if n.key == "sentinel_suspect").text("ko")
    assert "-1을 입력" in ko and "(를)" not in ko


def test_with_the_sentinel_typed_the_codes_become_missing_and_the_flag_goes():
    loaded = read_file(SILSO_1814, sentinel="-1")
    assert not [n for n in loaded.problems if n.key == "sentinel_suspect"]
    assert int(loaded.frame["column_5"].isna().sum()) == 48


@pytest.mark.parametrize("name", ["silso_SN_m_tot_V2.0_tail600.csv", "krx_005930_202406_cp949.csv"])
def test_files_without_codes_are_not_flagged(name):
    assert not [n for n in read_file(FIXTURES / name).problems if n.key == "sentinel_suspect"]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_data_page_shows_the_code_in_a_feature_column(app_test, lang):
    at = app_test(page="app_pages/data.py", lang=lang)
    at.radio(key="data_source_kind").set_value("upload").run()
    at.file_uploader(key="upload_data").set_value((SILSO_1814.name, SILSO_1814.read_bytes(), "text/csv")).run()
    assert not at.exception
    shown = "\n".join(w.value for w in at.warning)
    assert "column_5" in shown and "column_6" in shown and "-1" in shown
