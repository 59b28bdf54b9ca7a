"""Helpers the tests share: import them as ``from helpers import ...`` (pytest puts ``tests/`` on the path).

Fixtures stay in ``tests/conftest.py``; plain functions and constants live here, so no test imports another test
file. ``paths``: where things are; ``browser``: the live app and Chromium helpers; ``data``: small datasets and
files several tests use; ``scripts``: running an exported training script.
"""

from helpers.apptest import next_token_state, open_train_page, plotly_values, upload, wait_for_job
from helpers.browser import (
    CLIPPED,
    clipped_on_every_tab,
    free_port,
    settle,
    start_streamlit,
    stop_streamlit,
    streamlit_server,
    wait_for_app,
)
from helpers.data import DIGITS, DIGITS_LINK, GOOD, SAMSUNG, SAMSUNG_GAP, counting, samsung_with_nulls, texts
from helpers.inside import numpy_trace
from helpers.paths import ARTIFACTS, ASSETS_DATA, CHROMIUM, ROOT, SHARED_DATA
from helpers.scripts import run_exported_script, run_script, train_cli

_free_port = free_port  # the name the tests used when it lived in conftest

__all__ = [
    "ARTIFACTS",
    "ASSETS_DATA",
    "CHROMIUM",
    "CLIPPED",
    "DIGITS",
    "DIGITS_LINK",
    "GOOD",
    "ROOT",
    "SAMSUNG",
    "SAMSUNG_GAP",
    "SHARED_DATA",
    "clipped_on_every_tab",
    "counting",
    "free_port",
    "next_token_state",
    "settle",
    "numpy_trace",
    "open_train_page",
    "plotly_values",
    "run_exported_script",
    "run_script",
    "samsung_with_nulls",
    "start_streamlit",
    "stop_streamlit",
    "streamlit_server",
    "texts",
    "train_cli",
    "upload",
    "wait_for_app",
    "wait_for_job",
]
