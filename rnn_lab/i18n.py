"""The message catalogue: every string the app shows, in English and Korean.

Messages live in ``rnn_lab/locales/<lang>/<namespace>.toml`` (one folder per
language, one file per page or topic). A key is ``<namespace>.<name>``, e.g.
``arch.title`` from ``locales/en/arch.toml``; nested TOML tables add dotted parts.
Messages are ``str.format`` templates: ``t("arch.total", "ko", n=120)``. Every message is formatted, with
or without values, so a literal brace is always written ``{{`` / ``}}`` (e.g. LaTeX ``$h_{{t-1}}$``).
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "ko")
LANGUAGE_NAMES = {"en": "English", "ko": "한국어"}
LOCALES_DIR = Path(__file__).parent / "locales"


def _flatten(prefix: str, table: dict, out: dict[str, str]) -> None:
    for name, value in table.items():
        key = f"{prefix}.{name}"
        if isinstance(value, dict):
            _flatten(key, value, out)
        else:
            out[key] = str(value)


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All messages of one language, keyed ``namespace.name``."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    out: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / lang).glob("*.toml")):
        with path.open("rb") as fh:
            _flatten(path.stem, tomllib.load(fh), out)
    return out


def t(key: str, lang: str = "en", **values) -> str:
    """The message ``key`` in ``lang`` with ``values`` filled in.

    A key missing from the catalogue raises KeyError: the catalogue test makes sure
    no page can show a raw key.
    """
    return catalogue(lang)[key].format(**values)


def reload() -> None:
    """Forget cached catalogues (after editing a .toml file while the app runs)."""
    catalogue.cache_clear()
