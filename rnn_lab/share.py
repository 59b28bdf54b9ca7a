"""Shareable links: the whole experiment lives in the URL's query string (TensorFlow Playground style).

Every setting of the registry (:func:`rnn_lab.settings.all_settings`) whose value differs from its
default becomes one query parameter named like the setting; the page is the URL path that
``st.navigation`` gives it. A link only ever *suggests* values: :func:`decode` validates each one
with its :class:`~rnn_lab.settings.Setting`, so a link from an older version (a missing parameter)
falls back to the default, an unknown parameter is ignored, and a garbage value falls back to the
default with a :class:`Notice` the page shows. Pure Python: no Streamlit, no TensorFlow.
"""

from __future__ import annotations

import functools
import io
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from rnn_lab import lessons
from rnn_lab.data.settings import source_defaults
from rnn_lab.i18n import LANGUAGES
from rnn_lab.settings import Setting, all_settings

MAX_SHOWN = 40  # characters of a bad value quoted back in a notice
PUBLIC_URL_ENV = "RNN_LAB_PUBLIC_URL"  # the address students reach the server at (docs/deploy.md)
# Settings a class hand-out never carries: the teacher's large print, and runs that live only in the teacher's
# session (a student opening the link has no run of that name; the Inside page then shows the untrained model).
PERSONAL = ("projection", "inside_run", "inside_source")


@dataclass(frozen=True)
class Notice:
    """A link parameter that could not be used; the app used ``default`` instead."""

    key: str  # the parameter (== setting key)
    value: str  # what the link said (shortened to MAX_SHOWN characters)
    default: str  # the value used instead, as it travels in a URL
    allowed: str  # what the parameter accepts, e.g. "SimpleRNN, LSTM, GRU" or "1 ... 4"


def allowed_text(setting: Setting) -> str:
    """A short, language-neutral description of the values ``setting`` accepts."""
    if setting.choices is not None:
        return ", ".join(setting.to_text(c) or '""' for c in setting.choices)
    if setting.kind is bool:
        return "0, 1"
    if setting.min is not None or setting.max is not None:
        low = "" if setting.min is None else setting.to_text(setting.min)
        high = "" if setting.max is None else setting.to_text(setting.max)
        return f"{low} ... {high}".strip()
    return "int" if setting.kind is int else "float" if setting.kind is float else "text"


def _last(value: Any) -> str:
    """A query value may be repeated (``?a=1&a=2``); like ``st.query_params`` the last one wins."""
    if isinstance(value, (list, tuple)):
        return str(value[-1]) if value else ""
    return str(value)


def _same(setting: Setting, a: Any, b: Any) -> bool:
    return setting.to_text(a) == setting.to_text(b)


SOURCE_KEYS = ("data_source_kind", "data_toy", "data_bundled", "data_text")  # what picks a data source


def implied(values: Mapping[str, Any], settings: Mapping[str, Setting] | None = None) -> dict[str, Any]:
    """The settings a data source brings when it is picked on the Data page (``source_defaults``: Samsung's
    ``Close`` target, window 20, 70/15/15 and MinMax), for the source named in ``values`` (query texts or values;
    a missing or bad one counts as its default). {} for the default source, the counting toy, and for an upload."""
    settings = all_settings() if settings is None else settings
    picked = {}
    for key in SOURCE_KEYS:
        if key not in settings:
            return {}
        try:
            raw = values.get(key, settings[key].default)
            picked[key] = settings[key].from_text(_last(raw)) if isinstance(raw, (str, list, tuple)) else raw
            picked[key] = settings[key].validate(picked[key])
        except (ValueError, TypeError, OverflowError):
            picked[key] = settings[key].default
    if all(_same(settings[k], picked[k], settings[k].default) for k in ("data_source_kind", "data_toy")):
        return {}
    kind, toy, bundled, text = (picked[k] for k in SOURCE_KEYS)
    if kind == "upload":  # a file's defaults come when the file is read (the Data page asks for it)
        return {}
    defaults = source_defaults(kind, toy, bundled, text=text)
    return {k: v for k, v in defaults.items() if k in settings and k not in SOURCE_KEYS}


