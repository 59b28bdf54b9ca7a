"""Every message rendered with sample values reads as finished text: no arithmetic left for the reader
("0 ~ {n} - 1" showed "0 ~ 10 - 1"), no placeholder that is an expression, no stray braces or raw LaTeX
subscripts (``h_{t-1}``) outside math (``$...$``) and code (`` `...` ``)."""

from __future__ import annotations

import re
import string

import pytest

from rnn_lab import i18n

SAMPLE_INT = 10  # what a count or an index looks like (10 - 1 is exactly the bug this file catches)
SAMPLE_FLOAT = 0.25


def _fields(template: str) -> list[tuple[str, str]]:
    return [(name, spec or "") for _, name, spec, _ in string.Formatter().parse(template) if name is not None]


def render(template: str) -> str:
    """The message as a page would show it, every placeholder filled with a sample number."""
    values = {}
    for name, spec in _fields(template):
        values[name] = SAMPLE_FLOAT if re.search(r"[eEfFgG%]$|\.\d", spec) else SAMPLE_INT
    return template.format(**values)


def _prose(text: str) -> str:
    """Text outside math and code spans (where braces and subscripts are meant)."""
    text = re.sub(r"\$[^$]+\$", " ", text)
    return re.sub(r"`[^`]*`", " ", text)


def problems(template: str) -> list[str]:
    """What is wrong with one message (empty when it reads as finished text)."""
    found = []
    try:
        fields = _fields(template)
    except ValueError as err:
        return [f"unbalanced braces ({err})"]
    found += [f"placeholder {{{name}}} is an expression" for name, _ in fields if not name.isidentifier()]
    if found:
        return found
    text = _prose(render(template))
    # "10 - 1" with nothing after it: arithmetic left for the reader ("10 + 1 = 11" explains a sum: fine).
    # "x" and "×" between numbers are shapes ("10 x 10") unless part of a sum ("10 x 10 + 10 = 110"); "3 / 5"
    # reads "3 of 5".
    term = r"\d+(?:\.\d+)?(?: [x×·] \d+(?:\.\d+)?)*"
    for match in re.finditer(rf"{term}(?: [-+*] {term})+", text):
        if not re.match(r"[\s)\]*]*=", text[match.end() :]):
            found.append(f"unevaluated arithmetic {match.group()!r}")
    if re.search(r"[{}]", text):
        found.append("a brace outside math and code")
    if re.search(r"[A-Za-z]_\{|\\[A-Za-z]+\b", text):
        found.append("raw LaTeX outside $...$")
    return found


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_message_renders_as_finished_text(lang):
    bad = {key: problems(template) for key, template in i18n.catalogue(lang).items()}
    assert {key: p for key, p in bad.items() if p} == {}


@pytest.mark.parametrize(
    "template",
    [
        "Window number (0 ~ {n} - 1)",  # the bug of issue 9 item 6
        "Window number (0 to {n - 1})",  # an expression as a placeholder (str.format cannot evaluate it)
        "multiplies h_{t-1}",  # raw LaTeX, read by str.format as a placeholder named "t-1"
        "h_{{t-1}} per unit at t = {t}",  # escaped braces, still raw LaTeX on the page
        "the gradient \\partial y",  # a LaTeX command outside math
        "value {x",  # unbalanced
    ],
)
def test_the_checks_catch_each_kind_of_mistake(template):
    assert problems(template)


@pytest.mark.parametrize(
    "template",
    [
        "Window number (0 to {last})",
        "10 x 10 + 10 x 1 + 10 = **120 parameters**",
        "4 x (32 x 32 + 32 x 1 + 32) = 4,352 parameters, kernel (10 x 10), step t = {t} / {T}",
        "multiplies $h_{{t-1}}$ and `x_{t}`",
        "h<sub>t-1</sub> per unit at t = {t}",
        "loss {loss:.3f}, {n} windows of {window} steps, {share:.0%}",
        "dates 2014-08-04 to 2019-08-02",
    ],
)
def test_finished_text_passes(template):
    assert problems(template) == []
