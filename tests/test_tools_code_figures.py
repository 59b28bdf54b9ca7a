"""tools/code_figures.py: the redesign's figures (issue 23) are read from the syntax tree, so check the reader."""

from __future__ import annotations

import ast
import importlib.util

from helpers import ROOT

spec = importlib.util.spec_from_file_location("code_figures", ROOT / "tools" / "code_figures.py")
code_figures = importlib.util.module_from_spec(spec)
spec.loader.exec_module(code_figures)


def test_task_name_comparisons_and_defaults_are_found():
    tree = ast.parse(
        'if task == "classify": pass\n'
        'ok = kind in ("forecast", "x")\n'
        'no = name == "classifier"\n'  # not a task name
        't = getattr(run, "task", "forecast")\n'
        'u = values.get("task", "next_token")\n'
    )
    assert code_figures.task_comparisons(tree) == [1, 2]
    assert code_figures.task_defaults(tree) == [4, 5]


def test_cycles_are_strongly_connected_groups():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a", "e"}, "e": {"d"}, "f": set()}
    assert code_figures._cycles(graph) == [["a", "b", "c"], ["d", "e"]]
    assert code_figures._cycles({"a": {"b"}, "b": set()}) == []


def test_the_project_has_no_import_cycles():
    out = code_figures.figures()
    assert out["import_cycles"] == 0, out["cycle_groups"]
    assert out["largest_files"]  # the reader sees the code (it finds comparisons: the first test)


def test_no_task_name_is_compared_outside_the_task_package():
    """Issue 23's target: the library, the CLI and the pages ask the task object (rnn_lab.tasks), at most 5 sites
    compare a task's name."""
    out = code_figures.figures()
    assert out["task_name_comparisons"] <= 5, out["task_name_comparison_sites"]