def encode(values: Mapping[str, Any], settings: Mapping[str, Setting] | None = None) -> dict[str, str]:
    """The query parameters of an experiment: each setting in ``values`` that differs from its default.

    Keys that are not settings (buttons, uploads, private state) never travel. A value its setting
    rejects is left out, so the link falls back to the default rather than carrying garbage.
    The order follows the registry, so the same experiment always gives the same link.
    A link that names a data source stands for that source's own defaults too (:func:`implied`, put back by
    :func:`expand`), so a setting of the experiment that differs from them travels even when it is the registry's
    default (Samsung without scaling: ``data_scaling=none``).
    """
    settings = all_settings() if settings is None else settings
    brought = implied(values, settings)
    out: dict[str, str] = {}
    for key, setting in settings.items():
        if key not in values and key not in brought:
            continue
        try:
            value = setting.validate(values[key]) if key in values else setting.default
        except ValueError:
            continue
        if not _same(setting, value, setting.default) or (key in brought and not _same(setting, value, brought[key])):
            out[key] = setting.to_text(value)
    return out


def decode(
    query_params: Mapping[str, Any], settings: Mapping[str, Setting] | None = None
) -> tuple[dict[str, Any], list[Notice]]:
    """Every setting's value from a link: ``(values, notices)``.

    ``values`` holds every setting (missing parameter -> default). A parameter whose value the
    setting rejects also gets the default, plus a :class:`Notice` saying what was wrong.
    Parameters that are not settings are ignored. Never raises for any input.
    """
    settings = all_settings() if settings is None else settings
    values = {key: s.default for key, s in settings.items()}
    notices: list[Notice] = []
    for key, raw in query_params.items():
        setting = settings.get(key)
        if setting is None:
            continue
        text = _last(raw)
        try:
            values[key] = setting.from_text(text)
        except (ValueError, TypeError, OverflowError):
            shown = text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."
            notices.append(Notice(key, shown, setting.to_text(setting.default), allowed_text(setting)))
    return values, notices


def valid_keys(
    query_params: Mapping[str, Any], notices: Iterable[Notice], settings: Mapping[str, Setting]
) -> list[str]:
    """The settings a link actually set (present, known and valid), in link order."""
    bad = {n.key for n in notices}
    return [key for key in query_params if key in settings and key not in bad]


def build_link(page_url: str, params: Mapping[str, str]) -> str:
    """The full link: the page's URL (no query) followed by the encoded parameters."""
    base = page_url.split("?", 1)[0].split("#", 1)[0]
    return base + ("?" + urlencode(params) if params else "")


def parse_link(link: str) -> tuple[str, dict[str, str]]:
    """``(url path without the leading slash, query parameters)`` of a link (the inverse of build_link)."""
    parts = urlsplit(link)
    return parts.path.strip("/"), dict(parse_qsl(parts.query, keep_blank_values=True))


def preferred_language(locale: str | None, accept_language: str | None = None) -> str:
    """The app language a browser asks for: its ``navigator.language``, else its Accept-Language header.

    ``"ko-KR"`` -> ``"ko"``. The header's languages are tried by decreasing ``q`` weight
    (``"ja,ko;q=0.9,en;q=0.8"`` -> ``"ko"``); nothing we speak -> English.
    """
    if locale:
        primary = locale.strip().split("-")[0].split("_")[0].lower()
        if primary in LANGUAGES:
            return primary
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, number = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    q = float(number)
                except ValueError:
                    q = 0.0
        primary = tag.strip().split("-")[0].lower()
        if primary and q > 0:
            weighted.append((-q, index, primary))
    for _, _, primary in sorted(weighted):
        if primary in LANGUAGES:
            return primary
    return "en"


# ---- the class hand-out: a short link (and its QR code) on the server's public address


def public_url(environ: Mapping[str, str] | None = None) -> str:
    """``RNN_LAB_PUBLIC_URL`` without a trailing slash ("" when unset): e.g. ``https://rnnlab.school.kr``."""
    value = (os.environ if environ is None else environ).get(PUBLIC_URL_ENV, "").strip()
    return value.rstrip("/")


