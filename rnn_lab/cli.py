"""Command line: ``python -m rnn_lab <command> ...``.

Each area adds its own sub-command from a module with two functions:
``add_parser(subparsers)`` (declares the arguments, sets ``func``) and the
``func(args) -> int`` it sets. Invalid input exits with status 2 and one clear line
on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from rnn_lab.errors import UsageError  # noqa: F401 (re-exported: the areas once imported it from here)

COMMAND_MODULES = (
    "rnn_lab.arch.cli",
    "rnn_lab.data.cli",
    "rnn_lab.train.cli",
    "rnn_lab.inside.cli",
    "rnn_lab.store.cli",
    "rnn_lab.store.class_cli",
    "rnn_lab.workers.cli",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one clear line instead of usage + message
        self.exit(2, f"error: {message} (see `python -m rnn_lab {self.prog.split()[-1]} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m rnn_lab", description="RNN Lab from the command line.")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMAND_MODULES:
        try:  # a missing module fails loudly, naming it and the list, never skipped
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            raise ModuleNotFoundError(
                f"rnn_lab.cli.COMMAND_MODULES lists {name!r}, which cannot be imported: {err}", name=err.name
            ) from err
        module.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (UsageError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
