"""The task dimension: what the model learns to do (forecast a number, classify a sequence, predict the next token).

One ``task`` setting is shared by every page, the links, the lessons and the command line. Each task is described
once here (a frozen :class:`Task`), so the pages and the CLI ask one place which head, loss, metrics, baseline and
data sources fit it. Names and descriptions live in the catalogue under ``tasks.<name>``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rnn_lab.settings import Setting

TASK_NAMES = ("forecast", "classify", "next_token")


@dataclass(frozen=True)
class Task:
    name: str
    losses: tuple[str, ...]  # losses that fit the head; the first is the default
    head_activation: str  # "linear" (regression) | "softmax" (class probabilities)
    return_sequences: bool  # the last recurrent layer must return every step (many-to-many)
    metrics: tuple[str, ...]  # test metrics, in the order pages and the CLI show them
    baseline: str  # the model every run is compared with
    source_kinds: tuple[str, ...]  # values of data_source_kind that can feed this task
    default_source: dict  # data_ settings applied when the task is chosen (like ui.data.apply_source_defaults)
    label_dtype: str  # "float32" (regression target) | "int32" (class index / token id)

    @property
    def default_loss(self) -> str:
        return self.losses[0]

    @property
    def is_classification(self) -> bool:
        """Softmax over classes (or tokens): cross-entropy loss, accuracy, int labels."""
        return self.head_activation == "softmax"


TASKS = {
    "forecast": Task(
        name="forecast",
        losses=("mse", "mae", "huber"),
        head_activation="linear",
        return_sequences=False,
        metrics=("rmse", "mae", "mape"),
        baseline="naive",
        source_kinds=("toy", "bundled", "upload"),
        default_source={"data_source_kind": "toy", "data_toy": "counting"},
        label_dtype="float32",
    ),
    "classify": Task(
        name="classify",
        losses=("sparse_categorical_crossentropy",),
        head_activation="softmax",
        return_sequences=False,
        metrics=("accuracy", "precision", "recall"),
        baseline="majority",
        source_kinds=("digits", "toy", "text"),  # "toy": the classification toy (data_class_toy); "text": NSMC
        default_source={"data_source_kind": "digits"},
        label_dtype="int32",
    ),
    "next_token": Task(
        name="next_token",
        losses=("sparse_categorical_crossentropy",),
        head_activation="softmax",
        return_sequences=True,
        metrics=("accuracy", "perplexity"),
        baseline="unigram",
        source_kinds=("text",),
        default_source={"data_source_kind": "text", "data_text": "tiny-en"},
        label_dtype="int32",
    ),
}

SETTINGS = (Setting("task", "forecast", choices=TASK_NAMES),)


def get_task(name: str) -> Task:
    """The :class:`Task` called ``name``; ValueError naming the allowed ones otherwise."""
    if name not in TASKS:
        raise ValueError(f"task must be one of {', '.join(TASK_NAMES)}; got {name!r}")
    return TASKS[name]


def task_of(values) -> Task:
    """The task chosen in ``values`` (session state, URL parameters; missing -> forecast)."""
    return get_task(SETTINGS[0].validate(values.get("task", "forecast") or "forecast"))


def check_loss(task: str, loss: str) -> str:
    """``loss`` if it fits ``task``; ValueError in plain words otherwise (e.g. mse for a classifier)."""
    spec = get_task(task)
    if loss not in spec.losses:
        raise ValueError(f"loss {loss!r} does not fit the task {task!r}; use {', '.join(spec.losses)}")
    return loss


def task_defaults(name: str) -> dict:
    """Setting values to apply when the user picks the task ``name`` (an on_change callback applies them): its
    default data source with that source's own defaults, and its default loss. Other settings stay as they are."""
    from rnn_lab.data.settings import source_defaults

    spec = get_task(name)
    out = dict(spec.default_source)
    if out.get("data_source_kind") in ("toy", "bundled", "digits", "text"):
        out.update(
            source_defaults(
                out["data_source_kind"], out.get("data_toy", "counting"), text=out.get("data_text", "tiny-en")
            )
        )
    out["train_loss"] = spec.default_loss
    out.update(arch_defaults(name, out.get("data_source_kind", "toy"), maxlen=out.get("data_text_maxlen", 40)))
    return out


def arch_defaults(task: str, source_kind: str, toy_length: int = 20, maxlen: int = 40, vocab: int = 1000) -> dict:
    """The Architecture explorer's shape and head for a task's data: a digit is 28 steps x 28 pixels into
    Dense(10, softmax), the first-vs-last toy ``toy_length`` steps x 1 into Dense(2, softmax), forecasting the
    tutorial's 5 steps x 1 into Dense(1); text: ``maxlen`` token ids into an Embedding, then Dense(2, softmax)
    for sentiment or Dense(vocab, softmax) on every step for next_token (the vocabulary is the data's: the
    training variant sets it; ``vocab`` is the explorer's stand-in). A language model masks [PAD] (mask_zero): its
    lines are padded at the end, and without the mask the loss, the accuracy curve and the model's effort would go
    to predicting [PAD] after every line."""
    if source_kind == "text" or task == "next_token":
        vocab = min(int(vocab), 1024)  # the explorer's head (arch_dense_units) allows up to 1024 units
        text = {
            "arch_timesteps": int(maxlen),
            "arch_features": 1,
            "arch_embedding": True,
            "arch_embedding_vocab": vocab,
            "arch_dense": True,
        }
        if task == "next_token":  # post-padded lines: mask_zero keeps [PAD] out of the loss and the curves
            return {**text, "arch_dense_units": vocab, "arch_return_sequences": True, "arch_mask_zero": True}
        return {**text, "arch_dense_units": 2, "arch_mask_zero": False}  # pre padding: the text ends at step T
    numbers = {"arch_embedding": False, "arch_mask_zero": False}  # numbers in: no Embedding (maybe on from text)
    if task == "classify":
        if source_kind == "digits":
            return {**numbers, "arch_timesteps": 28, "arch_features": 28, "arch_dense": True, "arch_dense_units": 10}
        return {
            **numbers,
            "arch_timesteps": int(toy_length),
            "arch_features": 1,
            "arch_dense": True,
            "arch_dense_units": 2,
        }
    return {**numbers, "arch_timesteps": 5, "arch_features": 1, "arch_dense": True, "arch_dense_units": 1}
