"""The smaller wording points of issue 27 found while walking the lessons: each checked where the page shows it."""

from __future__ import annotations

import re

import pytest

from rnn_lab.i18n import LANGUAGES, catalogue


def _texts(at) -> str:
    parts = [m.value for m in at.main.markdown] + [c.value for c in at.main.caption]
    return " ".join(str(p) for p in parts)


def test_no_doubled_labels():
    """ "Epochs (epochs)": an English label never repeats itself in brackets."""
    doubled = [
        (key, text)
        for key, text in catalogue("en").items()
        if (m := re.fullmatch(r"(.+?) \((.+)\)", text)) and m.group(1).strip().lower() == m.group(2).strip().lower()
    ]
    assert doubled == []


def test_korean_says_window_one_way():
    assert [k for k, v in catalogue("ko").items() if re.search("윈도(?!우)", v)] == []


def test_perplexity_near_one_is_not_about_1_tokens():
    from rnn_lab.train.text_views import perplexity_sentence

    metrics = {"model": {"loss": 0.04, "perplexity": 1.04}, "baseline": {"perplexity": 31.2}}
    for lang in LANGUAGES:
        text = perplexity_sentence(metrics, 64, lang)
        assert "**1**" not in text and "1.04" in text
    metrics["model"].update(loss=1.2, perplexity=3.3)
    assert "**3**" in perplexity_sentence(metrics, 64, "en")


def test_generated_prompt_is_quoted_before_the_korean_particle():
    text = catalogue("ko")["text_train.generated"].format(prompt="나는")
    assert "“**나는**”에서" in text or "“나는”에서" in text  # the quote, then the particle (bold renders: below)


def test_layer_labels_name_bidirectional_and_the_dense_size():
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.train.runs import layers_label

    assert layers_label(ArchConfig(cell="LSTM", units=(16, 16), bidirectional=True)) == "Bidirectional(LSTM(16-16))"
    assert layers_label(ArchConfig(cell="GRU", units=(8,))) == "GRU(8)"
    assert layers_label(ArchConfig(family="dense", dense_units=10)) == "Flatten + Dense(10)"
    assert layers_label(ArchConfig(family="dense", dense_hidden=32)) == "Dense(32)"


def test_lesson_1_shows_the_fixed_batch_it_explains(app_test):
    at = app_test(page="app_pages/lessons.py")
    at.button(key="btn_lesson_start_shapes").click().run()
    assert at.session_state["simple_mode"] is True and at.session_state["_page_path"] == "architecture"
    assert at.toggle(key="arch_fixed_batch").value is True
    assert at.number_input(key="arch_batch_size").value == 8


def test_simple_mode_still_hides_the_batch_when_no_lesson_uses_it(app_test):
    at = app_test(page="app_pages/architecture.py", simple_mode=True)
    assert not any(w.key == "arch_fixed_batch" for w in at.toggle)


def test_train_page_model_line_names_bidirectional(app_test):
    at = app_test(page="app_pages/lessons.py")
    at.button(key="btn_lesson_start_deep").click().run()
    for _ in range(3):
        at.button(key="btn_lesson_next").click().run()
    assert at.session_state["_page_path"] == "train"
    # spelled as in the run's name (runs.layers_label): "LSTM(16, 16)" would read as Keras arguments, like Conv1D(16, 3)
    assert "Bidirectional(LSTM(16-16))" in _texts(at) and "LSTM(16, 16)" not in _texts(at)


@pytest.mark.parametrize(("lesson_id", "steps", "key"), [("counting", 2, "lr_note"), ("digits", 2, "lr_note_batches")])
def test_learning_rate_note_speaks_of_one_batch_only_when_it_is_one(app_test, lesson_id, steps, key):
    at = app_test(page="app_pages/lessons.py")
    at.button(key=f"btn_lesson_start_{lesson_id}").click().run()
    for _ in range(steps):
        at.button(key="btn_lesson_next").click().run()
    assert not at.exception, at.exception
    captions = " ".join(c.value for c in at.main.caption)
    one_batch = catalogue("en")["train.lr_note"].split(":")[1].strip()[:30]  # "a small dataset fits in one batch"
    assert (one_batch in captions) == (key == "lr_note")
    if key == "lr_note_batches":
        assert "57 batches" in captions  # 1,800 training images / 32


def test_architecture_caption_says_when_the_inputs_differ_from_the_data(app_test):
    at = app_test(page="app_pages/data.py")  # prepares the counting toy: windows of 5, 1 feature
    at.switch_page("app_pages/architecture.py").run()
    assert "(5 time steps)" in _texts(at)
    at.number_input(key="arch_timesteps").set_value(2).run()
    text = _texts(at)
    assert "(5 time steps)" not in text and "windows of 5 time steps and 1 features" in text


