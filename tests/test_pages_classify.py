"""The classify task through the pages (issue 10, first part): Data shows the digits as sequences, Train trains and
scores against the majority class, Inside steps through a digit."""

from __future__ import annotations

import pytest
from helpers import DIGITS


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_data_page_switches_task_and_shows_digits_as_sequences(app_test, lang):
    at = app_test(page="app_pages/data.py", lang=lang)
    at.radio(key="task").set_value("classify").run()
    assert not at.exception
    assert at.session_state["data_source_kind"] == "digits" and at.session_state["train_loss"] == (
        "sparse_categorical_crossentropy"
    )
    p = at.session_state["prepared"]
    assert p.task == "classify" and p.X("train").shape[1:] == (28, 28) and p.split_sizes["test"] == 2000
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    assert len(titles) >= 3  # samples, the image as a sequence, the class balance
    at.radio(key="task").set_value("forecast").run()  # and back: the counting tutorial again
    assert not at.exception and at.session_state["prepared"].task == "forecast"


def test_train_page_trains_digits_and_shows_confusion_and_baseline(app_test, keras):
    at = app_test(
        page="app_pages/train.py",
        **DIGITS,
        train_loss="sparse_categorical_crossentropy",
        train_epochs=2,
        arch_units_1=16,
    )
    assert not at.exception
    assert any('Dense(10, activation="softmax")' in m.value for m in at.markdown)  # the head the task implies
    at.button(key="btn_train_start").click().run()
    at.session_state["job_train"].join(timeout=180)
    at.run()
    assert not at.exception, at.exception
    run = at.session_state["runs"][-1]
    assert run.task == "classify" and len(run.history["accuracy"]) == 2
    assert run.metrics["baseline"]["accuracy"] == pytest.approx(0.1135)  # always "1" on the 2,000 test digits
    labels = " ".join(m.label for m in at.metric)
    assert "Model accuracy" in labels and "majority class" in labels
    import json

    titles = [json.loads(c.proto.spec)["layout"].get("title", {}).get("text", "") for c in at.get("plotly_chart")]
    assert any("Confusion matrix" in x for x in titles) and any("Softmax probabilities" in x for x in titles)
    downloads = [el for el in at.get("download_button")]  # the export: model, history, predictions, script, zip
    assert len(downloads) == 6  # and the notebook
    assert "Notebook (.ipynb)" in [d.proto.label for d in downloads]


def test_inside_page_steps_through_a_digit(app_test):
    """Inside follows classifiers too (tests/test_page_inside_classify.py has the details): the decision over t."""
    at = app_test(page="app_pages/inside.py", **DIGITS)
    assert not at.exception
    assert not any("forecasting" in i.value for i in at.info)
    assert any("inside_fig_decision" in c.proto.id for c in at.get("plotly_chart"))


def test_the_classification_toy_is_offered_and_shown(app_test):
    at = app_test(page="app_pages/data.py", task="classify", data_source_kind="digits")
    # the toy, the digits and text (NSMC reviews), no number series
    assert at.radio(key="data_source_kind").options == [
        "Toy sequence",
        "Handwritten digits (MNIST)",
        "Text (words and characters)",
    ]
    at.radio(key="data_source_kind").set_value("toy").run()
    assert not at.exception
    p = at.session_state["prepared"]
    assert p.source == "toy:first_vs_last" and p.n_classes == 2 and p.X("train").shape[2] == 1


def test_the_architecture_page_shows_the_classifier_head(app_test):
    """Switching the task sets the explorer to the data's shape and a softmax head with one unit per class; a
    softmax head of one unit (always 1.0) is refused with a message instead of shown."""
    at = app_test(page="app_pages/data.py")
    at.radio(key="task").set_value("classify").run()
    at.switch_page("app_pages/architecture.py").run()
    assert not at.exception and not at.error
    summary = at.code[0].value
    assert "(None, 28, 28)" in summary or "(None, 10)" in summary
    assert "Dense" in summary and "(None, 10)" in summary.split("dense")[-1]
    at.session_state["arch_dense_units"] = 1
    at.run()
    assert not at.exception and any("one unit per class" in e.value for e in at.error)


def test_a_link_naming_the_text_source_opens_it(app_test):
    """classify + text is sentiment on NSMC: the text the link left at its default (tiny-en, a next-token corpus)
    becomes the task's text."""
    at = app_test(page="app_pages/data.py", task="classify", data_source_kind="text", data_text_limit=200)
    assert not at.exception and not at.error
    assert at.session_state["data_source_kind"] == "text" and at.session_state["data_text"] == "nsmc"
    assert at.session_state["prepared"].task == "classify" and at.session_state["prepared"].source == "text:nsmc"


def test_a_link_naming_a_source_the_task_cannot_read_opens_the_tasks_first_source(app_test):
    at = app_test(page="app_pages/data.py", task="next_token", data_source_kind="digits")
    assert not at.exception and not at.error
    assert at.session_state["data_source_kind"] == "text" and at.session_state["prepared"].task == "next_token"
