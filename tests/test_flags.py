"""rnn_lab/flags.py: the command-line flags come from the settings registry. Every flag that sets a setting parses to
the value the page reads from the same text, every setting of the data, architecture and training stages has a flag
(or a reason in NO_FLAG), and the flags the training stage gained (early stopping) reach the run."""

from __future__ import annotations

import argparse
import json

import pytest

from rnn_lab import flags
from rnn_lab.cli import build_parser
from rnn_lab.settings import all_settings

REQUIRED = {"train": ["--data", "toy:counting"], "compare": ["--data", "toy:counting"], "inspect-data": ["x.csv"]}
STAGES = ("data_", "arch_", "train_")


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _flagged() -> list[tuple[str, argparse.ArgumentParser, flags.Flag]]:
    return [(name, p, f) for name, p in _commands().items() for f in getattr(p, "setting_flags", ())]


def _texts(s) -> list[str]:
    """Texts a user may type for the setting: its default, every choice, its bounds."""
    out = [s.to_text(s.default)]
    out += [s.to_text(c) for c in s.choices or ()]
    if s.kind in (int, float):
        out += [s.to_text(s.kind(b)) for b in (s.min, s.max) if b is not None]
    return [t for t in out if t != ""]


def _dest(parser, flag) -> str:
    return next(a.dest for a in parser._actions if flag.name in a.option_strings)


def test_every_command_that_takes_settings_declares_them_through_the_registry():
    commands = {name for name, _, _ in _flagged()}
    assert commands == {"summary", "inspect-data", "train", "compare", "inside"}
    for name, _, flag in _flagged():
        assert flag.key in all_settings(), f"{name} {flag.name}: no setting {flag.key}"
        assert all(k in all_settings() for k in flag.also), f"{name} {flag.name}: {flag.also}"


def test_parsing_a_flag_gives_the_value_the_page_reads_from_the_same_text():
    checked = 0
    for name, parser, flag in _flagged():
        s, dest = flag.setting, _dest(parser, flag)
        if s.kind is bool:
            on = vars(parser.parse_args([*REQUIRED.get(name, []), flag.name]))[dest]
            assert on is True and s.read({s.key: "1"}) is True
            if s.default is True:  # --restore-best / --no-restore-best
                off = vars(parser.parse_args([*REQUIRED.get(name, []), f"--no-{flag.name[2:]}"]))[dest]
                assert off is False and s.read({s.key: "0"}) is False
            checked += 1
            continue
        for text in _texts(s):
            value = vars(parser.parse_args([*REQUIRED.get(name, []), flag.name, text]))[dest]
            if isinstance(value, list):  # --units 32 16: one value per layer
                value = value[0]
            page = s.read({s.key: text})
            assert value == page and type(value) is type(page), f"{name} {flag.name} {text}: {value!r} vs {page!r}"
            checked += 1
    assert checked > 150


def test_a_value_the_page_refuses_from_a_choice_is_refused_by_the_flag_too(capsys):
    for name, parser, flag in _flagged():
        if flag.setting.choices is None:
            continue
        with pytest.raises(SystemExit) as err:
            parser.parse_args([*REQUIRED.get(name, []), flag.name, "no-such-value"])
        assert err.value.code == 2
        assert "invalid choice: 'no-such-value'" in capsys.readouterr().err
        with pytest.raises(ValueError, match="is not one of"):
            flag.setting.read({flag.setting.key: "no-such-value"})


def test_without_the_flag_a_command_uses_the_page_default_unless_it_says_otherwise():
    commands = _commands()
    for name, parser, flag in _flagged():
        got = vars(parser.parse_args(REQUIRED.get(name, [])))[_dest(parser, flag)]
        assert got == flag.effective_default, f"{name} {flag.name}"
        if flag.default is flags._SETTING and flag.setting.kind is not bool:
            assert got == flag.setting.default
    # the defaults that differ on purpose, as before the flags came from the registry
    train, compare, inside = (vars(commands[c].parse_args(REQUIRED.get(c, []))) for c in ("train", "compare", "inside"))
    assert (train["units"], train["embedding_dim"], train["window"], train["lr"]) == ([10], 16, None, 0.02)
    assert (compare["units"], compare["epochs"], compare["lr"], compare["dense_hidden"]) == (32, 5, 0.001, 32)
    assert (inside["limit_train"], inside["samples"], inside["cell"], inside["split"]) == (200, 400, None, None)


def test_every_setting_of_a_stage_has_a_flag_or_a_reason():
    stage = {k for k in all_settings() if k.startswith(STAGES)}
    flagged = {k for _, _, f in _flagged() for k in (f.key, *f.also)}
    assert stage - flagged == set(flags.NO_FLAG), "a setting without a flag needs a reason in rnn_lab.flags.NO_FLAG"
    assert not flagged & set(flags.NO_FLAG)


def test_the_help_is_the_catalogue_message_with_the_default():
    commands = _commands()
    text = commands["train"].format_help()
    assert "--patience PATIENCE" in text and "(default 5)" in text
    assert "--restore-best, --no-restore-best" in text
    assert "learning rate (default 0.02; Keras: 0.001" in text
    assert "Bidirectional merge mode (default concat)" in commands["summary"].format_help()
    for name, _, flag in _flagged():
        assert "None" not in flags.help_text(flag), f"{name} {flag.name}"


def test_early_stopping_flags_reach_the_run(keras, capsys):
    from rnn_lab.cli import main

    argv = "train --data toy:sine --epochs 200 --early-stopping --patience 2 --no-restore-best --json".split()
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    cfg = out["config"]["train"]
    assert (cfg["early_stopping"], cfg["patience"], cfg["restore_best"]) == (True, 2, False)
    assert out["stop_reason"] == "early_stopping" and len(out["history"]["loss"]) < 200
