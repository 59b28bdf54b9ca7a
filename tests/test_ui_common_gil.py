"""The server's GIL switch interval (issue 22): 2 ms instead of CPython's 5 ms, so a page rerun waits less for the
GIL behind trainings and other students' reruns; RNN_LAB_SWITCH_INTERVAL overrides it, a bad value keeps 2 ms."""

from __future__ import annotations

import sys

import pytest

from ui import common


@pytest.fixture
def restore_interval():
    before = sys.getswitchinterval()
    yield
    sys.setswitchinterval(before)


@pytest.mark.parametrize(
    ("env", "expected"),
    [(None, 0.002), ("0.001", 0.001), ("0.005", 0.005), ("fast", 0.002), ("0", 0.002), ("-1", 0.002), ("5", 0.002)],
)
def test_switch_interval_is_two_milliseconds_unless_set(monkeypatch, restore_interval, env, expected):
    sys.setswitchinterval(0.005)
    if env is None:
        monkeypatch.delenv("RNN_LAB_SWITCH_INTERVAL", raising=False)
    else:
        monkeypatch.setenv("RNN_LAB_SWITCH_INTERVAL", env)
    common.share_the_gil()
    assert sys.getswitchinterval() == pytest.approx(expected)


def test_the_router_sets_it(app_test, restore_interval, monkeypatch):
    monkeypatch.delenv("RNN_LAB_SWITCH_INTERVAL", raising=False)
    sys.setswitchinterval(0.005)
    at = app_test(page="app_pages/home.py")
    assert not at.exception
    assert sys.getswitchinterval() == pytest.approx(0.002)
