"""Where things are: the repository, the test artefacts (screenshots), the shared and the bundled data."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
SHARED_DATA = ROOT.parent / "shared" / "data"
ASSETS_DATA = ROOT / "assets" / "data"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
