"""The Data page through AppTest: default tutorial dataset, bundled series, uploads good and bad, both languages."""

import base64

import numpy as np
import pytest
from helpers import GOOD, ROOT, texts
from streamlit.testing.v1 import AppTest

PAGE = "app_pages/data.py"


def no_raw_keys(at):
    shown = texts(at.markdown) + texts(at.caption) + texts(at.title) + texts(at.header) + texts(at.subheader)
    shown += texts(at.info) + texts(at.success) + texts(at.error) + texts(at.warning)
    return not any(s.startswith("data.") and " " not in s for s in shown)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_default_is_the_counting_tutorial(app_test, lang):
    at = app_test(page=PAGE, lang=lang)
    assert not at.exception and not at.error
    p = at.session_state["prepared"]
    assert p.source == "toy:counting" and p.X_train.shape == (10, 5, 1) and p.split_sizes["val"] == 0
    assert at.session_state["arch_timesteps"] == 5 and at.session_state["arch_features"] == 1
    shapes = at.dataframe[-2].value if len(at.dataframe) >= 2 else None
    assert any("(10, 5, 1)" in str(v) for v in shapes.to_numpy().ravel())
    assert no_raw_keys(at)


def test_bundled_samsung_defaults_and_warning(app_test):
    at = app_test(page=PAGE)
    at.radio(key="data_source_kind").set_value("bundled").run()
    assert not at.exception and not at.error
    p = at.session_state["prepared"]
    assert p.source == "bundled:samsung" and p.target == "Close" and p.window == 20
    assert at.session_state["data_scaling"] == "minmax" and p.scaler.kind == "minmax"
    assert p.split_sizes["val"] > 0 and p.split_sizes["test"] > 0
    assert any("Adj Close" in w for w in texts(at.warning))
    # multivariate input: two feature columns -> input dims 2, and the Architecture page follows
    at.multiselect(key="btn_data_features").set_value(["Close", "Volume"]).run()
    assert not at.exception
    assert at.session_state["prepared"].X_train.shape[2] == 2 and at.session_state["arch_features"] == 2
    assert at.session_state["data_features"] == "Close,Volume"


def test_toy_switch_applies_its_defaults(app_test):
    at = app_test(page=PAGE)
    at.selectbox(key="data_toy").set_value("long_memory").run()
    assert not at.exception
    p = at.session_state["prepared"]
    assert p.window == 40 and at.session_state["arch_timesteps"] == 40 and p.scaler.kind == "minmax"
    at.selectbox(key="data_toy").set_value("counting").run()
    assert at.session_state["prepared"].X_train.shape == (10, 5, 1)


def test_impossible_window_keeps_the_previous_dataset(app_test):
    at = app_test(page=PAGE)
    at.number_input(key="data_window").set_value(50).run()
    assert not at.exception
    assert at.error and "window 50" in at.error[0].value
    assert at.session_state["prepared"].X_train.shape == (10, 5, 1)


def test_upload_then_bad_upload_keeps_the_good_one(app_test):
    at = app_test(page=PAGE, lang="ko")
    at.radio(key="data_source_kind").set_value("upload").run()
    assert not at.exception and at.info and not at.error  # the prompt; the tutorial data stay active meanwhile
    assert at.session_state["prepared"].X_train.shape == (10, 5, 1)
    at.file_uploader(key="upload_data").set_value(("krx.csv", GOOD, "text/csv")).run()
    assert not at.exception and not at.error
    p = at.session_state["prepared"]
    assert p.source == "upload:krx.csv" and p.target == "Close"
    assert p.series.index[0].day == 1 and p.series["Close"].iloc[-1] == 73100  # newest-first file sorted
    assert any("CP949" in m for m in texts(at.markdown))
    at.file_uploader(key="upload_data").set_value(("photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(200), "text/csv")).run()
    assert not at.exception
    assert at.error and "이미지" in at.error[0].value  # the Korean message
    assert at.session_state["prepared"].source == "upload:krx.csv"
    assert at.session_state["data_loaded"].source == "upload:krx.csv"
    at.file_uploader(key="upload_data").set_value(("empty.csv", b"", "text/csv")).run()
    assert not at.exception and at.error and at.session_state["prepared"].source == "upload:krx.csv"


def test_cleaning_controls_report_counts(app_test):
    at = app_test(page=PAGE)
    at.radio(key="data_source_kind").set_value("bundled").run()
    at.selectbox(key="data_outliers").set_value("iqr").run()
    at.number_input(key="data_outlier_k").set_value(0.5).run()
    assert not at.exception and not at.error
    report = at.session_state["data_clean_report"]
    assert report.clipped > 0
    assert any("clipped" in c for c in texts(at.caption))
    at.radio(key="data_scaling").set_value("standard").run()
    assert at.session_state["prepared"].scaler.kind == "standard"


def test_current_prepared_without_opening_the_page():
    script = (
        "import streamlit as st\n"
        "from ui.common import init_settings\n"
        "from ui.data import current_prepared\n"
        "init_settings()\n"
        "p = current_prepared()\n"
        "st.write(f'{p.source} {p.X_train.shape} {st.session_state.arch_timesteps}')\n"
    )
    import sys

    sys.path.insert(0, str(ROOT))
    at = AppTest.from_string(script, default_timeout=60).run()
    assert not at.exception
    assert at.markdown[0].value == "toy:counting (10, 5, 1) 5"


def test_look_at_it_charts(app_test):
    import json

    at = app_test(page=PAGE)
    at.radio(key="data_source_kind").set_value("bundled").run()
    figs = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    kinds = [[trace["type"] for trace in fig["data"]] for fig in figs]
    series = next(f for f, k in zip(figs, kinds) if "candlestick" in k)  # OHLC columns -> candlestick
    assert series["layout"]["xaxis"]["rangeslider"]["visible"] is True
    assert sum(k == ["histogram"] for k in kinds) == 6  # one per numeric column
    window = figs[-1]  # the window plot: series, inputs, label
    inputs, label = array(window["data"][1]["y"]), array(window["data"][2]["y"])
    p = at.session_state["prepared"]
    assert len(inputs) == 20 and len(label) == 1 and label[0] == p.actual("train")[0]
    np.testing.assert_allclose(inputs, p.window_frame(0)["Close"].to_numpy())


def array(values):
    """Plotly 6 sends arrays as {"dtype", "bdata"} (base64); plain lists otherwise."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values)


def test_classify_task_prepares_the_digits_and_keeps_them_on_bad_settings():
    """With task=classify the active dataset is the classification one; forecast settings come back unchanged."""
    from streamlit.testing.v1 import AppTest

    def script():
        import streamlit as st

        from ui.data import current_prepared

        p = current_prepared(show_problems=False)
        st.write(f"{p.task}|{p.source}|{p.split_sizes['train']}|{st.session_state.get('arch_timesteps')}")

    at = AppTest.from_function(script, default_timeout=60)
    at.session_state["task"] = "classify"
    at.session_state["data_source_kind"] = "digits"
    at.session_state["data_digits_limit"] = 200
    at.session_state["data_val_frac"] = 0.1
    at.run()
    assert not at.exception
    assert at.markdown[0].value == "classify|digits:mnist|180|28"
    at.session_state["data_digits_limit"] = 99999  # e.g. a bad link: the last good dataset stays
    at.run()
    assert not at.exception and at.markdown[0].value == "classify|digits:mnist|180|28"
    at.session_state["task"] = "forecast"
    at.session_state["data_source_kind"] = "toy"
    at.run()
    assert not at.exception and at.markdown[0].value.startswith("forecast|toy:counting|")
