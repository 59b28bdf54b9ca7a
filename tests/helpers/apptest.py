"""AppTest helpers several page tests share: waiting for a page's training, reading a Plotly trace, an upload."""

from __future__ import annotations

from helpers.paths import ROOT

FIXTURES = ROOT / "tests" / "fixtures"


def open_train_page(ws: str | None = None, lang: str = "en", **state):
    """A new session on the home page (with the workspace link ``?ws=`` when given), then the Train page."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    if ws:
        at.query_params["ws"] = ws
    at.run()
    at.switch_page("app_pages/train.py")
    at.run()
    assert not at.exception, at.exception
    return at


def wait_for_job(at):
    """The Train page's training job of AppTest ``at``, awaited (three minutes at most) and finished."""
    job = at.session_state["job_train"]
    job.join(timeout=180)
    assert not job.running
    return job


def plotly_values(data):
    """A Plotly trace's x or y: a list, or (Plotly 6) a base64 typed array."""
    if isinstance(data, dict) and "bdata" in data:
        import base64

        import numpy as np

        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]).tolist()
    return list(data)


def upload(at, name, data: bytes | None = None):
    """Upload ``tests/fixtures/<name>`` (or ``data`` under that name) on the Data page of AppTest ``at``."""
    if at.session_state["data_source_kind"] != "upload":
        at.radio(key="data_source_kind").set_value("upload").run()
    data = (FIXTURES / name).read_bytes() if data is None else data
    return at.file_uploader(key="upload_data").set_value((name, data, "text/csv")).run()


def next_token_state(text: str, tokens: str) -> dict:
    """What picking the next_token task and a corpus on the Data page applies, then a tiny model."""
    from rnn_lab.data.settings import source_defaults
    from rnn_lab.tasks import task_defaults

    state = task_defaults("next_token")
    state.update(source_defaults("text", text=text))
    return {
        **state,
        "task": "next_token",
        "data_text": text,
        "data_text_tokens": tokens,
        "train_epochs": 3,
        "train_lr": 0.02,
        "arch_units_1": 8,
        "arch_embedding_dim": 8,
    }
