"""The Train page's session state: the runs of this session, the ones shown, the training job."""

from __future__ import annotations

import streamlit as st

from ui.classroom import lesson_runs
from ui.common import JOB_KEY

RUNS_KEY = "runs"
COMPARE_KEY = "compare_ids"  # not a setting: the run ids of the last "compare the five" in this session


def runs() -> list:
    return st.session_state.setdefault(RUNS_KEY, [])


def shown_runs() -> list:
    """The runs the page shows: all of them, or during a lesson only the lesson's own (ui.classroom.lesson_runs)."""
    return lesson_runs(runs())


def job():
    return st.session_state.get(JOB_KEY)
