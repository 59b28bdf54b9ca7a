"""The data of ``train``, ``compare`` and ``inside``: the arguments become the Data page's settings, and the settings
become the dataset through :func:`rnn_lab.data.from_values.prepare_from_values`, the path the Data page and a saved
run's rebuild use (so the command line and the app cut the same windows, splits and vocabulary).

:func:`data_values` applies what the Data page applies when a source is picked (``source_defaults``; for a file
its own window and target, as a new upload gets them), then the flags given. ``--seed`` also seeds the split of
labelled sequences and text (``data_toy_seed``), as it always has on the command line; a number toy is the one
shipped (seed 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rnn_lab.data.columns import choose_target
from rnn_lab.data.errors import DataError
from rnn_lab.data.from_values import load_series, prepare_from_values, prepare_numbers
from rnn_lab.data.reader import Loaded, read_file
from rnn_lab.data.settings import join_columns, source_defaults, upload_window
from rnn_lab.data.sources import BUNDLED
from rnn_lab.data.text import TINY, read_text_file
from rnn_lab.data.toys import TOYS
from rnn_lab.errors import UsageError
from rnn_lab.flags import Flag
from rnn_lab.settings import defaults
from rnn_lab.tasks import get_task

CLASS_SOURCES = ("digits:mnist", "toy:first_vs_last", "text:nsmc")

# The data's flags (rnn_lab.flags), shared by train, compare and inside.
TASK_FLAG = Flag("task", "--task", default=None)  # default: decided by --data (task_of_args)
SAMPLES_FLAG = Flag("data_class_toy_samples", "--samples")
DATA_FLAGS = (
    Flag("data_target", "--target", default=None),  # default: the source's usual target
    Flag("data_features", "--features", default=None),  # default: the target alone
    Flag("data_window", "--window", default=None, also=("data_class_toy_length",)),  # default: the source's
    Flag("data_horizon", "--horizon"),
    Flag("data_val_frac", "--val", default=None),  # default: the source's, as on the Data page
    Flag("data_test_frac", "--test", default=None),
    Flag("data_scaling", "--scaling", default=None),
)
LIMIT_FLAG = Flag("data_digits_limit", "--limit-train", also=("data_text_limit",))
TEXT_FLAGS = (
    Flag("data_text_tokens", "--tokens"),
    Flag("data_text_maxlen", "--maxlen", default=None),  # default 40, 60 for text:nsmc
    Flag("data_text_padding", "--padding", default=None),  # default pre for text:nsmc, post for next_token
    Flag("data_text_truncating", "--truncating"),
    Flag("data_text_vocab", "--vocab"),
    Flag("arch_embedding_dim", "--embedding-dim", default=16),  # the page's explorer starts at 8, a run at 16
    Flag("arch_mask_zero", "--mask-zero"),
)
# the flag that sets each data setting (a setting out of range is named by its flag)
FLAG_OF = {
    key: f.name for f in (TASK_FLAG, SAMPLES_FLAG, *DATA_FLAGS, LIMIT_FLAG, *TEXT_FLAGS) for key in (f.key, *f.also)
}


def task_of_args(args) -> str:
    """--task, or classify when --data names a classification source (next_token for text other than nsmc)."""
    if args.data.startswith("text:"):
        fits = "classify" if args.data == "text:nsmc" else "next_token"
        task = args.task or fits
        if task != fits:
            raise UsageError(
                f"{args.data} fits --task {fits}: sentiment reads text:nsmc, next_token reads text:tiny-en, "
                "text:tiny-ko or text:FILE"
            )
        return task
    if args.task and get_task(args.task).label_kind == "token":  # a language model reads text only
        raise UsageError(f"--task next_token reads text: use text:tiny-en, text:tiny-ko or text:FILE (got {args.data})")
    task = args.task or ("classify" if args.data in CLASS_SOURCES or args.data.startswith("digits:") else "forecast")
    labelled = args.data in CLASS_SOURCES  # sequences with class labels, not a number series
    if get_task(task).label_kind == "class" and not labelled:
        raise UsageError(f"--task classify needs labelled data: use {' or '.join(CLASS_SOURCES)} (got {args.data})")
    if get_task(task).forecasts and labelled:
        raise UsageError(f"{args.data} is a classification set: use --task classify")
    return task


@dataclass
class DataValues:
    """The settings of the arguments (every setting's value, as the pages name them), the upload's or own text's
    bytes, and a number series' table when it was read to decide them."""

    values: dict
    data_bytes: bytes | None = None
    loaded: Loaded | None = None


def data_values(args, task: str) -> DataValues:
    """The Data page's settings for ``--data`` and the data flags (UsageError in plain words: an unknown source,
    a missing file or column, fractions that do not fit)."""
    values = defaults()
    values["task"] = task
    if args.data.startswith("text:"):
        return _text_values(args, values)
    if get_task(task).label_kind == "class":
        return _class_values(args, values)
    return _series_values(args, values)


def _text_values(args, values: dict) -> DataValues:
    name = args.data[5:]
    nsmc = name == "nsmc"
    if nsmc and args.test is not None:
        raise UsageError("text:nsmc has a fixed test set of 5,000 reviews; --test does not apply")
    own = not nsmc and name not in TINY
    data_bytes = None
    if own:
        path = Path(name)
        if not path.is_file():
            raise UsageError(f"no such text file: {name} (use text:tiny-en, text:tiny-ko, text:nsmc or text:FILE)")
        data_bytes = _data(lambda: read_text_file(path)).encode("utf-8")
    values.update(source_defaults("text", text="own" if own else name))
    values.update(
        data_source_kind="text",
        data_text_tokens=args.tokens,
        data_text_truncating=args.truncating,
        data_text_vocab=args.vocab,
        data_text_limit=args.limit_train,
        data_toy_seed=args.seed,
    )
    _given(values, data_text_maxlen=args.maxlen, data_text_padding=args.padding, data_val_frac=args.val)
    _given(values, data_test_frac=args.test)
    return DataValues(values, data_bytes)


def _class_values(args, values: dict) -> DataValues:
    if args.data == "digits:mnist":
        if args.test is not None:
            raise UsageError("digits:mnist has a fixed test set of 2,000 images; --test does not apply")
        values.update(source_defaults("digits"), data_source_kind="digits", data_digits_limit=args.limit_train)
    else:  # toy:first_vs_last, the one classification toy
        values.update(
            data_source_kind="toy",
            data_class_toy=args.data[4:],
            data_class_toy_samples=args.samples,
            data_class_toy_length=args.window or 20,
            data_val_frac=0.15,
            data_test_frac=0.15,
        )
        _given(values, data_test_frac=args.test)
    values["data_toy_seed"] = args.seed
    _given(values, data_val_frac=args.val)
    return DataValues(values)


def _series_values(args, values: dict) -> DataValues:
    spec, data_bytes = args.data, None
    if spec.startswith("toy:"):
        name = spec[4:]
        if name not in TOYS:
            raise UsageError(f"unknown toy {name!r}; use one of {', '.join(TOYS)}")
        values.update(data_source_kind="toy", data_toy=name, **source_defaults("toy", name))
    elif spec.startswith("bundled:"):
        name = spec[8:]
        if name not in BUNDLED:
            raise UsageError(f"unknown bundled series {name!r}; use one of {', '.join(BUNDLED)}")
        values.update(data_source_kind="bundled", data_bundled=name, **source_defaults("bundled", bundled=name))
    else:
        path = Path(spec)
        if not path.is_file():
            raise UsageError(f"no such file: {spec} (use toy:NAME, bundled:NAME or a CSV path)")
        data_bytes = path.read_bytes()
        values.update(data_source_kind="upload", data_upload_name=path.name, **source_defaults("upload"))
    loaded = _data(lambda: load_series(values, data_bytes)) if data_bytes is None else None
    if data_bytes is not None:  # as a new upload on the Data page: a window that fits the file, its own target
        loaded = _data(lambda: read_file(path, source=f"upload:{path.name}"))
        values.update(data_window=upload_window(len(loaded.frame)), data_target=choose_target(loaded.frame).column)
    columns = list(map(str, loaded.frame.columns))
    target = args.target or values["data_target"]
    features = [f.strip() for f in args.features.split(",") if f.strip()] if args.features else [target]
    for column in dict.fromkeys([target, *features]):
        if column not in columns:
            raise UsageError(f"no column {column!r}; the columns are {', '.join(columns)}")
    values.update(data_target=target, data_features="" if features == [target] else join_columns(features))
    values["data_horizon"] = args.horizon
    _given(values, data_window=args.window, data_val_frac=args.val, data_test_frac=args.test)
    _given(values, data_scaling=args.scaling)
    val, test = values["data_val_frac"], values["data_test_frac"]
    if not (0 <= val < 1 and 0 <= test < 1 and val + test < 1):
        raise UsageError(f"--val and --test must be fractions with val + test < 1 (got {val} and {test})")
    return DataValues(values, data_bytes, loaded)


def _given(values: dict, **flags) -> None:
    """The flags given (not None) over the source's defaults."""
    values.update({key: value for key, value in flags.items() if value is not None})


def _data(read):
    """``read()``, a DataError as a UsageError in plain English (a setting out of range named by its flag)."""
    try:
        return read()
    except DataError as err:
        reason = str(err.values.get("reason", "")) if err.message_key == "bad_setting" else ""
        key = reason.split(":", 1)[0]
        if key in FLAG_OF:  # "data_text_maxlen: 0 is below the minimum 1" -> "--maxlen: 0 is below ..."
            raise UsageError(FLAG_OF[key] + reason[len(key) :]) from None
        raise UsageError(err.text("en")) from None


def prepare_args(args, task: str):
    """The prepared dataset of the arguments, through the app's path (:func:`prepare_from_values`)."""
    given = data_values(args, task)
    if given.loaded is not None:  # a number series already read: not read twice
        return _data(lambda: prepare_numbers(given.values, given.data_bytes, given.loaded)[0])
    return _data(lambda: prepare_from_values(given.values, given.data_bytes))


def load_data(args, task: str):
    return prepare_args(args, task)


def load_text(args):
    """The text dataset of the arguments: text:nsmc (classify), text:tiny-en, text:tiny-ko or text:FILE (UTF-8 or
    CP949, one sentence a line; next_token)."""
    return prepare_args(args, "classify" if args.data == "text:nsmc" else "next_token")


def load_classes(args):
    """The classification dataset of the arguments (digits:mnist, toy:first_vs_last)."""
    return prepare_args(args, "classify")


def load_prepared(args):
    """The forecast dataset of the arguments (toy:NAME, bundled:NAME or a CSV/Excel file)."""
    return prepare_args(args, "forecast")