def lesson_base(values: Mapping[str, Any], settings: Mapping[str, Setting]) -> dict[str, str]:
    """The query parameters a lesson step stands for (its settings on top of the defaults), or {} without one."""
    lesson = lessons.LESSONS.get(str(values.get("lesson", "")))
    if lesson is None:
        return {}
    return encode(lessons.start_values(lesson, values.get("lesson_step", 0), {}, settings), settings)


def handout_params(values: Mapping[str, Any], settings: Mapping[str, Setting] | None = None) -> dict[str, str]:
    """The short form of the experiment's link, for a class: only what differs from the defaults, without the
    teacher's personal settings (:data:`PERSONAL`); in a lesson, only what differs from the lesson's step
    (``lesson`` and ``lesson_step`` stand for the rest, :func:`expand` puts it back)."""
    settings = all_settings() if settings is None else settings
    params = {k: v for k, v in encode(values, settings).items() if k not in PERSONAL}
    base = {k: v for k, v in lesson_base(values, settings).items() if k not in PERSONAL}
    if not base:
        return params
    keep = {"lesson", "lesson_step"}
    short = {k: v for k, v in params.items() if k in keep or base.get(k) != v}
    for key in base:  # a lesson setting the user put back to its default: say so explicitly
        if key not in params and key not in keep:
            short[key] = settings[key].to_text(settings[key].default)
    return {k: short[k] for k in settings if k in short}


def expand(query_params: Mapping[str, Any], settings: Mapping[str, Setting] | None = None) -> dict[str, Any]:
    """A link's parameters with its lesson step's settings filled in (the inverse of :func:`handout_params`).

    A link that names a data source gets that source's defaults (:func:`implied`: ``?data_source_kind=bundled``
    is Samsung with its ``Close`` target, window 20 and MinMax, as picking it on the Data page gives).
    A link without a (valid) lesson or source comes back unchanged; the link's own parameters always win."""
    settings = all_settings() if settings is None else settings
    lesson_id = _last(query_params.get("lesson", ""))
    if lesson_id not in lessons.LESSONS:
        brought = {k: settings[k].to_text(v) for k, v in implied(query_params, settings).items()}
        return {**brought, **dict(query_params)}
    try:
        step = settings["lesson_step"].from_text(_last(query_params.get("lesson_step", "0")))
    except (ValueError, TypeError, OverflowError):
        step = 0
    base = {k: v for k, v in lesson_base({"lesson": lesson_id, "lesson_step": step}, settings).items()}
    return {**{k: v for k, v in base.items() if k not in PERSONAL}, **dict(query_params)}


def handout_link(page_path: str, values: Mapping[str, Any], fallback_url: str = "") -> str:
    """The hand-out link of ``page_path`` (e.g. ``"train"``; "" = home) on the public address, else on
    ``fallback_url`` (the address this browser used)."""
    root = public_url()
    if root:
        url = f"{root}/{page_path}" if page_path else root + "/"
    else:
        url = fallback_url
    return build_link(url, handout_params(values))


def is_local(link: str) -> bool:
    """True when a link points at this machine only (students' devices cannot open it)."""
    host = (urlsplit(link).hostname or "").lower()
    return host in ("", "localhost", "0.0.0.0", "::1") or host.startswith("127.")


QR_CACHE = 256  # QR codes kept (each a few hundred bytes): a class's links, drawn again on every rerun


@functools.lru_cache(maxsize=QR_CACHE)
def qr_png(link: str, scale: int = 8) -> bytes:
    """A QR code of ``link`` as PNG bytes (segno, pure Python, offline); error correction M survives a projector.

    Kept per (link, scale): the Share box draws the page's QR code on every rerun of every page, and encoding it
    costs ~4-7 ms of CPU under the GIL (9 % of the server's GIL time in a class of 30, issue 22); a link is the
    same code every time."""
    import segno

    buffer = io.BytesIO()
    segno.make(link, error="m", micro=False).save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()
