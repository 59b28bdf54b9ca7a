"""Issue 12, deploying: what can be tested here without a Docker engine (this machine has only the client).

The Dockerfile installs the pinned requirements and copies what the app needs; its settings are ones the code
reads; its command, run here with its environment, serves the app and its health check passes; the scheduler
backend is one configuration setting."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
import urllib.request

import pytest
from helpers import ROOT, _free_port

DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def _env() -> dict[str, str]:
    env = {}
    for word, rest in _instructions():
        if word == "ENV":
            for pair in shlex.split(rest):
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def _json_command(word: str) -> list[str]:
    rest = next(rest for w, rest in _instructions() if w == word)
    if word == "HEALTHCHECK":
        rest = rest[rest.index("CMD") + 3 :].strip()
    return json.loads(rest)


def test_the_image_installs_the_pinned_requirements_and_copies_what_the_app_needs():
    runs = [rest for word, rest in _instructions() if word == "RUN"]
    assert any("-r requirements.txt -c constraints.txt" in r for r in runs)  # the same pins as `make run`
    copied = {rest.split()[0] for word, rest in _instructions() if word == "COPY"}
    needed = {"app.py", "app_pages", "ui", "rnn_lab", "assets", ".streamlit", "requirements.txt"}
    assert needed <= copied | {"requirements.txt"} and "constraints.txt" in DOCKERFILE
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".venv" in ignored and ".git" in ignored
    assert "!assets/**" in ignored  # the page icon (a .png) ships


def test_every_rnn_lab_setting_of_the_image_is_read_by_the_code():
    code = "\n".join(p.read_text() for d in ("rnn_lab", "ui") for p in (ROOT / d).rglob("*.py"))
    for key in _env():
        if key.startswith("RNN_LAB_"):
            assert key in code, f"{key} is set in the Dockerfile but nothing reads it"


def test_the_image_command_serves_the_app_and_its_health_check_passes():
    port = _free_port()
    command = [sys.executable if c == "python" else c for c in _json_command("CMD")]
    command[command.index("--server.port") + 1] = str(port)
    command[command.index("--server.address") + 1] = "127.0.0.1"
    env = dict(os.environ, **_env())
    env["KERAS_HOME"] = str(ROOT / ".venv" / "keras-home")  # the image's /tmp paths, kept inside the checkout
    env.pop("MPLCONFIGDIR", None)
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        health = [sys.executable if c == "python" else c for c in _json_command("HEALTHCHECK")]
        health = [c.replace("8501", str(port)) for c in health]
        deadline = time.time() + 60
        while time.time() < deadline:
            if subprocess.run(health, capture_output=True, check=False).returncode == 0:
                break
            time.sleep(0.5)
        else:
            pytest.fail("the image's command did not become healthy within 60 s")
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=15)


class _OtherBackend:
    """A stand-in for a Celery/Ray backend: the same four methods."""

    def submit(self, session_id, work, label="", cost=None): ...

    def cancel(self, ticket): ...

    def cancel_session(self, session_id): ...

    def status(self): ...


def make_other_backend():
    return _OtherBackend()


def test_the_scheduler_backend_is_one_setting(monkeypatch):
    from rnn_lab.train import scheduler as S

    monkeypatch.setenv("RNN_LAB_SCHEDULER", "test_deploy:make_other_backend")
    assert isinstance(S.scheduler_from_env(), _OtherBackend)
    monkeypatch.setenv("RNN_LAB_SCHEDULER", "local")
    assert isinstance(S.scheduler_from_env(), S.LocalScheduler)
    monkeypatch.setenv("RNN_LAB_SCHEDULER", "nonsense")
    with pytest.raises(ValueError, match="package.module:factory"):
        S.scheduler_from_env()
    monkeypatch.setenv("RNN_LAB_SCHEDULER", "test_deploy:_instructions")
    with pytest.raises(TypeError, match="lacks submit"):
        S.scheduler_from_env()
