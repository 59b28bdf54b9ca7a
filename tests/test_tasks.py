import pytest

from rnn_lab import i18n
from rnn_lab.settings import all_settings
from rnn_lab.tasks import TASK_NAMES, TASKS, check_loss, get_task, task_of


def test_task_setting_registered_with_forecast_default():
    s = all_settings()["task"]
    assert s.default == "forecast" and s.choices == TASK_NAMES


def test_each_task_described_and_named_in_both_languages():
    for name in TASK_NAMES:
        task = get_task(name)
        assert task.default_loss in task.losses
        for lang in i18n.LANGUAGES:
            assert i18n.t(f"tasks.names.{name}", lang)
            assert i18n.t(f"tasks.descriptions.{name}", lang)
            assert i18n.t(f"tasks.baselines.{task.baseline}", lang)
    assert TASKS["classify"].head_activation == "softmax" and TASKS["classify"].baseline == "majority"
    assert TASKS["next_token"].return_sequences and not TASKS["classify"].return_sequences
    assert TASKS["forecast"].default_loss == "mse"


def test_bad_task_and_misfit_loss_are_plain_errors():
    with pytest.raises(ValueError, match="one of forecast"):
        get_task("regress")
    with pytest.raises(ValueError, match="does not fit"):
        check_loss("classify", "mse")
    assert check_loss("classify", "sparse_categorical_crossentropy")
    assert task_of({}).name == "forecast" and task_of({"task": "classify"}).name == "classify"


def test_task_defaults_switch_source_and_loss():
    from rnn_lab.settings import all_settings
    from rnn_lab.tasks import task_defaults

    settings = all_settings()
    for name in ("forecast", "classify", "next_token"):
        values = task_defaults(name)
        for key, value in values.items():
            assert settings[key].validate(value) == value  # every default is a valid setting value
    assert task_defaults("classify")["data_source_kind"] == "digits"
    assert task_defaults("classify")["train_loss"] == "sparse_categorical_crossentropy"
    assert task_defaults("forecast")["data_window"] == 5 and task_defaults("forecast")["train_loss"] == "mse"
