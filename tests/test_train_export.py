"""Issue 27: exports that stand alone. The script carries its data and trained weights and prints the Train page's
numbers; a Dense run exports what was trained; any run exports as a notebook that reproduces its numbers.

The script and the notebook score the app's trained weights exactly as the page does (the same batched model call,
the same float64 metrics): those numbers must match to rounding (rel 1e-9). They also train a fresh model with Keras
``fit`` from the same seeded initial weights in the same batch order; that model is not bit-for-bit the app's engine
(another graph, fused ops), so its scores are compared with a tolerance of 2 %.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
from helpers import run_script

from rnn_lab.arch.config import ArchConfig
from rnn_lab.data.clean import clean
from rnn_lab.data.prepare import prepare
from rnn_lab.data.toys import make_toy
from rnn_lab.train import export
from rnn_lab.train.engine import TrainConfig
from rnn_lab.train.runs import execute

EXACT = 1e-9
FIT = 0.02


def gap_run():
    """A tiny forecast whose test period has a filled gap (rows 175-184 missing, forward-filled)."""
    frame = make_toy("noisy_sine", length=200)
    frame.iloc[175:185, 0] = np.nan
    cleaned, report = clean(frame, ["value"], "ffill", "leave", fit_rows=140)
    p = prepare(
        cleaned,
        "value",
        window=12,
        val_frac=0.15,
        test_frac=0.15,
        scaling="minmax",
        source="toy:gap",
        filled=report.filled,
    )
    return execute(p, ArchConfig(cell="GRU", units=(6,)), TrainConfig(epochs=4, batch_size=16, seed=2))


def printed(out: str, label: str) -> dict:
    return json.loads(out.split(label)[1].splitlines()[0])


def close(a: dict, b: dict, rel: float) -> None:
    """Every number of ``a`` equals the one of ``b`` within ``rel``; strings and counts exactly."""
    for key, value in b.items():
        if isinstance(value, dict):
            close(a[key], value, rel)
        elif isinstance(value, float):
            assert a[key] == pytest.approx(value, rel=rel), key
        else:
            assert a[key] == value, key


@pytest.fixture(scope="module")
def run(keras):
    return gap_run()


def test_the_script_alone_brings_its_data_and_prints_the_pages_numbers(run, tmp_path):
    assert run.metrics["left_out"] == 10  # the filled labels are not scored ...
    (tmp_path / "train_rnn_lab.py").write_text(export.script(run))  # nothing else in the folder
    out = run_script(tmp_path)
    page = export.app_scores(run)
    assert page["mape_note"] == "crosses_zero" and page["model"]["mape"] is None  # a sine: no MAPE, here as there
    assert page["model"]["rmse"] == run.metrics["model"]["rmse"] and page["skill"] == run.metrics["skill"]
    close(printed(out.stdout, "the app's trained model:"), page, EXACT)  # ... nor by the script
    close(printed(out.stdout, "this script's training:"), page, FIT)
    assert printed(out.stdout, "final losses:")["loss"] == pytest.approx(run.final_loss, rel=FIT)


def test_a_large_data_set_stays_out_and_the_script_says_what_it_needs(run, monkeypatch):
    monkeypatch.setattr(export, "EMBED_LIMIT", 100)
    text = export.script(run)
    assert "DATA_CSV = None" in text and "WEIGHTS = None" in text
    assert f"It needs {export.DATA_FILE} beside it" in text
    monkeypatch.undo()
    assert "Its data are inside this file" in export.script(run)
    compile(export.script(run), "train_rnn_lab.py", "exec")  # embedded data and weights are valid Python


def test_a_dense_run_exports_what_was_trained(keras):
    from helpers import counting

    dense = execute(counting(), ArchConfig(family="dense", cell="LSTM", units=(32,)), TrainConfig(epochs=1))
    arch = export.config(dense)["arch"]
    assert arch["family"] == "dense" and arch["cell"] is None and arch["units"] == []


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory):
    """Run exported notebooks as Jupyter does (nbclient) on one kernel for the module: this venv's Python, its spec
    found through JUPYTER_PATH (offline, nothing installed globally). Before each notebook the kernel's namespace is
    wiped (``%reset -f``) and its directory changed to a fresh one, so a notebook still has to import and define
    everything it uses; only the kernel's start and TensorFlow's import (~10 s) are paid once."""
    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    root = tmp_path_factory.mktemp("notebooks")
    spec = root / "jupyter" / "kernels" / "rnnlab-test"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "rnn-lab test", "language": "python"}))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(root / "jupyter"))
        mp.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
        km = KernelManager(kernel_name="rnnlab-test")
        km.start_kernel(cwd=str(root))
    count = iter(range(1, 100))

    def run(nb_bytes: bytes) -> str:
        where = root / f"nb{next(count)}"
        where.mkdir()
        clean = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"%cd -q {where}\n%reset -f")])
        nb = nbformat.reads(nb_bytes.decode(), as_version=4)
        nbformat.validate(nb)
        for book, timeout in ((clean, 60), (nb, 300)):
            client = NotebookClient(book, km=km, timeout=timeout)
            try:
                client.execute()
            finally:
                if client.kc is not None:
                    client.kc.stop_channels()
        # a cell's stdout may arrive in several chunks (a print's label and its value apart, TensorFlow's stderr
        # between): the stdout chunks joined as written
        return "\n".join(
            "".join(o.get("text", "") for o in c.get("outputs", []) if o.output_type == "stream" and o.name == "stdout")
            for c in nb.cells
            if c.cell_type == "code"
        )

    try:
        yield run
    finally:
        km.shutdown_kernel(now=True)


def test_the_forecast_notebook_reproduces_the_runs_numbers(run, notebooks):
    nb = export.notebook(run, "ko")
    assert "RNN Lab 실행" in nb.decode()  # headings in the page's language
    out = notebooks(nb)
    page = export.app_scores(run)
    close(printed(out, "the app's trained model:"), page, EXACT)
    close(printed(out, "this script's training:"), page, FIT)


def test_a_language_model_notebook_reproduces_accuracy_and_perplexity(keras, notebooks):
    from rnn_lab.data.text import prepare_text_from_values

    p = prepare_text_from_values(
        {"data_text": "tiny-en", "data_text_maxlen": 12, "data_text_padding": "post", "task": "next_token"}
    )
    arch = ArchConfig(cell="LSTM", units=(8,), embedding_vocab=p.vocab_size, embedding_dim=4)
    lm = execute(
        p, arch, TrainConfig(epochs=2, batch_size=16, learning_rate=0.01, loss="sparse_categorical_crossentropy")
    )
    out = notebooks(export.notebook(lm))
    page = export.app_scores(lm)
    assert set(page["model"]) == {"accuracy", "perplexity"} and page["baseline"]["perplexity"] > 1
    close(printed(out, "the app's trained model:"), page, EXACT)
    assert "generated (temperature 0):" in out
