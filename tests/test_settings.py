"""The one settings registry (rnn_lab/settings.py): lookup by key, reading a value, and loud failures when a module
the registries name by string is missing (rnn_lab.settings.SETTING_MODULES, rnn_lab.cli.COMMAND_MODULES)."""

from __future__ import annotations

import argparse

import pytest

from rnn_lab import cli, settings
from rnn_lab.arch.settings import SETTINGS as ARCH_SETTINGS
from rnn_lab.data.settings import SETTINGS as DATA_SETTINGS


def test_setting_finds_every_declared_setting_by_key():
    for declared in (*ARCH_SETTINGS, *DATA_SETTINGS):
        assert settings.setting(declared.key) is declared
    assert settings.setting("task").choices == ("forecast", "classify", "next_token")
    with pytest.raises(KeyError, match="no setting called 'arch_nope'"):
        settings.setting("arch_nope")


def test_all_settings_is_a_copy():
    mine = settings.all_settings()
    mine.pop("task")
    assert "task" in settings.all_settings()


def test_read_gives_the_default_for_missing_or_none_and_validates():
    window = settings.setting("data_window")
    assert window.read({}) == window.default == 5
    assert window.read({"data_window": None}) == 5
    assert window.read({"data_window": "12"}) == 12  # from a URL: text
    with pytest.raises(ValueError, match="data_window: 0 is below the minimum 1"):
        window.read({"data_window": 0})


def test_a_missing_settings_module_fails_loudly(monkeypatch):
    monkeypatch.setattr(settings, "SETTING_MODULES", (*settings.SETTING_MODULES, "rnn_lab.no_such_settings"))
    settings._registry.cache_clear()
    try:
        with pytest.raises(ModuleNotFoundError, match="SETTING_MODULES lists 'rnn_lab.no_such_settings'"):
            settings.all_settings()
    finally:
        monkeypatch.undo()
        settings._registry.cache_clear()
    assert "task" in settings.all_settings()


def test_a_missing_command_module_fails_loudly(monkeypatch):
    monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, "rnn_lab.no_such_cli"))
    with pytest.raises(ModuleNotFoundError, match="COMMAND_MODULES lists 'rnn_lab.no_such_cli'"):
        cli.build_parser()


def test_a_missing_scheduler_module_names_the_setting_that_named_it(monkeypatch):
    from rnn_lab.train.scheduler import scheduler_from_env

    monkeypatch.setenv("RNN_LAB_SCHEDULER", "rnn_lab.no_such_backend:make")
    with pytest.raises(ModuleNotFoundError, match="RNN_LAB_SCHEDULER=.*names the module 'rnn_lab.no_such_backend'"):
        scheduler_from_env()
    monkeypatch.setenv("RNN_LAB_SCHEDULER", "rnn_lab.settings:no_such_factory")
    with pytest.raises(ValueError, match="rnn_lab.settings has no function 'no_such_factory'"):
        scheduler_from_env()


def test_a_setting_gives_its_command_line_flag():
    parser = argparse.ArgumentParser(exit_on_error=False)
    settings.setting("arch_cell").add_argument(parser, "--cell")
    settings.setting("arch_timesteps").add_argument(parser, "--timesteps")
    settings.setting("arch_dropout").add_argument(parser, "--dropout")
    settings.setting("arch_bidirectional").add_argument(parser, "--bidirectional")
    settings.setting("arch_merge_mode").add_argument(parser, "--merge-mode", default=None)  # "not given" on purpose
    args = parser.parse_args([])
    assert (args.cell, args.timesteps, args.dropout, args.bidirectional) == ("SimpleRNN", 5, 0.0, False)
    assert args.merge_mode is None
    args = parser.parse_args(["--cell", "GRU", "--timesteps", "12", "--dropout", "0.5", "--bidirectional"])
    assert (args.cell, args.timesteps, args.dropout, args.bidirectional) == ("GRU", 12, 0.5, True)
    with pytest.raises(argparse.ArgumentError, match="invalid choice: 'RNN'"):
        parser.parse_args(["--cell", "RNN"])


def test_the_summary_command_takes_its_defaults_from_the_settings():
    args = cli.build_parser().parse_args(["summary"])
    for flag, key in [("cell", "arch_cell"), ("timesteps", "arch_timesteps"), ("layer", "arch_family")]:
        assert getattr(args, flag) == settings.setting(key).default
