"""The message catalogue: every string the app shows, in English and Korean.

Messages live in ``rnn_lab/locales/<lang>/<namespace>.toml`` (one folder per
language, one file per page or topic). A key is ``<namespace>.<name>``, e.g.
``arch.title`` from ``locales/en/arch.toml``; nested TOML tables add dotted parts.
Messages are ``str.format`` templates: ``t("arch.total", "ko", n=120)``. Every message is formatted, with
or without values, so a literal brace is always written ``{{`` / ``}}`` (e.g. LaTeX ``$h_{{t-1}}$``).
"""

from __future__ import annotations

import re
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
    text = catalogue(lang)[key].format(**values)
    return korean_particles(text) if lang == "ko" and "(" in text else text


# Korean particles after a name filled in at run time: the catalogue writes both forms ("{target}을(를)") and
# korean_particles picks one by the last syllable's final consonant (batchim): 을/은/이/과/으로 after a final
# consonant, 를/는/가/와/로 after a vowel; 로, not 으로, after ㄹ (서울로).
_PARTICLES = {  # written form -> (after a final consonant, after a vowel, after ㄹ)
    "을(를)": ("을", "를", "을"),
    "를(을)": ("을", "를", "을"),
    "은(는)": ("은", "는", "은"),
    "는(은)": ("은", "는", "은"),
    "이(가)": ("이", "가", "이"),
    "가(이)": ("이", "가", "이"),
    "과(와)": ("과", "와", "과"),
    "와(과)": ("과", "와", "과"),
    "(으)로": ("으로", "로", "로"),
    "(이)라는": ("이라는", "라는", "이라는"),
}
_PARTICLE_RE = re.compile("|".join(re.escape(p) for p in _PARTICLES))
_DIGIT_FINAL = {"0": "ㅇ", "1": "ㄹ", "2": "", "3": "ㅁ", "4": "", "5": "", "6": "ㄱ", "7": "ㄹ", "8": "ㄹ", "9": ""}
# a Latin word's last letter as it is read: a word ending in l/m/n/ng sounds like it has a final consonant
# (Model -> 모델을, LSTM -> 엘에스티엠을, GRU -> 지알유를, Close -> 클로즈를); r reads as ㄹ in a letter name
_LATIN_FINAL = {"l": "ㄹ", "r": "ㄹ", "m": "ㅁ", "n": "ㄴ", "g": "ㅇ"}
_SKIP = set("*_`'\"’” ")


def final_consonant(word: str) -> str | None:
    """The final consonant (jamo, e.g. "ㄴ") of how ``word`` ends when read aloud in Korean, "" for a vowel, None
    when it cannot tell. Markdown marks and quotes are skipped; a parenthesis at the end is read ("Close (종가)"
    ends in 가)."""
    i = len(word) - 1
    while i >= 0 and word[i] in _SKIP:
        i -= 1
    if i >= 0 and word[i] == ")":
        i -= 1
    if i < 0:
        return None
    ch = word[i]
    if "\uac00" <= ch <= "\ud7a3":  # a Hangul syllable: (code - 0xAC00) % 28 is its final consonant (0: none)
        final = (ord(ch) - 0xAC00) % 28
        return "" if final == 0 else "ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"[final - 1]
    if ch.isdigit():
        return _DIGIT_FINAL[ch]
    if ch.isascii() and ch.isalpha():
        return _LATIN_FINAL.get(ch.lower(), "")
    return None


def korean_particles(text: str) -> str:
    """Each "을(를)", "은(는)", "이(가)", "과(와)", "(으)로" after a word replaced by the one form that fits it; left
    as written when the word's sound cannot be told (e.g. after a symbol). A particle right after a closing
    ``**`` moves inside the bold: CommonMark does not close ``**Close (종가)**`` when a letter follows it."""

    def pick(m: re.Match) -> str:
        before = text[: m.start()]
        final = final_consonant(before)
        if final is None:
            return m.group(0)
        consonant, vowel, rieul = _PARTICLES[m.group(0)]
        return rieul if final == "ㄹ" else consonant if final else vowel

    out = _PARTICLE_RE.sub(pick, text)
    return re.sub(r"(\*\*[^*]+?)\*\*(으로|로|을|를|은|는|이|가|과|와|이라는|라는)", r"\1\2**", out)


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
