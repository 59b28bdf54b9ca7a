"""One registry of the experiment's settings.

A *setting* is one value a user chooses (cell type, window size, learning rate...).
Its key is at the same time the Streamlit widget key, the `st.session_state` key and
the URL query parameter, so the pages, the shareable links and the lessons agree on
names, defaults and allowed values. Domain modules declare their settings in a
module-level ``SETTINGS`` tuple; :func:`all_settings` collects them and :func:`setting` finds one by key
(the one lookup: no module builds its own ``{s.key: s for s in SETTINGS}``).

This module is the bottom of the package: it imports no other ``rnn_lab`` module at import time (the
registry imports the declaring modules by name, when it is first asked).
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

# Modules that declare a SETTINGS tuple (imported lazily; none of them imports TensorFlow). A missing one is an
# error, not skipped: a renamed module would otherwise drop its settings (and their links) without a word.
SETTING_MODULES = (
    "rnn_lab.common_settings",
    "rnn_lab.tasks",  # the task: forecast | classify | next_token
    "rnn_lab.arch.settings",
    "rnn_lab.data.settings",
    "rnn_lab.train.settings",
    "rnn_lab.inside.settings",
    "rnn_lab.lessons",  # the active lesson and step (helper E)
)


@dataclass(frozen=True)
class Setting:
    """One user-chosen value with its default and its allowed range."""

    key: str  # widget key == session_state key == URL parameter
    default: Any  # bool, int, float or str; its type is the setting's type
    choices: tuple | None = None  # allowed values (for selectboxes / radios)
    min: float | None = None  # inclusive bounds for numbers
    max: float | None = None
    optional: bool = False  # None is allowed (e.g. "no fixed batch size")

    @property
    def kind(self) -> type:
        return type(self.default) if self.default is not None else str

    def validate(self, value: Any) -> Any:
        """Return ``value`` coerced to this setting's type, or raise ValueError naming what is allowed."""
        if value is None:
            if self.optional:
                return None
            raise ValueError(f"{self.key}: a value is required")
        kind = self.kind
        if kind is bool:
            if isinstance(value, bool):
                out = value
            elif str(value).lower() in ("1", "true", "yes", "on"):
                out = True
            elif str(value).lower() in ("0", "false", "no", "off"):
                out = False
            else:
                raise ValueError(f"{self.key}: expected true or false, got {value!r}")
        elif kind is int:
            try:
                out = int(str(value)) if not isinstance(value, (int, float)) else int(value)
            except ValueError:
                raise ValueError(f"{self.key}: expected a whole number, got {value!r}") from None
            if isinstance(value, float) and value != out:
                raise ValueError(f"{self.key}: expected a whole number, got {value!r}")
        elif kind is float:
            try:
                out = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"{self.key}: expected a number, got {value!r}") from None
            if out != out or out in (float("inf"), float("-inf")):
                raise ValueError(f"{self.key}: expected a finite number, got {value!r}")
        else:
            out = str(value)
        if self.choices is not None and out not in self.choices:
            allowed = ", ".join(map(str, self.choices))
            raise ValueError(f"{self.key}: {out!r} is not one of {allowed}")
        if self.min is not None and out < self.min:
            raise ValueError(f"{self.key}: {out} is below the minimum {self.min}")
        if self.max is not None and out > self.max:
            raise ValueError(f"{self.key}: {out} is above the maximum {self.max}")
        return out

    def read(self, values: Mapping[str, Any]) -> Any:
        """This setting's value in ``values`` (session state, URL parameters), validated; missing or None gives
        the default. ValueError naming the setting and what is allowed otherwise."""
        raw = values.get(self.key)
        return self.validate(self.default if raw is None else raw)

    def add_argument(self, parser, flag: str, **overrides):
        """Declare this setting as a command-line flag of ``parser`` (argparse): its type, choices and default come
        from the setting, so the command line and the pages agree; ``overrides`` for what differs on purpose (help,
        ``default=None`` to tell "not given"). A bool that defaults to False is a ``store_true`` switch, one that
        defaults to True a ``--flag/--no-flag`` pair."""
        if self.kind is bool:
            kwargs: dict[str, Any] = (
                {"action": "store_true"}
                if self.default is False
                else {"action": argparse.BooleanOptionalAction, "default": True}
            )
        else:
            kwargs = {"type": self.kind, "default": self.default}
            if self.choices is not None:
                kwargs["choices"] = self.choices
        kwargs.update(overrides)
        return parser.add_argument(flag, **kwargs)

    def to_text(self, value: Any) -> str:
        """How the value travels in a URL."""
        if value is None:
            return ""
        if isinstance(value, bool):
            return "1" if value else "0"
        return str(value)

    def from_text(self, text: str) -> Any:
        if text == "" and self.optional:
            return None
        return self.validate(text)


def all_settings() -> dict[str, Setting]:
    """Every declared setting by key (a fresh dict: the caller may change it)."""
    return dict(_registry())


@cache
def _registry() -> dict[str, Setting]:
    out: dict[str, Setting] = {}
    for name in SETTING_MODULES:
        try:  # a listed module that is gone fails loudly, naming it and the list
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            raise ModuleNotFoundError(
                f"rnn_lab.settings.SETTING_MODULES lists {name!r}, which cannot be imported: {err}", name=err.name
            ) from err
        declared = getattr(module, "SETTINGS", None)
        if declared is None:
            raise RuntimeError(f"{name} is listed in SETTING_MODULES but declares no SETTINGS")
        for setting in declared:
            if setting.key in out:
                raise RuntimeError(f"setting {setting.key!r} declared twice")
            out[setting.key] = setting
    return out


def setting(key: str) -> Setting:
    """The declared setting called ``key``; KeyError naming it otherwise."""
    try:
        return _registry()[key]
    except KeyError:
        raise KeyError(f"no setting called {key!r} (see SETTING_MODULES in rnn_lab/settings.py)") from None


def defaults() -> dict[str, Any]:
    return {key: s.default for key, s in all_settings().items()}
