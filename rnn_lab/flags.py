"""Command-line flags from the settings registry: the one way a command declares a flag that sets a setting.

A :class:`Flag` names a setting (:mod:`rnn_lab.settings`) and the flag's spelling; :func:`add_flags` turns it into
an argparse argument whose type and choices are the setting's, whose default is the setting's unless the command
says otherwise (``None``: "not given", decided later, e.g. by the data source), and whose help is the English
message ``cli.<key>`` of the catalogue. So the command line, the pages and the links agree on names, types and
allowed values, and a setting's flag is written once per command as one line of a table.

Flags that set no setting (``--data``, ``--json``, ``--save``...) stay plain ``parser.add_argument`` calls.
:data:`NO_FLAG` lists the settings of the data, architecture and training stages that have no flag on purpose, with
the reason; a test checks that every other setting of those stages has one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rnn_lab import i18n
from rnn_lab.settings import setting

_SETTING = object()  # "the setting's own default"


@dataclass(frozen=True, eq=False)
class Flag:
    """One command-line flag that sets one setting (and, with ``also``, the settings it implies)."""

    key: str  # the setting's key, e.g. "data_window"
    name: str  # the flag, e.g. "--window" (argparse derives the attribute: args.window)
    default: Any = _SETTING  # the setting's default unless given; None = "not given" (the command decides later)
    help: str = ""  # catalogue key under ``cli.``; "" = the setting's key
    kwargs: Mapping[str, Any] = field(default_factory=dict)  # further argparse arguments: nargs, metavar, action
    also: tuple[str, ...] = ()  # settings this flag decides as well (--units: how many layers; --dense: a head)

    @property
    def setting(self):
        return setting(self.key)

    @property
    def effective_default(self) -> Any:
        return self.setting.default if self.default is _SETTING else self.default


def help_text(flag: Flag) -> str:
    """The flag's help: the English catalogue message ``cli.<help or key>`` with ``{default}`` filled in (the
    command's default, or the setting's where the command leaves the flag "not given")."""
    default = flag.effective_default
    if default is None:
        default = flag.setting.default
    shown = " ".join(map(str, default)) if isinstance(default, (list, tuple)) else default
    return i18n.t(f"cli.{flag.help or flag.key}", "en", default=shown)


def add_flags(parser, flags: Iterable[Flag]) -> None:
    """Declare each flag on ``parser`` (through :meth:`rnn_lab.settings.Setting.add_argument`) and remember them in
    ``parser.setting_flags``, where the tests find every command's flags."""
    flags = tuple(flags)
    for flag in flags:
        overrides: dict[str, Any] = {"help": help_text(flag), **flag.kwargs}
        if flag.default is not _SETTING:
            overrides["default"] = flag.default
        flag.setting.add_argument(parser, flag.name, **overrides)
    parser.setting_flags = (*getattr(parser, "setting_flags", ()), *flags)


# The settings of the data, architecture and training stages without a flag, and why. Every other setting of those
# stages has a flag in some command (tests/test_flags.py checks both ways).
NO_FLAG = {
    "data_source_kind": "--data names the source (toy:NAME, bundled:NAME, digits:mnist, text:NAME or a file)",
    "data_toy": "--data toy:NAME",
    "data_bundled": "--data bundled:NAME",
    "data_text": "--data text:NAME",
    "data_class_toy": "--data toy:first_vs_last (the only classification toy)",
    "data_upload_name": "--data FILE: the file itself, not a name to ask for again",
    "data_toy_length": "the command line trains on each toy as shipped",
    "data_toy_noise": "the command line trains on each toy as shipped",
    "data_toy_seed": "the command line trains on each toy as shipped",
    "data_toy_lag": "the command line trains on each toy as shipped",
    "data_missing": "the command line fills gaps as the Data page does by default (ffill)",
    "data_outliers": "the command line leaves outliers, as the Data page does by default",
    "data_outlier_k": "only with an outlier rule, which the command line does not apply",
    "data_currency": "the reader's own guess of the unit; the page lets a user correct it",
    "data_drop_last": "the command line always leaves out an incomplete last row, the page's default",
    "arch_embedding": "the command line adds the Embedding when the data are token ids (text:)",
    "arch_embedding_vocab": "the trained model takes the data's vocabulary; the explorer's stand-in has no use here",
    "train_live": "redraws the page's loss curve while training; the command line prints at the end",
}
