"""Per-session limits for a shared classroom server (issue 12), so one student can't take the machine.

Read from environment variables (the Dockerfile and docs/deploy.md set them for a classroom; on a laptop the
defaults are generous):

- ``RNN_LAB_MAX_PARAMS``: largest model a session may train (parameters; default 2,000,000).
- ``RNN_LAB_MAX_SAMPLE_EPOCHS``: epochs x training samples of one run (default 20,000,000: 50 epochs of 400,000
  windows; the digits' 8,000 images for 2,500 epochs).
- ``RNN_LAB_MAX_RUNS``: runs kept per session; the oldest run that is not pinned is dropped, with a notice
  (default 20).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from rnn_lab.train.errors import TrainError

PARAMS_ENV, SAMPLE_EPOCHS_ENV, RUNS_ENV = "RNN_LAB_MAX_PARAMS", "RNN_LAB_MAX_SAMPLE_EPOCHS", "RNN_LAB_MAX_RUNS"


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number; got {raw!r}") from None
    if value < 1:
        raise ValueError(f"{name} must be at least 1; got {value}")
    return value


@dataclass(frozen=True)
class Limits:
    max_params: int = 2_000_000
    max_sample_epochs: int = 20_000_000
    max_runs: int = 20

    @classmethod
    def from_env(cls) -> Limits:
        return cls(
            max_params=_env_int(PARAMS_ENV, cls.max_params),
            max_sample_epochs=_env_int(SAMPLE_EPOCHS_ENV, cls.max_sample_epochs),
            max_runs=_env_int(RUNS_ENV, cls.max_runs),
        )


def check_run_size(params: int, epochs: int, n_train: int, limits: Limits | None = None) -> None:
    """Raise :class:`~rnn_lab.train.errors.TrainError` when a run is larger than this server allows."""
    limits = limits or Limits.from_env()
    if params > limits.max_params:
        raise TrainError("too_many_params", params=f"{params:,}", limit=f"{limits.max_params:,}", env=PARAMS_ENV)
    if epochs * n_train > limits.max_sample_epochs:
        raise TrainError(
            "too_much_work",
            work=f"{epochs * n_train:,}",
            epochs=epochs,
            n=f"{n_train:,}",
            limit=f"{limits.max_sample_epochs:,}",
            env=SAMPLE_EPOCHS_ENV,
        )


def trim_runs(runs: list, keep: int, protect: tuple = ()) -> list:
    """The runs dropped so at most ``keep`` remain: oldest first, never a pinned run nor one in ``protect``
    (the runs just finished). Mutates ``runs``."""
    dropped = []
    for run in list(runs):
        if len(runs) <= keep:
            break
        if getattr(run, "pinned", False) or run in protect:
            continue
        runs.remove(run)
        dropped.append(run)
    return dropped
