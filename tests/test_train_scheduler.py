"""Issue 12: the training scheduler. No timing assertions: jobs block on Events, the tests wait on Events."""

from __future__ import annotations

import collections
import math
import threading

import pytest

from rnn_lab.train import scheduler as S

WAIT = 60  # seconds a test waits for an event before failing (never a measure of speed)


class Gate:
    """Jobs that say when they start and then hold their slot until released (or cancelled)."""

    def __init__(self):
        self.release = threading.Event()
        self.started: dict[str, threading.Event] = {}
        self.order: list[str] = []
        self.stopped: list[str] = []
        self._lock = threading.Lock()

    def job(self, name: str, fail: bool = False):
        self.started[name] = threading.Event()

        def work(stop: threading.Event):
            with self._lock:
                self.order.append(name)
            self.started[name].set()
            while not self.release.wait(0.01):  # a real job checks its stop event at each epoch
                if stop.is_set():
                    with self._lock:
                        self.stopped.append(name)
                    return f"{name} stopped"
            if fail:
                raise RuntimeError(f"{name} failed")
            return name

        return work


@pytest.fixture
def gate():
    g = Gate()
    yield g
    g.release.set()  # no job thread is left waiting after the test


def test_at_most_max_running_jobs_run_and_the_rest_wait(gate):
    scheduler = S.LocalScheduler(max_running=2)
    tickets = [scheduler.submit("s", gate.job(f"j{i}")) for i in range(5)]
    assert gate.started["j0"].wait(WAIT) and gate.started["j1"].wait(WAIT)
    assert [t.state for t in tickets] == ["running"] * 2 + ["queued"] * 3
    assert scheduler.status() == S.SchedulerStatus(running=2, queued=3, limit=2, max_queue=S.DEFAULT_MAX_QUEUE)
    assert gate.order == ["j0", "j1"]  # exactly two started
    gate.release.set()
    assert all(t.wait(WAIT) for t in tickets)
    assert [t.state for t in tickets] == ["done"] * 5 and [t.result for t in tickets] == [f"j{i}" for i in range(5)]
    assert scheduler.status().running == 0 and scheduler.status().queued == 0


def test_jobs_start_first_in_first_out(gate):
    scheduler = S.LocalScheduler(max_running=1)
    blocker = scheduler.submit("s", gate.job("blocker"))
    names = ["a", "b", "c", "d", "e"]
    tickets = [scheduler.submit(f"session-{n}", gate.job(n)) for n in names]
    assert gate.started["blocker"].wait(WAIT)
    gate.release.set()
    assert all(t.wait(WAIT) for t in [blocker, *tickets])
    assert gate.order == ["blocker", *names]


def test_positions_queue_length_and_wait_estimate(gate):
    scheduler = S.LocalScheduler(max_running=1)
    running = scheduler.submit("s", gate.job("running"))
    a, b, c = (scheduler.submit("s", gate.job(n)) for n in "abc")
    assert running.position() == 0 and running.eta_seconds() == 0.0
    assert [t.position() for t in (a, b, c)] == [1, 2, 3]
    assert a.queue_length() == 3
    assert math.isnan(a.eta_seconds())  # no job has finished and none has a cost hint: unknown
    info = b.queue_info()
    assert (info["position"], info["queue_length"]) == (2, 3) and math.isnan(info["wait_eta"])
    assert scheduler.cancel(b)
    assert [t.position() for t in (a, b, c)] == [1, 0, 2] and c.queue_length() == 2
    gate.release.set()
    assert all(t.wait(WAIT) for t in (running, a, c))
    assert [t.position() for t in (running, a, c)] == [0, 0, 0]


def test_wait_estimate_uses_cost_hints_then_finished_durations(gate):
    scheduler = S.LocalScheduler(max_running=2)
    scheduler.submit("s", gate.job("r1"), cost=10.0)
    scheduler.submit("s", gate.job("r2"), cost=20.0)
    first = scheduler.submit("s", gate.job("q1"), cost=30.0)
    second = scheduler.submit("s", gate.job("q2"))
    third = scheduler.submit("s", gate.job("q3"))
    # two slots share the work ahead: each running job counts half its hint (on average half done)
    assert first.eta_seconds() == pytest.approx((10 / 2 + 20 / 2) / 2)
    assert second.eta_seconds() == pytest.approx((30 + 10 / 2 + 20 / 2) / 2)  # q1 waits ahead of it
    assert math.isnan(third.eta_seconds())  # q2 ahead of it: nothing known about it
    gate.release.set()
    assert third.wait(WAIT)
    late, closed = S.LocalScheduler(max_running=1), Gate()
    late._durations_by_label["train"] = collections.deque([2.0, 4.0])  # measured durations beat hints
    late.submit("s", closed.job("x"), label="train", cost=100.0)
    waiting = late.submit("s", closed.job("y"), label="train")
    assert waiting.eta_seconds() == pytest.approx(3.0 / 2)
    closed.release.set()
    assert waiting.wait(WAIT)