def test_inside_prediction_is_not_called_scaled_when_scaling_is_off(app_test):
    at = app_test(page="app_pages/inside.py")  # the counting toy, scaling "none"
    assert not at.exception
    labels = [m.label for m in at.main.metric]
    assert catalogue("en")["inside.prediction_raw"] in labels and catalogue("en")["inside.prediction"] not in labels


@pytest.mark.parametrize("lang", LANGUAGES)
def test_bold_renders_as_bold_in_every_message(lang):
    """``**(8, 6)**입니다`` shows its asterisks: CommonMark (which Streamlit follows) closes ``**`` after a bracket,
    a quote or % only before a space or punctuation, and Korean puts a particle right there. Every message, with
    its placeholders filled, renders without a literal ``**``."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    raw = []
    for key, text in catalogue(lang).items():
        if "**" not in text:
            continue
        html = re.sub(r"<code>.*?</code>", "", md.render(re.sub(r"\{[^{}]*\}", "x", text)), flags=re.S)
        if "**" in html:
            raw.append((key, text[:80]))
    assert raw == []


def test_loss_charts_tick_whole_epochs():
    """A 2-epoch run (a lesson cut short, a quick Compare) showed epochs 1, 1.2, 1.4 ... 2 on its loss charts."""
    from types import SimpleNamespace

    from ui.train_results import loss_figure
    from ui.train_runs import compare_figure

    assert loss_figure({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]}, "mse").layout.xaxis.dtick == 1
    assert loss_figure({"loss": [1.0]}, "mse", epochs=5).layout.xaxis.dtick == 1
    assert loss_figure({"loss": [1.0] * 50}, "mse").layout.xaxis.dtick is None  # Plotly's own ticks: 10, 20 ...
    runs = [SimpleNamespace(epochs_run=2, history={"loss": [1.0, 0.5]}, name="#1 LSTM(8)")]
    assert compare_figure(runs).layout.xaxis.dtick == 1


def test_embedding_map_names_the_sentence_and_keeps_labels_inside():
    """The embedding map names the most frequent tokens, [UNK] and every token of the shown sentence (the marked
    points), and the label over the highest point is not cut at the plot's edge."""
    import numpy as np

    from rnn_lab.inside.text import EmbeddingMap
    from rnn_lab.inside.text_views import embedding_figure

    rng = np.random.default_rng(0)
    tokens = ["[UNK]", " ", *"나는구글에서일한다책밥"]
    emap = EmbeddingMap(
        np.arange(1, len(tokens) + 1), tokens, rng.normal(size=(len(tokens), 2)), np.array([0.3, 0.2]), 0
    )
    sentence = [tokens.index("밥") + 1, tokens.index("책") + 1]  # the two rarest: beyond max_labels
    fig = embedding_figure(emap, "ko", sentence_ids=sentence, max_labels=4)
    labels = list(fig.data[0].text)
    assert labels[tokens.index("밥")] == "밥" and labels[tokens.index("책")] == "책" and labels[0] == "[UNK]"
    assert labels[tokens.index("다")] == ""  # neither frequent nor in the sentence: hover only
    assert fig.data[0].cliponaxis is False
    top = float(np.max(emap.coords[:, 1]))
    assert fig.layout.yaxis.range[1] > top + 0.05 * np.ptp(emap.coords[:, 1])  # room for the top label


def test_date_ticks_are_korean_on_korean_pages():
    """The residual chart of lesson 4 (Korean) ticked 'Jan 2015', 'Jul 2015': Plotly's English month names."""
    import pandas as pd
    import plotly.graph_objects as go

    from rnn_lab.data.units import apply_units

    index = pd.bdate_range("2015-01-01", periods=600)
    fig = apply_units(go.Figure(go.Scatter(x=index, y=list(range(600)))), index, "KRW", "ko")
    stops = {tuple(s.dtickrange): s.value for s in fig.layout.xaxis.tickformatstops}
    month = 30 * 86_400_000
    value = next(v for (lo, hi), v in stops.items() if (lo or 0) <= month < (hi or float("inf")))
    assert value == "%Y년 %-m월" and all(
        not any(c.isalpha() and c.isascii() and c not in "YmdHM" for c in v) for v in stops.values()
    )
    english = apply_units(go.Figure(go.Scatter(x=index, y=list(range(600)))), index, "KRW", "en")
    assert not english.layout.xaxis.tickformatstops  # Plotly's own English ticks


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_message_strikes_its_text_through(lang):
    """Streamlit's Markdown (GFM) strikes through text between two single tildes: lesson 2's Korean '(시드 0~9: 0.5에
    0.38~0.52 ...)' showed '9: 0.5에 0.38' struck out. A range in prose is written with an escaped tilde."""
    struck = []
    for key, text in catalogue(lang).items():
        prose = re.sub(r"`[^`]*`", " ", re.sub(r"\$[^$]+\$", " ", text)).replace("\\~", "")
        if re.search(r"(?<!~)~(?=[^\s~])[^~]*?(?<=[^\s~])~(?!~)", prose):
            struck.append((key, text[:80]))
    assert struck == []
