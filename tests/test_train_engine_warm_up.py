"""Issue 9.2: the engine compiles before the press of Train, and the first run reuses that compilation."""

from __future__ import annotations

import numpy as np
from helpers import counting


def _setup(keras):
    from rnn_lab.arch.settings import config_from_values as arch_from_values
    from rnn_lab.train.runs import build, training_arch
    from rnn_lab.train.settings import config_from_values as train_from_values

    prepared = counting()
    arch = training_arch(arch_from_values({}), prepared)
    cfg = train_from_values({})
    return prepared, arch, cfg, build


def test_first_run_after_warm_up_reuses_the_compiled_slot_and_learns_the_same(keras):
    from rnn_lab.train import engine

    prepared, arch, cfg, build = _setup(keras)
    engine.clear_cache()
    cold = build(arch, cfg.seed)
    cold_history = engine.train(cold, prepared.X_train, prepared.y_train, cfg=cfg).history

    engine.clear_cache()
    model = build(arch, cfg.seed)
    before = [w.copy() for w in model.get_weights()]
    key = engine.warm_up(model, prepared.X_train, prepared.y_train, cfg=cfg)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))  # the user's model untouched
    (slot,) = engine._POOL[key]
    traced = slot.run.experimental_get_tracing_count()
    assert traced == 1
    assert engine.warm_up(model, prepared.X_train, prepared.y_train, cfg=cfg) == key  # idempotent
    history = engine.train(model, prepared.X_train, prepared.y_train, cfg=cfg).history
    assert engine._POOL[key] == [slot] and slot.run.experimental_get_tracing_count() == traced  # no new trace
    np.testing.assert_allclose(history["loss"], cold_history["loss"], rtol=1e-6)


def test_the_train_page_starts_the_warm_up_once(app_test, keras, monkeypatch):
    import ui.train
    from rnn_lab.train import engine, runs

    monkeypatch.setattr(ui.train, "WARM_UP", True)
    engine.clear_cache()
    runs._WARM_REQUESTS.clear()
    at = app_test(page="app_pages/train.py")
    assert not at.exception
    (ticket,) = runs._WARM_REQUESTS.values()  # the warm-up is a job of the training scheduler (issue 12)
    assert ticket.wait(timeout=120) and ticket.state == "done"
    assert any(engine._POOL.values())  # a compiled slot waits for the first press
    at.run()
    assert len(runs._WARM_REQUESTS) == 1  # a rerun does not start another


def test_a_press_during_the_warm_up_waits_for_it_instead_of_compiling_twice(keras):
    """The teacher presses Train right after the page opened: the run takes the warm-up's slot."""
    from rnn_lab.arch.settings import config_from_values as arch_from_values
    from rnn_lab.train import engine, runs
    from rnn_lab.train.settings import config_from_values as train_from_values

    engine.clear_cache()
    runs._WARM_REQUESTS.clear()
    prepared = counting()
    arch, cfg = arch_from_values({"arch_units_1": 7}), train_from_values({})  # a structure no other test compiled
    ticket = runs.warm_up_in_background(prepared, arch, cfg)
    runs.execute(prepared, arch, cfg)  # pressed at once
    assert ticket.state == "done"
    slots = [slot for free in engine._POOL.values() for slot in free]
    assert len(slots) == 1 and slots[0].run.experimental_get_tracing_count() == 1  # one compilation, shared
