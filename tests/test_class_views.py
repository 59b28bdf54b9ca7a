"""Click a confusion-matrix cell to see its samples (issue 27): the clickable markers, the cell's samples, the page."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import DIGITS

from rnn_lab import class_views as cv


def test_every_cell_has_a_clickable_marker_with_its_classes():
    cm = np.array([[5, 2, 0], [1, 7, 3], [0, 0, 9]])
    fig = cv.confusion_figure(cm, ("a", "b", "c"), "en", clickable=True)
    heat, cells = fig.data
    assert heat.hoverinfo == "skip" and cells.type == "scatter" and cells.marker.color == "rgba(0,0,0,0)"
    data = np.asarray(cells.customdata)
    assert data.shape == (9, 4)
    for (true, pred, count, _), x, y in zip(data, cells.x, cells.y, strict=True):
        assert (y, x) == ("abc"[int(true)], "abc"[int(pred)]) and count == cm[int(true), int(pred)]
    assert len(cv.confusion_figure(cm, ("a", "b", "c"), "en").data) == 1  # not clickable: the heatmap alone


def test_clicked_cell_and_the_biggest_confusion():
    from ui.classify import _clicked_cell, biggest_confusion

    event = {"selection": {"points": [{"x": "3", "y": "5", "customdata": [5, 3, 12, 0.1]}]}}
    assert _clicked_cell(event) == (5, 3)
    typed = {"selection": {"points": [{"customdata": {"0": 7, "1": 2, "2": 186, "3": 0.9}}]}}  # as the browser sends
    assert _clicked_cell(typed) == (7, 2)
    assert _clicked_cell({"selection": {"points": []}}) is None and _clicked_cell(None) is None
    assert biggest_confusion(np.array([[5, 2, 0], [1, 7, 3], [0, 0, 9]])) == (1, 2)
    assert biggest_confusion(np.eye(3, dtype=int)) == (0, 0)


@pytest.mark.parametrize("lang", ["ko"])  # English: the browser test clicks a cell
def test_train_page_shows_the_samples_of_a_cell(app_test, keras, lang):
    at = app_test(
        page="app_pages/train.py",
        lang=lang,
        **DIGITS,
        train_loss="sparse_categorical_crossentropy",
        train_epochs=1,
        arch_units_1=8,
    )
    at.button(key="btn_train_start").click().run()
    at.session_state["job_train"].join(timeout=180)
    at.run()
    assert not at.exception, at.exception
    run = at.session_state["runs"][-1]
    cm = np.asarray(run.metrics["confusion"])
    true, pred = at.session_state["btn_class_cell_true"], at.session_state["btn_class_cell_pred"]
    assert true != pred and cm[true, pred] == np.max(cm - np.diag(np.diag(cm)))  # opens on the biggest mistake
    spec = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if "chart_class_cell" in c.proto.id)
    assert len(spec["layout"]["annotations"]) == min(20, cm[true, pred])  # one probability above each digit
    # pick another cell in the fallback picker: its samples follow
    at.selectbox(key="btn_class_cell_true").set_value(1).run()
    at.selectbox(key="btn_class_cell_pred").set_value(1).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert f"**{cm[1, 1]}**" in text
    spec = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if "chart_class_cell" in c.proto.id)
    assert len(spec["layout"]["annotations"]) == min(20, cm[1, 1])
