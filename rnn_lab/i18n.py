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


class MessageError(ValueError):
    """An error that is a catalogue message (``namespace.message_key`` + values), so a page can say it in the
    reader's language while ``str(err)`` (the CLI, logs, tests) stays the English text."""

    namespace = ""  # set by each area, e.g. "data.err"

    def __init__(self, message_key: str, **values):
        self.message_key = message_key
        self.values = values
        super().__init__(self.text("en"))

    def text(self, lang: str = "en") -> str:
        return t(f"{self.namespace}.{self.message_key}", lang, **self.values)

    def hint(self, lang: str = "en") -> str | None:
        key = f"{self.namespace}.{self.message_key}_hint"
        return t(key, lang, **self.values) if key in catalogue(lang) else None


def error_text(err: Exception, lang: str = "en") -> str:
    """The error in ``lang`` when it is a catalogue message, else its own (English) text."""
    return err.text(lang) if isinstance(err, MessageError) else str(err)
