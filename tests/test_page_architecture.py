"""AppTest of the Architecture page: renders in both languages, follows the controls, never shows a traceback."""

import json

import pytest

from rnn_lab import i18n

PAGE = "app_pages/architecture.py"


def _total(at) -> int:
    return int(at.metric[0].value.replace(",", ""))


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_page_renders_and_units_change_the_total(keras, app_test, lang):
    at = app_test(page=PAGE, lang=lang)
    assert not at.exception
    assert not at.error
    assert _total(at) == 131  # SimpleRNN(10) on (5, 1) = 120, Dense(1) on 10 = 11
    _open_tab(at, i18n.t("arch.tab_diagram", lang))
    assert not at.exception and len(at.get("plotly_chart")) == 1
    at.number_input(key="arch_units_1").set_value(20).run()
    assert not at.exception
    assert _total(at) == (20 * 20 + 20 * 1 + 20) + (20 + 1)
    table = at.dataframe[0].value
    assert list(table.iloc[:, 3]) == [440, 21]  # Param # from Keras
    assert list(table.iloc[:, 4]) == [440, 21]  # Param # from the formula


def _open_tab(at, label: str):
    """Switch the page's lazy tabs (only the open tab runs) like a click would."""
    at.session_state["btn_arch_tab"] = label
    return at.run()


def test_every_section_follows_the_configuration(keras, app_test):
    at = app_test(page=PAGE)
    assert len(at.latex) == 2 and not at.get("plotly_chart")  # the first tab only; the hidden ones do not run
    at.selectbox(key="arch_cell").set_value("LSTM")
    at.slider(key="arch_layers").set_value(2)
    at.toggle(key="arch_bidirectional").set_value(True)
    at.toggle(key="arch_return_state").set_value(True).run()
    assert not at.exception and not at.error
    # 2*4*(10*10+10*1+10) + 2*4*(10*10+10*20+10) + (20*1+1)
    assert _total(at) == 960 + 2480 + 21
    latex = [el.value for el in at.latex]
    assert any(r"= 2\cdot[4\cdot(10\cdot10 + 10\cdot20 + 10)] = 2{,}480" in s for s in latex)
    _open_tab(at, "Keras 3 code")
    assert any("keras.Model(inputs, [outputs, state_forward_h, state_forward_c" in el.value for el in at.code)
    _open_tab(at, "From older tutorials")
    assert any("Unrecognized keyword arguments" in el.value for el in at.code)
    _open_tab(at, "Shape flow")
    shapes = at.dataframe[1].value
    assert "forward_h (None, 10)" in shapes.iloc[2, 4]
    assert any("expected ndim=3, found ndim=2" in el.value for el in at.code)  # the broken-rule message
    _open_tab(at, "Unrolled diagram")
    assert not at.exception
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert len(fig["layout"]["shapes"]) == 2 * 2 * 5 + 2  # 2 layers x 2 directions x 5 steps + 2 Bidirectional frames


def test_out_of_range_state_is_clamped_with_a_message(keras, app_test):
    # e.g. a Data-page window longer than the explorer allows, or a hand-edited link
    at = app_test(page=PAGE, arch_timesteps=5000, arch_units_1=0)
    assert not at.exception
    assert len(at.error) == 2
    messages = " ".join(e.value for e in at.error)
    assert "arch_timesteps: 5000 is above the maximum 1000" in messages and "arch_units_1" in messages
    assert at.session_state["arch_timesteps"] == 1000 and at.session_state["arch_units_1"] == 1
    assert _total(at) == (1 + 1 + 1) + (1 + 1)


def test_large_model_shows_the_analytic_summary(keras, app_test):
    at = app_test(page=PAGE, arch_cell="LSTM", arch_units_1=1024, arch_features=64, arch_layers=2, arch_units_2=1024)
    assert not at.exception
    assert at.info and "2,000,000" in at.info[0].value
    assert _total(at) == 4 * (1024 * 1024 + 1024 * 64 + 1024) + 4 * (1024 * 1024 * 2 + 1024) + 1025


