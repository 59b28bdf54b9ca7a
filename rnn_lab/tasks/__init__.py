"""The task dimension: what the model learns to do (forecast a number, classify a sequence, predict the next token).

One ``task`` setting is shared by every page, the links, the lessons and the command line. Each task is one object
behind one protocol (:class:`rnn_lab.tasks.base.Task`), one module per task: :mod:`.forecast`, :mod:`.classify`,
:mod:`.next_token`. The pages and the CLI ask the task object (``get_task(name)``, ``run.task_spec``,
``task_of_data(prepared)``) which head, loss, metrics, baseline, data sources, scores and result pieces fit it; they
don't compare its name. Names and descriptions live in the catalogue under ``tasks.<name>``. How to add a task:
``docs/tasks-design.md``.
"""

from __future__ import annotations

from rnn_lab.tasks.base import Task, inputs_of
from rnn_lab.tasks.presets import arch_defaults, task_defaults
from rnn_lab.tasks.registry import SETTINGS, TASK_NAMES, TASKS, check_loss, get_task, task_of, task_of_data

__all__ = [
    "SETTINGS",
    "TASKS",
    "TASK_NAMES",
    "Task",
    "arch_defaults",
    "check_loss",
    "get_task",
    "inputs_of",
    "task_defaults",
    "task_of",
    "task_of_data",
]
