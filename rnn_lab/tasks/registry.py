"""The registry of tasks: every task object by name, and the ``task`` setting."""

from __future__ import annotations

from rnn_lab.settings import Setting
from rnn_lab.tasks.base import Task
from rnn_lab.tasks.classify import CLASSIFY
from rnn_lab.tasks.forecast import FORECAST
from rnn_lab.tasks.next_token import NEXT_TOKEN

TASKS: dict[str, Task] = {t.name: t for t in (FORECAST, CLASSIFY, NEXT_TOKEN)}
TASK_NAMES = tuple(TASKS)

SETTINGS = (Setting("task", "forecast", choices=TASK_NAMES),)


def get_task(name: str) -> Task:
    """The :class:`Task` called ``name``; ValueError naming the allowed ones otherwise."""
    if name not in TASKS:
        raise ValueError(f"task must be one of {', '.join(TASK_NAMES)}; got {name!r}")
    return TASKS[name]


def task_of(values) -> Task:
    """The task chosen in ``values`` (session state, URL parameters; missing -> forecast)."""
    # the one default: settings from an old link or a bare dict have no task, and mean the setting's default
    return get_task(SETTINGS[0].validate(values.get("task") or SETTINGS[0].default))


def task_of_data(obj) -> Task:
    """The task of a prepared dataset, a run or anything with a ``task`` name (none: forecast, the first task)."""
    return get_task(getattr(obj, "task", None) or "forecast")


def check_loss(task: str, loss: str) -> str:
    """``loss`` if it fits ``task``; ValueError in plain words otherwise (e.g. mse for a classifier)."""
    spec = get_task(task)
    if loss not in spec.losses:
        raise ValueError(f"loss {loss!r} does not fit the task {task!r}; use {', '.join(spec.losses)}")
    return loss
