"""The message catalogue: English and Korean have the same keys and placeholders, nothing is empty,
every literal key the code asks for exists, and Korean keeps the Keras name beside a technical term."""

from __future__ import annotations

import re
import string
import tomllib

import pytest
from helpers import ROOT

from rnn_lab import i18n

NAMESPACES = sorted({p.stem for lang in i18n.LANGUAGES for p in (i18n.LOCALES_DIR / lang).glob("*.toml")})


def _flat(lang: str, namespace: str) -> dict[str, str]:
    path = i18n.LOCALES_DIR / lang / f"{namespace}.toml"
    if not path.exists():
        return {}
    out: dict[str, str] = {}
    i18n._flatten(namespace, tomllib.loads(path.read_text(encoding="utf-8")), out)
    return out


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_area_has_a_catalogue():
    assert {"common", "classroom"} <= set(NAMESPACES)


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_same_files_and_keys_in_both_languages(namespace):
    en, ko = _flat("en", namespace), _flat("ko", namespace)
    assert en, f"locales/en/{namespace}.toml is missing or empty"
    assert ko, f"locales/ko/{namespace}.toml is missing or empty"
    assert sorted(set(en) - set(ko)) == [], "keys only in English"
    assert sorted(set(ko) - set(en)) == [], "keys only in Korean"


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_same_placeholders_and_no_empty_values(namespace):
    en, ko = _flat("en", namespace), _flat("ko", namespace)
    for key in set(en) & set(ko):
        assert en[key].strip(), f"{key} is empty in English"
        assert ko[key].strip(), f"{key} is empty in Korean"
        try:
            en_fields, ko_fields = _fields(en[key]), _fields(ko[key])
        except ValueError as err:  # an unbalanced { or } would crash t(..., **values) at run time
            pytest.fail(f"{key}: bad template ({err})")
        assert en_fields == ko_fields, f"{key}: placeholders differ: en {sorted(en_fields)} ko {sorted(ko_fields)}"


def _prose_words(text: str) -> list[str]:
    """English words outside placeholders and `code` (a sentence has several; a Keras name has one)."""
    text = re.sub(r"`[^`]*`|\{[^}]*\}", " ", text)
    return re.findall(r"\b[a-z]{3,}\b", text)


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_korean_is_korean(namespace):
    """A Korean message that is a copy of the English one is a missed translation (names and codes aside)."""
    en, ko = _flat("en", namespace), _flat("ko", namespace)
    copied = [key for key in set(en) & set(ko) if en[key] == ko[key] and len(_prose_words(en[key])) >= 3]
    assert sorted(copied) == []


# Korean technical terms and the Keras / English name students meet in code.
TERMS = {
    "은닉 상태": "hidden state",
    "셀 상태": "cell state",
    "기울기 소실": "vanishing gradient",
    "에포크": "epoch",
    "양방향": "bidirectional",
    "드롭아웃": "dropout",
    "손실": "loss",
    "순환 커널": "recurrent",
    "망각 게이트": "forget",
    "조기 종료": "early",
}


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_korean_terms_keep_their_keras_name(namespace):
    """Where a Korean catalogue uses a technical term, the Keras name stands beside it at least once."""
    ko_text = "\n".join(_flat("ko", namespace).values())
    missing = [f"{term} ({name})" for term, name in TERMS.items() if term in ko_text and name not in ko_text.lower()]
    assert missing == []


LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z_]+\.[A-Za-z0-9_.]+)["']""")


def test_every_literal_key_in_the_code_exists():
    """``t("ns.key")`` in any page, ui or library module names a key of both catalogues (dynamic keys aside)."""
    files = [
        ROOT / "app.py",
        *(ROOT / "app_pages").glob("*.py"),
        *(ROOT / "ui").glob("*.py"),
        *(ROOT / "rnn_lab").rglob("*.py"),
    ]
    files.remove(ROOT / "rnn_lab" / "i18n.py")  # its docstring shows an example key
    known = {lang: i18n.catalogue(lang) for lang in i18n.LANGUAGES}
    missing = []
    for path in files:
        for key in LITERAL_KEY.findall(path.read_text(encoding="utf-8")):
            if key.split(".", 1)[0] in NAMESPACES and any(key not in cat for cat in known.values()):
                missing.append(f"{path.relative_to(ROOT)}: {key}")
    assert missing == []


def test_t_formats_and_refuses_unknown_keys():
    assert i18n.t("classroom.panel.step_of", "ko", step=2, n=5) == "5단계 중 2단계"
    assert i18n.t("classroom.panel.step_of", "en", step=2, n=5) == "Step 2 of 5"
    with pytest.raises(KeyError):
        i18n.t("classroom.no_such_key", "en")


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_korean_says_hakseup_for_training(namespace):
    """One Korean word for "training": 학습 (as the Train button, 학습률 and Korean Keras tutorials), never 훈련."""
    mixed = {key: text for key, text in _flat("ko", namespace).items() if "훈련" in text}
    assert mixed == {}, "use 학습 (학습 데이터, 학습 구간), not 훈련"
