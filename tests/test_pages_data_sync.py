"""The prepared dataset follows the data_ settings wherever they change, and uploads travel in links by name."""

import pytest
from helpers import GOOD, ROOT, texts
from streamlit.testing.v1 import AppTest

from rnn_lab.data.settings import upload_window

# the default window for GOOD (a short file): less than 20 so that its training rows hold three windows
SHORT_WINDOW = upload_window(len(GOOD.strip().splitlines()) - 1)

DATA, TRAIN, INSIDE = "app_pages/data.py", "app_pages/train.py", "app_pages/inside.py"
AIRLINE = {
    "data_source_kind": "bundled",
    "data_bundled": "airline",
    "data_target": "Passengers",
    "data_window": 12,
    "data_val_frac": 0.15,
    "data_test_frac": 0.15,
    "data_scaling": "minmax",
}


def data_line(at) -> str:
    return next(m for m in texts(at.markdown) if m.startswith("Data: "))


def fresh(page, params):
    """A new session opening a link (see tests/test_share.py)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params.update(params)
    at.switch_page(page)
    return at.run()


def test_settings_changed_elsewhere_rebuild_the_dataset(app_test):
    at = app_test(page=DATA)
    assert at.session_state["prepared"].source == "toy:counting"
    at.switch_page(INSIDE).run()
    for key, value in AIRLINE.items():  # e.g. a lesson or the Inside page changed them; the Data page does not run
        at.session_state[key] = value
    at.switch_page(TRAIN).run()
    assert not at.exception and not at.error
    assert "**bundled:airline**, window 12," in data_line(at)
    p = at.session_state["prepared"]
    assert p.source == "bundled:airline" and p.window == 12 and p.scaler.kind == "minmax"
    assert at.session_state["data_loaded"].source == "bundled:airline"
    assert at.session_state["arch_timesteps"] == 12
    # a window change alone (same source) is seen too
    at.session_state["data_window"] = 6
    at.run()
    assert "**bundled:airline**, window 6," in data_line(at) and at.session_state["prepared"].X_train.shape[1] == 6


def test_bad_settings_elsewhere_keep_the_last_good_dataset_with_a_message(app_test):
    at = app_test(page=TRAIN)
    assert "**toy:counting**, window 5," in data_line(at)
    at.session_state["data_window"] = 50  # 15 rows cannot give a window of 50
    at.run()
    assert not at.exception
    assert at.error and "window 50" in at.error[0].value
    assert "**toy:counting**, window 5," in data_line(at)


def test_bad_settings_without_a_previous_dataset_give_a_plain_message(app_test):
    at = app_test(page=TRAIN, data_window=50)
    assert not at.exception and at.error and "window 50" in " ".join(texts(at.error))
    at = app_test(page=INSIDE, data_window=50)
    assert not at.exception and at.error and "window 50" in " ".join(texts(at.error))


def test_uploaded_table_is_reused_on_other_pages(app_test):
    at = app_test(page=DATA)
    at.radio(key="data_source_kind").set_value("upload").run()
    at.file_uploader(key="upload_data").set_value(("krx.csv", GOOD, "text/csv")).run()
    assert at.session_state["data_upload_name"] == "krx.csv" and at.session_state["prepared"].window == SHORT_WINDOW
    at.switch_page(TRAIN).run()
    at.session_state["data_window"] = 4
    at.run()
    assert not at.exception and not at.error
    assert "**upload:krx.csv**, window 4," in data_line(at)
    assert "predicts **Close (종가)** from Close (종가)." in data_line(at)  # issue 14.4: the target, named
    assert dict(at.query_params)["data_upload_name"] == "krx.csv"  # the link names the file


LINK = {
    "data_source_kind": "upload",
    "data_upload_name": "krx.csv",
    "data_target": "Close",
    "data_window": "7",
    "data_val_frac": "0.1",
    "data_test_frac": "0.2",
    "data_scaling": "standard",
}


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_link_with_an_upload_asks_for_the_file_by_name(lang):
    at = fresh(DATA, {**LINK, "lang": lang})
    assert not at.exception and not at.error
    wanted = "This link used krx.csv: upload it to continue." if lang == "en" else "krx.csv 파일을 사용했습니다"
    assert any(wanted in w for w in texts(at.warning))
    assert at.session_state["data_window"] == 7 and at.session_state["data_target"] == "Close"  # untouched
    assert "prepared" not in at.session_state


@pytest.mark.parametrize("page", [TRAIN, INSIDE])
def test_link_with_an_upload_other_pages_say_so(page):
    at = fresh(page, LINK)
    assert not at.exception
    assert any("This link used krx.csv" in e for e in texts(at.error))


def test_uploading_the_linked_file_keeps_the_link_settings():
    at = fresh(DATA, LINK)
    at.file_uploader(key="upload_data").set_value(("krx.csv", GOOD, "text/csv")).run()
    assert not at.exception and not at.error
    p = at.session_state["prepared"]
    assert (p.source, p.target, p.window, p.scaler.kind) == ("upload:krx.csv", "Close", 7, "standard")
    assert (p.val_frac, p.test_frac) == (0.1, 0.2)
    assert any("settings" in c and "kept" in c for c in texts(at.caption))
    assert {k: v for k, v in dict(at.query_params).items() if k in LINK} == LINK  # the link is unchanged


def test_linked_file_without_the_linked_columns_gets_defaults_with_a_note():
    at = fresh(DATA, {**LINK, "data_target": "Volume2", "data_features": "Close,Volume2"})
    at.file_uploader(key="upload_data").set_value(("krx.csv", GOOD, "text/csv")).run()
    assert not at.exception and not at.error
    p = at.session_state["prepared"]
    assert p.target == "Close" and p.window == SHORT_WINDOW and p.scaler.kind == "minmax"  # source_defaults("upload")
    assert any("Volume2" in c and "defaults" in c for c in texts(at.caption))


def test_a_different_file_than_the_link_gets_defaults():
    at = fresh(DATA, LINK)
    at.file_uploader(key="upload_data").set_value(("other.csv", GOOD, "text/csv")).run()
    assert not at.exception and not at.error
    p = at.session_state["prepared"]
    assert p.source == "upload:other.csv" and p.window == SHORT_WINDOW and p.scaler.kind == "minmax"
    assert at.session_state["data_upload_name"] == "other.csv"
