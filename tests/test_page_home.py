"""Router and home page: they render in both languages and never import TensorFlow."""

import subprocess
import sys

import pytest
from helpers import ROOT


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_home_renders(app_test, lang):
    at = app_test(lang=lang)
    assert not at.exception
    assert at.title[0].value  # the app title, from the catalogue


def test_home_does_not_import_tensorflow():
    code = (
        "import sys; from streamlit.testing.v1 import AppTest;"
        f"at = AppTest.from_file({str(ROOT / 'app.py')!r}, default_timeout=60); at.run();"
        "assert not at.exception, at.exception;"
        "print('tensorflow' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "False"
