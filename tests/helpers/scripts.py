"""Running a training script exported by rnn_lab.train.export in a directory of its own."""

from __future__ import annotations

import os
import subprocess
import sys


def run_exported_script(run, tmp_path) -> str:
    """Write ``run``'s script and data file to ``tmp_path``, run it with this Python, return what it printed."""
    from rnn_lab.train import export

    (tmp_path / "train_rnn_lab.py").write_text(export.script(run))
    (tmp_path / export.data_file(run)).write_bytes(export.data_bytes(run))
    return run_script(tmp_path).stdout


def run_script(folder):
    """Run ``folder/train_rnn_lab.py`` there with this Python; it must succeed. The finished process."""
    out = subprocess.run(
        [sys.executable, "train_rnn_lab.py"],
        capture_output=True,
        text=True,
        cwd=folder,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out


def train_cli(*args, cwd=None):
    """``python -m rnn_lab train ARGS`` in a fresh process (run from the repository unless ``cwd``)."""
    from helpers.paths import ROOT

    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "rnn_lab", "train", *args],
        capture_output=True,
        text=True,
        cwd=ROOT if cwd is None else cwd,
        env=env,
        timeout=300,
        check=False,
    )
