"""The one error type of the data area: a catalogue key plus values, so pages and the CLI say the same thing."""

from __future__ import annotations

from rnn_lab import i18n


class DataError(i18n.MessageError):
    """Bad input or impossible settings. ``message_key`` lives in ``locales/<lang>/data.toml`` under ``err``."""

    namespace = "data.err"  # where ``message_key`` and its ``_hint`` live in the catalogue


class TextDataError(DataError):
    """A DataError of the Data page's text view, its messages in ``locales/<lang>/text_data.toml`` under ``err``
    (their own file, so the text work does not edit the shared data catalogue)."""

    namespace = "text_data.err"


class Note:
    """One thing the reader decided or found (a catalogue key + values), shown to the user and in the CLI."""

    __slots__ = ("key", "values")

    def __init__(self, key: str, **values):
        self.key = key
        self.values = values

    def text(self, lang: str = "en") -> str:
        """The note in ``lang``; a value written ``"@freq.daily"`` is itself the catalogue key ``data.freq.daily``."""
        values = {
            k: i18n.t(f"data.{v[1:]}", lang) if isinstance(v, str) and v.startswith("@") else v
            for k, v in self.values.items()
        }
        return i18n.t(f"data.note.{self.key}", lang, **values)

    def plain(self) -> dict:
        """Values as plain data (for JSON): ``"@freq.daily"`` becomes ``"daily"``."""
        return {
            k: v.rsplit(".", 1)[-1] if isinstance(v, str) and v.startswith("@") else v for k, v in self.values.items()
        }

    def __repr__(self) -> str:
        return f"Note({self.key!r}, {self.values!r})"
