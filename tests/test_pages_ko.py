"""Every page of the router in Korean (and in projection mode): no exception, no raw catalogue key on screen,
and no English sentence left in headings, labels or figure titles."""

from __future__ import annotations

import json
import re

import pytest
from google.protobuf.json_format import MessageToDict

from rnn_lab import i18n

NAMESPACE_RE = "|".join(sorted({k.split(".", 1)[0] for k in i18n.catalogue("en")}))
KEY_LIKE = re.compile(rf"^({NAMESPACE_RE})\.[a-z0-9_]+(\.[A-Za-z0-9_]+)*$")
# Proto fields that hold text a user reads (labels, headings, help, options, figure titles...).
TEXT_FIELDS = {
    "label",
    "body",
    "help",
    "placeholder",
    "options",
    "caption",
    "text",
    "title",
    "name",
    "value",
    "page_name",
    "default_text",
}
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _pages():
    import app

    return [path for entries in app.PAGES.values() for path, _, _ in entries]


def _plotly_texts(spec: str) -> list[str]:
    """Titles, axis titles, legend names and annotations of a Plotly figure (its JSON spec)."""
    fig = json.loads(spec)
    layout = fig.get("layout", {})
    out = []

    def title(obj):
        t = obj.get("title") if isinstance(obj, dict) else None
        return t.get("text") if isinstance(t, dict) else t

    for name, obj in layout.items():
        if name == "title" or name.startswith(("xaxis", "yaxis")) or name == "coloraxis":
            out.append(title({"title": obj}) if name == "title" else title(obj))
    out += [a.get("text") for a in layout.get("annotations", []) if isinstance(a, dict)]
    out += [tr.get("name") for tr in fig.get("data", []) if isinstance(tr, dict)]
    return [t for t in out if isinstance(t, str) and t.strip()]


def visible_texts(at) -> list[tuple[str, str]]:
    """(kind, text) of everything the page shows: element texts and labels, figure titles and legends."""
    out: list[tuple[str, str]] = []

    def walk(value, field=""):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, field)
        elif isinstance(value, str) and field in TEXT_FIELDS:
            out.append((field, value))

    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "DESCRIPTOR"):
            continue
        data = MessageToDict(proto, preserving_proto_field_name=True)
        spec = data.get("spec") if isinstance(data.get("spec"), str) else None
        if spec and spec.lstrip().startswith("{"):
            out += [("figure", text) for text in _plotly_texts(spec)]
            data = {k: v for k, v in data.items() if k != "spec"}
        walk(data)
    return out


def _figures(at) -> list[dict]:
    out = []
    for node in at._tree:
        spec = getattr(getattr(node, "proto", None), "spec", None)
        if isinstance(spec, str) and spec.lstrip().startswith("{"):
            out.append(json.loads(spec))
    return out


def raw_keys(texts) -> list[str]:
    keys = set(i18n.catalogue("en")) | set(i18n.catalogue("ko"))
    return sorted({text for _, text in texts if text.strip() in keys or KEY_LIKE.match(text.strip())})


def _untranslated(at) -> set[str]:
    """Headings, labels, help and figure texts that read as English prose (two or more English words, no Hangul)."""
    kinds = {"label", "body", "figure", "title", "caption", "help", "placeholder"}
    found = set()
    for kind, text in visible_texts(at):
        if kind not in kinds or "`" in text or "\n" in text.strip():
            continue  # code and long markdown (which may quote code) are checked by the catalogue tests
        words = re.findall(r"\b[a-z]{3,}\b", re.sub(r"<[^>]*>", " ", text))  # HTML tags are not words
        if len(words) >= 2 and not HANGUL.search(text):
            found.add(text)
    return found


@pytest.mark.parametrize("page", _pages())
def test_page_in_korean_and_projection_mode(app_test, page):
    """The page in Korean with projection mode on: no exception, only catalogue texts, the projection stylesheet.

    A heading, label or figure text that is the same English prose in the English and the Korean page is a
    hard-coded string (names, formulas and code are allowed: they are one word, or quoted).
    """
    ko = app_test(page=page, lang="ko", projection=True)
    assert not ko.exception, ko.exception
    assert ko.session_state["lang"] == "ko"
    texts = visible_texts(ko)
    assert raw_keys(texts) == []
    assert HANGUL.search(" ".join(text for _, text in texts)), "the page shows no Korean at all"
    css = [node.proto.body for node in ko._tree if type(node).__name__ == "Html"]
    assert any("font-size: 22px" in body for body in css)  # the projection stylesheet is injected

    for fig in _figures(ko):  # every figure went through style_figure(projection=True)
        assert fig["layout"]["font"]["size"] >= 20, page
        for trace in fig.get("data", []):
            if trace.get("type", "scatter") in ("scatter", "scattergl"):
                assert trace.get("line", {}).get("width", 0) >= 4, (page, trace.get("name"))
                size = trace.get("marker", {}).get("size")
                assert size is None or not isinstance(size, (int, float)) or size >= 11, (page, trace.get("name"))

    en = app_test(page=page, lang="en")
    assert not en.exception, en.exception
    assert raw_keys(visible_texts(en)) == []
    assert sorted(_untranslated(en) & _untranslated(ko)) == []


def _text_state(task: str) -> dict:
    """What choosing a text task and its source on the Data page applies (NSMC on a small subset)."""
    from rnn_lab.data.settings import source_defaults
    from rnn_lab.tasks import task_defaults

    text = "tiny-ko" if task == "next_token" else "nsmc"
    state = {**task_defaults(task), **source_defaults("text", text=text), "task": task, "data_source_kind": "text"}
    if task == "classify":
        state.update(data_text_limit=200, data_text_maxlen=20, arch_timesteps=20)
    return state


@pytest.mark.parametrize("task", ["next_token", "classify"])
@pytest.mark.parametrize("page", _pages())
def test_page_with_a_text_task_in_both_languages(app_test, page, task):
    """Every page with text data (the Korean tiny corpus, NSMC reviews): no exception, catalogue texts only, Korean
    on the Korean page, no English prose shared by both (the text pages are new; they must not fall back)."""
    state = _text_state(task)
    ko = app_test(page=page, lang="ko", **state)
    assert not ko.exception, ko.exception
    assert ko.session_state["task"] == task and ko.session_state["data_source_kind"] == "text"
    texts = visible_texts(ko)
    assert raw_keys(texts) == []
    assert HANGUL.search(" ".join(text for _, text in texts))
    en = app_test(page=page, lang="en", **state)
    assert not en.exception, en.exception
    assert raw_keys(visible_texts(en)) == []
    assert sorted(_untranslated(en) & _untranslated(ko)) == []
