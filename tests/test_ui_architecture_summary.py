"""The Architecture page's Keras summaries, kept per configuration by the server (issue 22): a rerun with a
configuration seen before makes no Keras call, and what it shows is what a fresh build shows."""

from __future__ import annotations

import dataclasses

from rnn_lab.arch.config import ArchConfig
from rnn_lab.arch.keras_model import build_model, summary_rows, summary_text
from ui import architecture as ui


def _fresh(cfg: ArchConfig) -> dict:
    model = build_model(cfg)
    return {"rows": summary_rows(model), "text": summary_text(model, line_length=ui.SUMMARY_WIDTH)}


def test_kept_summary_equals_a_fresh_build_and_a_changed_setting_gives_another(keras, monkeypatch):
    monkeypatch.setattr(ui, "_summaries", type(ui._summaries)())  # this test's own cache
    cfg = ArchConfig(cell="GRU", units=(7,), timesteps=6)
    assert ui.kept_summary(cfg) is None  # never built: the page shows its spinner and builds
    built = ui.cached_summary(cfg)
    assert built == _fresh(cfg)
    assert built["rows"]["total_params"] == 3 * (7 * 7 + 7 * 1 + 7 + 7) + 8  # GRU(7) reset_after + Dense(1)
    assert ui.kept_summary(cfg) is built and ui.cached_summary(cfg) is built  # kept: no Keras call
    other = dataclasses.replace(cfg, units=(8,))
    assert ui.kept_summary(other) is None
    assert ui.cached_summary(other) == _fresh(other) != built
    assert ui.kept_summary(dataclasses.replace(cfg, return_sequences=True)) is None  # any setting is part of the key


def test_the_least_recently_used_summary_goes_first(keras, monkeypatch):
    monkeypatch.setattr(ui, "_summaries", type(ui._summaries)())
    monkeypatch.setattr(ui, "SUMMARIES_KEPT", 2)
    a, b, c = (ArchConfig(units=(u,)) for u in (3, 4, 5))
    ui.cached_summary(a)
    ui.cached_summary(b)
    assert ui.kept_summary(a) is not None  # a used again: b is now the oldest
    ui.cached_summary(c)
    assert ui.kept_summary(b) is None
    assert ui.kept_summary(a) is not None and ui.kept_summary(c) is not None