def test_window_and_features_follow_the_data_page(keras, app_test):
    from types import SimpleNamespace

    import numpy as np

    # The Data page stores its PreparedData and writes the window / feature count into the arch_ settings.
    prepared = SimpleNamespace(window=30, n_features=3)
    at = app_test(page=PAGE, prepared=prepared, arch_timesteps=np.int64(30), arch_features=3)
    assert not at.exception and not at.error
    assert any("30" in c.value and "3" in c.value for c in at.caption)
    # SimpleRNN(10) on 3 features: 10*10 + 10*3 + 10 = 140, plus Dense 11
    assert _total(at) == 151
    assert at.dataframe[0].value.iloc[0, 2] == "(None, 10)"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_conv1d_and_dense_families_show_their_own_controls_formulas_shapes_and_picture(keras, app_test, lang):
    at = app_test(page=PAGE, lang=lang)
    at.selectbox(key="arch_family").set_value("conv1d").run()
    assert not at.exception and not at.error
    assert all(w.key != "arch_cell" for w in at.selectbox)  # the recurrent controls give way
    at.number_input(key="arch_timesteps").set_value(28)
    at.number_input(key="arch_features").set_value(28)
    at.number_input(key="arch_filters").set_value(16)
    at.number_input(key="arch_kernel_size").set_value(3)
    at.number_input(key="arch_dense_units").set_value(10).run()
    assert not at.exception and not at.error
    # Conv1D: k*d*f + f = 3*28*16 + 16 = 1360; pool 2: (28-3+1)//2 = 13 steps * 16 = 208; Dense 208*10+10 = 2090
    assert _total(at) == 1360 + 2090
    table = at.dataframe[0].value
    assert list(table.iloc[:, 3]) == list(table.iloc[:, 4])  # Keras' counts == the formulas, layer by layer
    assert any(r"3\cdot28\cdot16 + 16 = 1{,}360" in el.value for el in at.latex)
    assert any(i18n.t("arch.note_conv1d", lang)[:30] in el.value for el in at.info)
    _open_tab(at, i18n.t("arch.tab_shapes", lang))
    assert not at.exception
    assert list(at.dataframe[1].value.iloc[:, 2]) == [
        "(None, 28, 28)",
        "(None, 26, 16)",
        "(None, 13, 16)",
        "(None, 208)",
        "(None, 10)",
    ]
    _open_tab(at, i18n.t("arch.tab_diagram", lang))
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert i18n.t("arch.diagram.title_conv1d", lang) in fig["layout"]["title"]["text"]
    _open_tab(at, i18n.t("arch.tab_code", lang))
    assert any("layers.Conv1D(16, 3" in el.value for el in at.code)

    at.selectbox(key="arch_family").set_value("dense").run()
    assert not at.exception and not at.error
    assert _total(at) == 28 * 28 * 10 + 10  # Flatten (no parameters), then Dense(10) on 784 inputs
    _open_tab(at, i18n.t("arch.tab_diagram", lang))
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert i18n.t("arch.diagram.title_dense", lang) in fig["layout"]["title"]["text"]
    # back to the recurrent stack: its controls and values are where they were
    at.selectbox(key="arch_family").set_value("rnn").run()
    assert not at.exception and at.selectbox(key="arch_cell").value == "SimpleRNN"


def test_classify_task_names_its_head_and_the_diagram_says_many_to_one(keras, app_test):
    at = app_test(page=PAGE)
    at.session_state["task"] = "classify"
    at.session_state["arch_dense_units"] = 10
    at.run()
    assert not at.exception and not at.error
    assert any(
        'Dense(10, activation="softmax")' in c.value and "sparse_categorical_crossentropy" in c.value
        for c in at.caption
    )
    _open_tab(at, "Unrolled diagram")
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "many-to-one" in fig["layout"]["title"]["text"] and "Dense(10, softmax)" in fig["layout"]["title"]["text"]
    at.toggle(key="arch_return_sequences").set_value(True).run()
    _open_tab(at, "Unrolled diagram")
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "many-to-many" in fig["layout"]["title"]["text"]


def test_an_impossible_conv1d_is_explained_in_korean(keras, app_test):
    # kernel 6 cannot slide over a window of 5: the page keeps the last good model and says why in Korean
    at = app_test(page=PAGE, lang="ko", arch_family="conv1d", arch_kernel_size=6)
    assert not at.exception
    why = i18n.t("arch.err.kernel_too_long", "ko", kernel=6, timesteps=5)
    assert any(why in e.value for e in at.error), [e.value for e in at.error]
    assert not any("must not exceed" in e.value for e in at.error)
