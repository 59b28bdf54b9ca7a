"""Issue 12 through the Train page: a queued training shows its place and can be cancelled; a shared server's caps
and the per-session run limit are plain messages. (The scheduler itself: tests/test_train_scheduler.py.)"""

from __future__ import annotations

import threading

import pytest

from rnn_lab.train import scheduler as S


@pytest.fixture
def one_slot_taken():
    """The process-wide scheduler with one slot, held by another session's job until the test lets it go."""
    scheduler = S.LocalScheduler(max_running=1)
    previous = S.set_default_scheduler(scheduler)
    gate = threading.Event()
    blocker = scheduler.submit("another student", lambda stop: gate.wait(60), label="train")
    yield scheduler
    gate.set()
    blocker.wait(60)
    S.set_default_scheduler(previous)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_queued_training_shows_its_place_and_can_be_cancelled(app_test, keras, one_slot_taken, lang):
    from rnn_lab import i18n

    at = app_test(page="app_pages/train.py", lang=lang, train_epochs=2)
    at.button(key="btn_train_start").click().run()
    assert not at.exception, at.exception
    job = at.session_state["job_train"]
    assert job.state == "queued" and job.snapshot()["position"] == 1
    queued = i18n.t("train.queued", lang, position=1, length=1)
    assert any(queued in i.value for i in at.info), [i.value for i in at.info]
    at.run()  # the next rerun (the page polls): still queued, and Train is off
    assert at.button(key="btn_train_start").disabled  # one training per session, queued or running
    at.button(key="btn_train_cancel").click().run()
    assert not at.exception
    job.join(10)
    assert job.state == "stopped" and job.run is None and job.error is None
    at.run()
    assert not at.exception and not at.error
    assert not at.session_state["runs"]  # nothing half-made was added
    assert one_slot_taken.status().running == 1  # the other student's job is untouched


def test_a_full_queue_is_a_plain_message(app_test, monkeypatch):
    scheduler = S.LocalScheduler(max_running=1, max_queue=0)
    previous = S.set_default_scheduler(scheduler)
    gate = threading.Event()
    try:
        scheduler.submit("someone", lambda stop: gate.wait(60))
        at = app_test(page="app_pages/train.py")
        at.button(key="btn_train_start").click().run()
        assert not at.exception
        assert any("queue" in e.value and "full" in e.value for e in at.error)
        assert at.session_state.get("job_train") is None
    finally:
        gate.set()
        S.set_default_scheduler(previous)


def test_server_caps_on_model_size_and_work_are_plain_messages(app_test, monkeypatch):
    monkeypatch.setenv("RNN_LAB_MAX_PARAMS", "100")  # the tutorial's SimpleRNN(10) + Dense(1) has 131
    at = app_test(page="app_pages/train.py")
    at.button(key="btn_train_start").click().run()
    assert not at.exception
    assert any("131 parameters" in e.value and "RNN_LAB_MAX_PARAMS" in e.value for e in at.error)
    monkeypatch.setenv("RNN_LAB_MAX_PARAMS", "1000")
    monkeypatch.setenv("RNN_LAB_MAX_SAMPLE_EPOCHS", "100")  # 50 epochs x 10 windows = 500
    at.button(key="btn_train_start").click().run()
    assert any("500 sample-epochs" in e.value for e in at.error)


def test_the_session_keeps_its_last_runs_and_the_pinned_ones(app_test, keras, monkeypatch):
    monkeypatch.setenv("RNN_LAB_MAX_RUNS", "2")
    at = app_test(page="app_pages/train.py", train_epochs=1)
    for _ in range(2):
        at.button(key="btn_train_start").click().run()
        at.session_state["job_train"].join(60)
        at.run()
    first = at.session_state["runs"][0]
    at.session_state["btn_train_show"] = first.id
    at.run()
    at.toggle(key=f"btn_train_pin_{first.id}").set_value(True).run()
    assert first.pinned
    at.button(key="btn_train_start").click().run()
    said = [i.value for i in at.info]  # a short training is collected in the press's own rerun (ui.train waits)
    at.session_state["job_train"].join(60)
    at.run()
    said += [i.value for i in at.info]  # ... or, if it took longer, in the rerun after it finished
    assert not at.exception
    kept = at.session_state["runs"]
    assert len(kept) == 2 and kept[0] is first  # the second (unpinned, oldest after the pinned one) went
    assert sum("keeps 2 runs" in v for v in said) == 1  # said once, when it happened


def test_trim_runs_drops_the_oldest_unpinned_never_the_new_ones():
    from types import SimpleNamespace as R

    from rnn_lab.train.limits import trim_runs

    a, b, c, d = (R(pinned=p, name=n) for p, n in ((True, "a"), (False, "b"), (False, "c"), (False, "d")))
    runs = [a, b, c, d]
    assert trim_runs(runs, 2, protect=(c, d)) == [b] and runs == [a, c, d]  # over the limit rather than drop new
    assert trim_runs([a, b], 5) == []
