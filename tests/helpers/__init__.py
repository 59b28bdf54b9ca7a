"""Helpers the tests share: import them as ``from helpers import ...`` (pytest puts ``tests/`` on the path).

Fixtures stay in ``tests/conftest.py``; plain functions and constants live here, so no test imports another test
file. ``paths``: where things are; ``browser``: the live app and Chromium helpers; ``data``: small datasets and
files several tests use; ``scripts``: running an exported training script.
"""

from helpers.browser import (
    CLIPPED,
    clipped_on_every_tab,
    free_port,
    start_streamlit,
    stop_streamlit,
    streamlit_server,
    wait_for_app,
)
from helpers.data import GOOD, counting, texts
from helpers.paths import ARTIFACTS, ASSETS_DATA, CHROMIUM, ROOT, SHARED_DATA
from helpers.scripts import run_exported_script

_free_port = free_port  # the name the tests used when it lived in conftest

__all__ = [
    "ARTIFACTS",
    "ASSETS_DATA",
    "CHROMIUM",
    "CLIPPED",
    "GOOD",
    "ROOT",
    "SHARED_DATA",
    "clipped_on_every_tab",
    "counting",
    "free_port",
    "run_exported_script",
    "start_streamlit",
    "stop_streamlit",
    "streamlit_server",
    "texts",
    "wait_for_app",
]
