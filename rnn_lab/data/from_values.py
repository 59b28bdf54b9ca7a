"""The dataset the settings describe: the one path from ``data_`` settings (and an upload's or own text's bytes) to
a prepared dataset, for every task.

The Data page (``ui/data.py``, which caches the loading), a saved run's rebuild (``rnn_lab.store.records``), the
workers and the ``train`` / ``compare`` / ``inside`` commands (``rnn_lab.train.cli_data``) all end here, so the same
settings give the same windows, splits and vocabulary wherever they are prepared. A number series goes through
:class:`~rnn_lab.data.settings.DataConfig` and :func:`~rnn_lab.data.prepare.prepare_series`; labelled sequences
through :func:`~rnn_lab.data.digits.prepare_classes_from_values` and
:func:`~rnn_lab.data.text.prepare_text_from_values`, picked by what the task's labels are (``Task.label_kind``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rnn_lab.data.clean import CleanReport
from rnn_lab.data.digits import prepare_classes_from_values
from rnn_lab.data.errors import DataError
from rnn_lab.data.prepare import PreparedData, prepare_series
from rnn_lab.data.reader import Loaded, read_bytes
from rnn_lab.data.settings import config_from_values
from rnn_lab.data.sources import load_bundled, load_toy
from rnn_lab.data.text import prepare_text_from_values
from rnn_lab.data.units import with_choice
from rnn_lab.tasks import task_of


def load_series(values: Mapping[str, Any], data_bytes: bytes | None = None) -> Loaded:
    """The table the ``data_`` settings point at: a toy (its length, noise, seed, lag), a bundled series or the
    uploaded file ``data_bytes`` (read with the settings' sentinel and date order). DataError when it cannot be."""
    kind = values.get("data_source_kind", "toy")
    if kind == "bundled":
        return load_bundled(values.get("data_bundled", "samsung"))
    if kind == "upload":
        if data_bytes is None:
            raise DataError("upload_needed", name=values.get("data_upload_name", ""))
        return read_bytes(
            data_bytes,
            name=values.get("data_upload_name") or "data.csv",
            sentinel=str(values.get("data_sentinel", "")).strip() or None,
            date_order=values.get("data_date_order", "auto"),
        )
    name = values.get("data_toy", "counting")
    params = {"lag": int(values.get("data_toy_lag", 20))} if name == "long_memory" else {}
    return load_toy(
        name,
        length=int(values["data_toy_length"]),
        noise=float(values.get("data_toy_noise", 0.0)),
        seed=int(values.get("data_toy_seed", 0)),
        **params,
    )


def series_frame(loaded: Loaded, values: Mapping[str, Any]):
    """The table the windows are cut from: without the incomplete last row (a day still trading) unless the
    settings keep it (``data_drop_last``, on by default)."""
    if values.get("data_drop_last", True) and loaded.incomplete is not None:
        return loaded.frame.iloc[:-1]
    return loaded.frame


def prepare_numbers(
    values: Mapping[str, Any], data_bytes: bytes | None = None, loaded: Loaded | None = None
) -> tuple[PreparedData, CleanReport]:
    """The forecast dataset of the settings: ``loaded`` (or the table :func:`load_series` reads), cleaned and cut
    into windows by :func:`~rnn_lab.data.prepare.prepare_series` as its :class:`DataConfig` says; the target's
    currency is the file's sign or the user's choice (``data_currency``). DataError with a plain message."""
    loaded = loaded if loaded is not None else load_series(values, data_bytes)
    cfg = config_from_values(values)
    if cfg.val_frac + cfg.test_frac >= 1:
        raise DataError("bad_fractions", val=cfg.val_frac, test=cfg.test_frac)
    frame = series_frame(loaded, values)
    for column in cfg.columns:  # a column the table lacks (e.g. a link's target, another file's feature)
        if column not in frame.columns:
            raise DataError("no_target" if column == cfg.target else "no_feature", target=column, column=column)
    if frame[cfg.target].isna().all():
        raise DataError("target_all_missing", target=cfg.target)
    prepared, report = prepare_series(frame, cfg, loaded.source)
    choice = values.get("data_currency", "auto") if loaded.source.startswith("upload:") else "auto"
    prepared.currency = with_choice(loaded.currency, cfg.target, choice)  # the target's unit (rnn_lab.data.units)
    return prepared, report


def _prepare_numbers(values: Mapping[str, Any], data_bytes: bytes | None, text: str | None):
    return prepare_numbers(values, data_bytes)[0]


def _prepare_classes(values: Mapping[str, Any], data_bytes: bytes | None, text: str | None):
    return prepare_classes_from_values(values, text)


def _prepare_tokens(values: Mapping[str, Any], data_bytes: bytes | None, text: str | None):
    return prepare_text_from_values({**values, "task": task_of(values).name}, text)


# The dataset of the settings, by what the task's labels are (Task.label_kind).
_PREPARE = {"number": _prepare_numbers, "class": _prepare_classes, "token": _prepare_tokens}


def prepare_from_values(values: Mapping[str, Any], data_bytes: bytes | None = None):
    """The prepared dataset the settings describe (as the Data page builds it), for the task of ``values``;
    ``data_bytes`` is the upload or the own text (UTF-8). Raises DataError when it cannot be made."""
    text = data_bytes.decode("utf-8") if data_bytes is not None and values.get("data_source_kind") == "text" else None
    return _PREPARE[task_of(values).label_kind](values, data_bytes, text)