def test_cancelling_a_queued_job_removes_it_and_it_never_runs(gate):
    scheduler = S.LocalScheduler(max_running=1)
    blocker = scheduler.submit("s", gate.job("blocker"))
    queued = scheduler.submit("s", gate.job("never"))
    after = scheduler.submit("s", gate.job("after"))
    assert scheduler.cancel(queued)
    assert queued.state == "cancelled" and queued.stop_event.is_set() and queued.wait(0)
    assert scheduler.status().queued == 1
    gate.release.set()
    assert blocker.wait(WAIT) and after.wait(WAIT)
    assert "never" not in gate.order and queued.result is None and queued.started_at is None
    assert not scheduler.cancel(queued) and not scheduler.cancel(blocker)  # finished: nothing to cancel


def test_cancelling_a_running_job_sets_its_stop_event_and_it_ends_cancelled(gate):
    scheduler = S.LocalScheduler(max_running=1)
    running = scheduler.submit("s", gate.job("running"))
    assert gate.started["running"].wait(WAIT)
    assert scheduler.cancel(running)
    assert running.stop_event.is_set()
    assert running.wait(WAIT)
    assert running.state == "cancelled" and running.result == "running stopped" and gate.stopped == ["running"]
    assert scheduler.status().running == 0


def test_cancel_session_frees_only_that_sessions_jobs(gate):
    scheduler = S.LocalScheduler(max_running=2)
    mine_running = scheduler.submit("closed-tab", gate.job("mine running"))
    other_running = scheduler.submit("other", gate.job("other running"))
    mine_queued = [scheduler.submit("closed-tab", gate.job(f"mine {i}")) for i in range(2)]
    other_queued = scheduler.submit("other", gate.job("other queued"))
    assert gate.started["mine running"].wait(WAIT) and gate.started["other running"].wait(WAIT)
    assert scheduler.cancel_session("closed-tab") == 3
    assert [t.state for t in mine_queued] == ["cancelled"] * 2
    assert mine_running.stop_event.is_set() and not other_running.stop_event.is_set()
    assert other_queued.state == "queued" and other_queued.position() == 1
    assert mine_running.wait(WAIT) and mine_running.state == "cancelled"
    assert gate.started["other queued"].wait(WAIT)  # the freed slot goes to the other session
    assert scheduler.cancel_session("closed-tab") == 0
    gate.release.set()
    assert other_running.wait(WAIT) and other_queued.wait(WAIT)
    assert other_running.state == other_queued.state == "done"
    assert not any(name.startswith("mine ") and name != "mine running" for name in gate.order)


def test_a_failing_job_is_reported_and_the_queue_moves_on(gate):
    scheduler = S.LocalScheduler(max_running=1)
    failing = scheduler.submit("s", gate.job("boom", fail=True))
    next_one = scheduler.submit("s", gate.job("next"))
    gate.release.set()
    assert failing.wait(WAIT) and next_one.wait(WAIT)
    assert failing.state == "error" and isinstance(failing.error, RuntimeError) and "boom failed" in str(failing.error)
    assert next_one.state == "done" and next_one.result == "next"
    assert scheduler.status().running == 0


def test_a_full_queue_refuses_more_with_a_plain_message(gate):
    scheduler = S.LocalScheduler(max_running=1, max_queue=2)
    tickets = [scheduler.submit("s", gate.job(n)) for n in ("running", "q1", "q2")]
    with pytest.raises(S.QueueFull, match="training queue is full: 2 jobs are waiting and the limit is 2") as info:
        scheduler.submit("s", gate.job("one too many"))
    assert isinstance(info.value, ValueError) and info.value.limit == 2 and "RNN_LAB_MAX_QUEUE" in str(info.value)
    scheduler.cancel(tickets[1])
    tickets.append(scheduler.submit("s", gate.job("room again")))
    gate.release.set()
    assert all(t.wait(WAIT) for t in tickets)


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("RNN_LAB_MAX_TRAININGS", "3")
    monkeypatch.setenv("RNN_LAB_MAX_QUEUE", "7")
    scheduler = S.LocalScheduler()
    assert (scheduler.max_running, scheduler.max_queue) == (3, 7)
    monkeypatch.delenv("RNN_LAB_MAX_TRAININGS")
    assert S.LocalScheduler().max_running >= 1  # the number of cores
    monkeypatch.setenv("RNN_LAB_MAX_TRAININGS", "zero")
    with pytest.raises(ValueError, match="RNN_LAB_MAX_TRAININGS must be a whole number of at least 1; got 'zero'"):
        S.LocalScheduler()
    with pytest.raises(ValueError, match="max_running must be at least 1"):
        S.LocalScheduler(max_running=0)


