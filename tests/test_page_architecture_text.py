"""AppTest of the Architecture page with text: the Embedding's controls, formula (V·d_e against Keras), mask_zero
explained without changing a shape, the next_token head on every step, and the Embedding row of the diagram."""

import json

import pytest

from rnn_lab import i18n
from rnn_lab.tasks import task_defaults

PAGE = "app_pages/architecture.py"


def _open_tab(at, label: str):
    at.session_state["btn_arch_tab"] = label
    return at.run()


def _next_token(app_test, lang: str):
    return app_test(page=PAGE, lang=lang, task="next_token", **task_defaults("next_token"))


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_next_token_shows_the_embedding_its_formula_and_the_head_on_every_step(keras, app_test, lang):
    at = _next_token(app_test, lang)
    assert not at.exception and not at.error
    at.number_input(key="arch_embedding_vocab").set_value(63)
    at.number_input(key="arch_embedding_dim").set_value(8)
    at.number_input(key="arch_dense_units").set_value(63).run()
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    # Embedding 63*8 = 504; SimpleRNN(10) on d_e = 8: 10*10 + 10*8 + 10 = 190; Dense(63) on each step: 10*63 + 63
    assert list(table.iloc[:, 1]) == ["Embedding", "SimpleRNN", "Dense"]
    assert list(table.iloc[:, 3]) == [504, 190, 693]  # Keras
    assert list(table.iloc[:, 4]) == [504, 190, 693]  # the formulas
    assert list(table.iloc[:, 2]) == ["(None, 40, 8)", "(None, 40, 10)", "(None, 40, 63)"]
    assert any(r"V\cdot d_e = 63\cdot8 = 504" in el.value for el in at.latex)
    assert at.number_input(key="arch_features").proto.disabled  # a step is one token id
    head_note = i18n.t("arch.text.next_token_head", lang, head='Dense(63, activation="softmax")')
    assert any(c.value == head_note for c in at.caption)
    assert any(i18n.t("arch.text.note_embedding", lang, v=63, d=8) == el.value for el in at.info)


def test_mask_zero_is_explained_and_changes_no_shape_or_count(keras, app_test):
    at = _next_token(app_test, "en")
    assert at.session_state["arch_mask_zero"]  # a language model masks its post padding by default
    at.toggle(key="arch_mask_zero").set_value(False).run()
    _open_tab(at, "Shape flow")
    assert any(i18n.t("arch.text.shapes_mask_off", "en", t=40) == el.value for el in at.markdown)
    before = at.dataframe[1].value.iloc[:, 2].tolist()
    total_before = at.metric[0].value
    at.toggle(key="arch_mask_zero").set_value(True).run()
    assert not at.exception and not at.error
    assert (
        at.dataframe[1].value.iloc[:, 2].tolist()
        == before
        == ["(None, 40)", "(None, 40, 8)", "(None, 40, 10)", "(None, 40, 1000)"]
    )
    assert at.metric[0].value == total_before
    assert any(i18n.t("arch.text.shapes_mask_on", "en", t=40) == el.value for el in at.markdown)
    _open_tab(at, "Parameter formulas")
    assert any(i18n.t("arch.text.note_mask_zero", "en") == el.value for el in at.info)
    _open_tab(at, "Keras 3 code")
    assert any('layers.Embedding(1000, 8, mask_zero=True, name="embedding")' in el.value for el in at.code)


def test_conv1d_cannot_mask_and_the_toggle_says_so(keras, app_test):
    at = _next_token(app_test, "en")
    at.toggle(key="arch_mask_zero").set_value(True).run()
    at.selectbox(key="arch_family").set_value("conv1d").run()
    assert not at.exception and not at.error  # mask_zero is switched off, not refused
    assert at.toggle(key="arch_mask_zero").proto.disabled and not at.session_state["arch_mask_zero"]
    assert at.dataframe[0].value.iloc[0, 1] == "Embedding"


def test_the_diagram_draws_the_embedding_under_the_first_layer(keras, app_test):
    at = _next_token(app_test, "ko")
    _open_tab(at, i18n.t("arch.tab_diagram", "ko"))
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    texts = [a["text"] for a in fig["layout"]["annotations"]]
    assert "Embedding(1000, 8, mask_zero)" in texts  # next_token masks its post padding by default
    assert "w<sub>1</sub>" in texts and "x<sub>1</sub>" not in texts  # token ids in, not feature vectors
    assert "E" in fig["data"][0]["text"]
    assert "many-to-many" in fig["layout"]["title"]["text"] or "다대다" in fig["layout"]["title"]["text"]


def test_the_caption_follows_the_text_prepared_on_the_data_page(keras, app_test):
    state = {
        "task": "classify",
        **task_defaults("classify"),
        "data_source_kind": "text",
        "data_text": "nsmc",
        "data_text_limit": 200,
        "data_text_maxlen": 20,
    }
    at = app_test(page="app_pages/train.py", **state)
    prepared = at.session_state["prepared"]
    at.switch_page(PAGE).run()
    assert not at.exception and not at.error
    line = i18n.t("arch.text.from_data", "en", maxlen=20, vocab=prepared.vocab_size, source="text:nsmc")
    assert any(c.value == line for c in at.caption)
    assert at.session_state["arch_embedding_vocab"] == prepared.vocab_size and at.session_state["arch_timesteps"] == 20
