"""Issue 9.9: RNN Lab leans on two Streamlit internals; an upgrade that removes them must fail here, loudly.

Without them every script run (and the Train page's 0.25 s live fragment) holds the GIL ~0.5 s once TensorFlow
is loaded, and a rerun clears Keras' global state under a training thread: the freezes come back silently.
"""

from __future__ import annotations

import ast
import inspect
import tomllib

import streamlit
from helpers import ROOT

RECHECK = (
    f"Streamlit {streamlit.__version__} changed an internal RNN Lab relies on. Re-check "
    "ui/common.py keep_keras_session() (it replaces script_runner._clean_problem_modules) and "
    ".streamlit/config.toml [runner] postScriptGC = false, then measure a rerun with TensorFlow loaded "
    "(issue 9.9): without them each rerun holds the GIL ~0.5 s and clears Keras' state under a training thread."
)


def _streamlit_source_of(module, name: str) -> str:
    """The source of ``name`` as Streamlit's file defines it, read from the file (not from the module attribute,
    which an earlier AppTest's app run has already replaced with ui.common's cleaner: order must not matter)."""
    tree = ast.parse(inspect.getsource(module))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return ast.get_source_segment(inspect.getsource(module), node)
    return ""


def test_script_runner_still_cleans_through_the_module_function_we_replace():
    from streamlit.runtime.scriptrunner import script_runner

    original = _streamlit_source_of(script_runner, "_clean_problem_modules")
    assert original, RECHECK  # still a module-level function of script_runner
    assert "clear_session" in original, RECHECK  # what we skip is still Keras' clearing
    # called by its module-global name after every run, so replacing the module attribute takes effect
    assert "_log_if_error(_clean_problem_modules)" in inspect.getsource(script_runner), RECHECK


def test_post_script_gc_option_still_exists_and_is_off():
    from streamlit import config
    from streamlit.runtime.scriptrunner import script_runner

    config.get_config_options()
    assert "runner.postScriptGC" in config._config_options, RECHECK
    assert 'config.get_option("runner.postScriptGC")' in inspect.getsource(script_runner), RECHECK
    with (ROOT / ".streamlit" / "config.toml").open("rb") as fh:
        assert tomllib.load(fh)["runner"]["postScriptGC"] is False, RECHECK


def test_keep_keras_session_replaces_the_cleaner(monkeypatch):
    """From Streamlit's own state (as in a fresh server process), whatever earlier tests did: monkeypatch puts the
    module back as it was afterwards."""
    from streamlit.runtime.scriptrunner import script_runner

    from ui.common import keep_keras_session

    def _clean_problem_modules():  # stands in for Streamlit's function
        raise AssertionError("Streamlit's cleaner ran")

    monkeypatch.setattr(script_runner, "_clean_problem_modules", _clean_problem_modules)
    monkeypatch.delattr(script_runner, "_rnn_lab_keeps_keras", raising=False)
    keep_keras_session()
    assert script_runner._clean_problem_modules.__name__ == "clean_without_keras", RECHECK
    script_runner._clean_problem_modules()  # runs without touching Keras
    keep_keras_session()  # a second call (every page run) keeps the replacement
    assert script_runner._clean_problem_modules.__name__ == "clean_without_keras", RECHECK


def test_a_script_run_still_says_whether_it_runs_a_fragment_alone():
    """ui.common.fragment_alone reads the run context's ``fragment_ids_this_run`` (empty in a whole run): the Train
    page's training area relies on it to ask for a whole run when it changed the address bar or the sidebar."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext

    fields = inspect.signature(ScriptRunContext).parameters
    assert "fragment_ids_this_run" in fields, (
        f"Streamlit {streamlit.__version__} no longer has ScriptRunContext.fragment_ids_this_run: "
        "re-check ui.common.fragment_alone and ui.train.training_area"
    )