def test_submit_checks_its_arguments():
    scheduler = S.LocalScheduler(max_running=1)
    with pytest.raises(TypeError, match="work must be a callable"):
        scheduler.submit("s", "not a function")
    with pytest.raises(ValueError, match="cost must be a duration"):
        scheduler.submit("s", lambda stop: None, cost=-1.0)


def test_the_default_scheduler_is_one_per_process():
    previous = S.set_default_scheduler(None)
    try:
        found: list = []
        barrier = threading.Barrier(8)

        def ask():
            barrier.wait(WAIT)
            found.append(S.default_scheduler())

        threads = [threading.Thread(target=ask) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(WAIT)
        assert len(found) == 8 and all(s is found[0] for s in found)
        assert isinstance(found[0], S.LocalScheduler) and S.default_scheduler() is found[0]
        replacement = S.LocalScheduler(max_running=1)
        assert S.set_default_scheduler(replacement) is found[0] and S.default_scheduler() is replacement
    finally:
        S.set_default_scheduler(previous)


# ---------------------------------------------------------------- the jobs of the pages go through it


def test_an_experiment_job_waits_its_turn_and_can_leave_the_queue(gate):
    from rnn_lab.inside import connectivity as C

    scheduler = S.LocalScheduler(max_running=1)
    blocker = scheduler.submit("s", gate.job("blocker"))
    job = C.ExperimentJob(C.ExperimentConfig(lag=8, units=3, epochs=3), scheduler=scheduler, session_id="s")
    snap = job.snapshot()
    assert job.state == "queued" and job.running and snap["position"] == 1 and snap["queue_length"] == 1
    job.stop()
    job.join(WAIT)
    assert job.state == "stopped" and not job.running and job.result is None and job.error is None
    gate.release.set()
    assert blocker.wait(WAIT)


def _tiny_train(seed: int):
    from helpers import counting

    from rnn_lab.arch.settings import config_from_values as arch_from_values
    from rnn_lab.train.settings import config_from_values as train_from_values

    return counting(), arch_from_values({"arch_units_1": 3}), train_from_values({"train_epochs": 4, "train_seed": seed})


def test_a_train_job_queued_behind_another_learns_the_same_as_alone(keras, gate):
    from rnn_lab.train.runs import TrainJob, execute

    scheduler = S.LocalScheduler(max_running=1)
    blocker = scheduler.submit("other student", gate.job("blocker"))
    first = TrainJob(*_tiny_train(seed=1), scheduler=scheduler, session_id="a")
    second = TrainJob(*_tiny_train(seed=2), scheduler=scheduler, session_id="b")
    snap = second.snapshot()
    assert second.state == "queued" and second.running  # the page keeps polling a queued job
    assert snap["queued"] and snap["position"] == 2 and snap["queue_length"] == 2 and snap["state"] == "queued"
    assert "wait_eta" in snap and snap["epoch"] == 0
    gate.release.set()
    first.join(600)
    second.join(600)
    assert blocker.state == "done" and first.state == second.state == "done"
    snap = second.snapshot()
    assert not snap["queued"] and snap["position"] == 0 and snap["wait_eta"] == 0.0
    alone = execute(*_tiny_train(seed=2))
    assert second.run.history == alone.history  # exactly: the engine is seeded and nothing mutable is shared
    assert second.history["loss"] == alone.history["loss"]  # the live curve the page drew, too
    assert first.run.history != second.run.history  # the seeds differ, so the comparison means something


def test_stopping_a_queued_train_job_ends_it_with_no_run_and_no_error(gate):
    from rnn_lab.train.runs import TrainJob

    scheduler = S.LocalScheduler(max_running=1)
    blocker = scheduler.submit("s", gate.job("blocker"))
    job = TrainJob(*_tiny_train(seed=0), scheduler=scheduler, session_id="s")
    job.stop()
    job.join(WAIT)
    assert job.state == "stopped" and not job.running and job.run is None and job.error is None
    assert "blocker" in gate.order and scheduler.status().queued == 0
    gate.release.set()
    assert blocker.wait(WAIT)


def test_a_queued_warm_up_does_not_hold_up_the_run_it_was_for(keras, gate):
    """The run cancels a warm-up still waiting behind it instead of waiting for it (with one slot it never could)."""
    from rnn_lab.train import runs

    scheduler = S.LocalScheduler(max_running=1)
    previous = S.set_default_scheduler(scheduler)
    runs._WARM_REQUESTS.clear()
    try:
        prepared, arch, cfg = _tiny_train(seed=3)
        blocker = scheduler.submit("s", gate.job("blocker"))
        job = runs.TrainJob(prepared, arch, cfg, session_id="s")  # pressed before the warm-up was queued
        warm = runs.warm_up_in_background(prepared, arch, cfg, session_id="s")
        assert warm is not None and warm.state == "queued" and warm.position() == 2
        gate.release.set()
        job.join(600)
        assert job.state == "done" and warm.state == "cancelled" and warm.started_at is None
        assert blocker.state == "done"
    finally:
        S.set_default_scheduler(previous)
        runs._WARM_REQUESTS.clear()


def test_a_ticket_is_cancelled_only_by_its_own_scheduler(gate):
    one, other = S.LocalScheduler(max_running=1), S.LocalScheduler(max_running=1)
    ticket = one.submit("s", gate.job("mine"))
    with pytest.raises(ValueError, match="submitted to another scheduler"):
        other.cancel(ticket)
    gate.release.set()
    assert ticket.wait(WAIT) and ticket.state == "done"


class Killed(BaseException):
    """Stronger than an Exception: what a killed worker's work might raise."""


def test_a_job_killed_mid_run_frees_its_slot_and_the_queue_moves_on(gate, monkeypatch):
    scheduler = S.LocalScheduler(max_running=1)
    started, thread_died = threading.Event(), threading.Event()
    died_of: list = []
    monkeypatch.setattr(threading, "excepthook", lambda args: (died_of.append(args.exc_type), thread_died.set()))

    def killed_mid_run(stop):
        started.set()
        gate.release.wait(WAIT)
        raise Killed

    victim = scheduler.submit("s", killed_mid_run)
    after = scheduler.submit("s", gate.job("after"))
    assert started.wait(WAIT) and victim.state == "running" and after.state == "queued"
    gate.release.set()
    assert victim.wait(WAIT) and after.wait(WAIT) and thread_died.wait(WAIT)
    assert victim.state == "error" and after.state == "done" and died_of == [Killed]


def test_wait_estimate_uses_the_duration_of_jobs_of_the_same_kind():
    import threading as th

    from rnn_lab.train.scheduler import LocalScheduler

    s = LocalScheduler(max_running=1)
    for label in ("warm", "train"):
        s.submit("a", lambda stop: None, label=label).wait(10)
    s._durations_by_label["warm"].clear()
    s._durations_by_label["warm"].append(1.0)
    s._durations_by_label["train"].clear()
    s._durations_by_label["train"].append(10.0)
    gate = th.Event()
    running = s.submit("a", lambda stop: gate.wait(10), label="train")
    ahead = s.submit("b", lambda stop: None, label="warm")
    mine = s.submit("c", lambda stop: None, label="train")
    # one slot: the running training (half of 10 s left on average) and the warm-up ahead (1 s)
    assert mine.eta_seconds() == 10.0 / 2 + 1.0
    gate.set()
    for t in (running, ahead, mine):
        t.wait(10)


def test_reap_sessions_cancels_jobs_of_sessions_gone_longer_than_the_grace():
    import threading as th

    from rnn_lab.train.scheduler import LocalScheduler

    s = LocalScheduler(max_running=1)
    gate = th.Event()
    running = s.submit("gone", lambda stop: gate.wait(10) and None, label="train")
    queued = s.submit("gone", lambda stop: None, label="train")
    other = s.submit("here", lambda stop: None, label="train")
    alive = {"here"}
    assert s.reap_sessions(alive.__contains__, grace=30, now=100.0) == []  # first seen gone: grace starts
    assert queued.state == "queued" and not running.stop_event.is_set()
    assert s.reap_sessions(alive.__contains__, grace=30, now=131.0) == ["gone"]
    assert queued.state == "cancelled" and running.stop_event.is_set() and other.state in ("queued", "running")
    gate.set()
    other.wait(10)
    assert other.state == "done"
