"""Issue 9.9: RNN Lab leans on two Streamlit internals; an upgrade that removes them must fail here, loudly.

Without them every script run (and the Train page's 0.25 s live fragment) holds the GIL ~0.5 s once TensorFlow
is loaded, and a rerun clears Keras' global state under a training thread: the freezes come back silently.
"""

from __future__ import annotations

import inspect
import tomllib

import streamlit
from conftest import ROOT

RECHECK = (
    f"Streamlit {streamlit.__version__} changed an internal RNN Lab relies on. Re-check "
    "ui/common.py keep_keras_session() (it replaces script_runner._clean_problem_modules) and "
    ".streamlit/config.toml [runner] postScriptGC = false, then measure a rerun with TensorFlow loaded "
    "(issue 9.9): without them each rerun holds the GIL ~0.5 s and clears Keras' state under a training thread."
)


def test_script_runner_still_cleans_through_the_module_function_we_replace():
    from streamlit.runtime.scriptrunner import script_runner

    assert callable(getattr(script_runner, "_clean_problem_modules", None)), RECHECK
    source = inspect.getsource(script_runner)
    # called by its module-global name after every run, so replacing the module attribute takes effect
    assert "_log_if_error(_clean_problem_modules)" in source, RECHECK
    original = (
        inspect.getsource(script_runner._clean_problem_modules)
        if not getattr(script_runner, "_rnn_lab_keeps_keras", False)
        else ""
    )
    assert not original or "clear_session" in original, RECHECK  # what we skip is still Keras' clearing


def test_post_script_gc_option_still_exists_and_is_off():
    from streamlit import config
    from streamlit.runtime.scriptrunner import script_runner

    config.get_config_options()
    assert "runner.postScriptGC" in config._config_options, RECHECK
    assert 'config.get_option("runner.postScriptGC")' in inspect.getsource(script_runner), RECHECK
    with (ROOT / ".streamlit" / "config.toml").open("rb") as fh:
        assert tomllib.load(fh)["runner"]["postScriptGC"] is False, RECHECK


def test_keep_keras_session_replaces_the_cleaner():
    from streamlit.runtime.scriptrunner import script_runner

    from ui.common import keep_keras_session

    keep_keras_session()
    assert script_runner._clean_problem_modules.__name__ == "clean_without_keras", RECHECK
