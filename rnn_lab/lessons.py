"""Guided lessons built from the Keras tutorials (TensorFlow Playground's lesson links, for RNNs).

A :class:`Lesson` is data: the settings it applies (registry keys -> values), and its steps; each
step names the page it happens on and the settings it changes on top of the steps before it. The
texts (titles, explanations, questions for the class) live in the message catalogue under
``classroom.lessons.<id>.steps.s<k>.{title,text,question}``, in English and Korean.

Opening a lesson resets the experiment to the defaults (keeping the language and projection mode),
so every student sees the same thing; moving between steps only touches the keys the lesson uses.
The active lesson and step are settings themselves (``lesson``, ``lesson_step``), so a link to a
lesson step reopens the panel at that step. Pure Python: no Streamlit, no TensorFlow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from rnn_lab.settings import Setting
from rnn_lab.train.settings import DEFAULT_LR

KEEP = ("lang", "projection")  # class preferences a lesson never changes
MAX_STEPS = 8

ARCH, DATA, TRAIN, INSIDE, LESSONS_PAGE = (
    "app_pages/architecture.py",
    "app_pages/data.py",
    "app_pages/train.py",
    "app_pages/inside.py",
    "app_pages/lessons.py",
)


def _frozen(mapping: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Step:
    page: str  # the page file this step happens on (as listed in app.PAGES)
    settings: Mapping[str, Any] = field(default_factory=_frozen)  # changes on top of the earlier steps


@dataclass(frozen=True)
class Lesson:
    id: str  # message keys live under classroom.lessons.<id>
    settings: Mapping[str, Any]  # applied when the lesson opens (on top of the defaults)
    steps: tuple[Step, ...]
    simple_mode: bool = True  # hide the advanced controls while the lesson runs

    @property
    def page(self) -> str:
        return self.steps[0].page

    @property
    def pages(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(step.page for step in self.steps))

    def touched_keys(self) -> tuple[str, ...]:
        keys = dict.fromkeys(self.settings)
        for step in self.steps:
            keys.update(dict.fromkeys(step.settings))
        return tuple(keys)


def _lesson(lesson_id: str, settings: Mapping[str, Any], steps, simple_mode: bool = True) -> Lesson:
    return Lesson(lesson_id, _frozen(settings), tuple(Step(page, _frozen(s)) for page, s in steps), simple_mode)


# Keras tutorial data settings (rnn_lab.data.settings.source_defaults): counting = all ten windows
# train on raw numbers; other sources = chronological 70/15/15 with MinMax fitted on the training rows.
_COUNTING = {
    "data_source_kind": "toy",
    "data_toy": "counting",
    "data_toy_length": 15,
    "data_window": 5,
    "data_horizon": 1,
    "data_val_frac": 0.0,
    "data_test_frac": 0.0,
    "data_scaling": "none",
}
_LONG_MEMORY = {
    "data_source_kind": "toy",
    "data_toy": "long_memory",
    "data_toy_length": 1000,
    "data_toy_lag": 40,  # the Inside page's experiment lag: at 20 SimpleRNN still learns, at 40 its gradient fades
    "data_window": 40,
    "data_horizon": 1,
    "data_val_frac": 0.15,
    "data_test_frac": 0.15,
    "data_scaling": "minmax",
}
_NOISY_SINE = {
    "data_source_kind": "toy",
    "data_toy": "noisy_sine",
    "data_toy_length": 400,
    "data_toy_noise": 0.15,
    "data_window": 20,
    "data_horizon": 1,
    "data_val_frac": 0.15,
    "data_test_frac": 0.15,
    "data_scaling": "minmax",
}
_SAMSUNG = {
    "data_source_kind": "bundled",
    "data_bundled": "samsung",
    "data_target": "Close",
    "data_window": 20,
    "data_horizon": 1,
    "data_val_frac": 0.15,
    "data_test_frac": 0.15,
    "data_scaling": "minmax",
}

_DIGITS = {  # rnn_lab.tasks.task_defaults("classify"): MNIST digits, 2,000 training images, a tenth validates
    "task": "classify",
    "data_source_kind": "digits",
    "data_digits_limit": 2000,
    "data_val_frac": 0.1,
}

_TINY_KO = {  # rnn_lab.tasks.task_defaults("next_token") with the Korean corpus: 8 lines, all train, post padding
    "task": "next_token",
    "data_source_kind": "text",
    "data_text": "tiny-ko",
    "data_text_tokens": "char",
    "data_text_maxlen": 40,
    "data_text_padding": "post",
    "data_val_frac": 0.0,
    "data_test_frac": 0.0,
}

LESSONS: dict[str, Lesson] = {
    lesson.id: lesson
    for lesson in (
        # 1. SimpleRNN(3) on input (2, 10): 3*3 + 3*10 + 3 = 42 weights; batch 8 -> (8, 3);
        #    return_sequences -> (8, 2, 3); then two stacked layers, then Bidirectional.
        _lesson(
            "shapes",
            {
                "arch_cell": "SimpleRNN",
                "arch_layers": 1,
                "arch_units_1": 3,
                "arch_timesteps": 2,
                "arch_features": 10,
                "arch_dense": False,
                "arch_fixed_batch": True,
                "arch_batch_size": 8,
            },
            [
                (ARCH, {}),
                (ARCH, {"arch_return_sequences": False}),
                (ARCH, {"arch_return_sequences": True}),
                (ARCH, {"arch_return_sequences": False, "arch_layers": 2, "arch_units_2": 3}),
                (ARCH, {"arch_layers": 1, "arch_bidirectional": True}),
            ],
        ),
        # 2. The counting tutorial: 0.0 .. 1.4, windows of 5 -> 10 samples, targets 0.5 .. 1.4;
        #    SimpleRNN(10) has 10*10 + 10*1 + 10 = 120 weights (+ Dense(1): 11), trained 50 epochs.
        _lesson(
            "counting",
            {
                **_COUNTING,
                "train_epochs": 50,
                "train_lr": DEFAULT_LR,  # 20x Adam's default: with one batch per epoch, 50 epochs = 50 steps
                "arch_cell": "SimpleRNN",
                "arch_layers": 1,
                "arch_units_1": 10,
                "arch_timesteps": 5,
                "arch_features": 1,
                "arch_dense": True,
                "arch_dense_units": 1,
            },
            [
                (DATA, {}),
                (ARCH, {}),
                (TRAIN, {}),
                (TRAIN, {}),
            ],
        ),
        # 3. Why LSTM? The long_memory toy needs the first value of a 40-step window. The experiment settings are
        #    the Inside page's defaults (lag 40, 16 units, 20 epochs), where SimpleRNN's gradient visibly fades.
        _lesson(
            "why_lstm",
            {
                **_LONG_MEMORY,
                "arch_cell": "SimpleRNN",
                "arch_layers": 1,
                "arch_units_1": 16,
                "arch_timesteps": 40,
                "arch_features": 1,
                "inside_exp_lag": 40,
                "inside_exp_units": 16,
                "inside_exp_epochs": 20,
            },
            [
                (DATA, {}),
                (INSIDE, {"inside_section": "experiment"}),  # the step's text runs the experiment on this page
                (TRAIN, {}),
                (TRAIN, {"arch_cell": "LSTM"}),
                (TRAIN, {"arch_cell": "GRU"}),
            ],
        ),
        # 4. Samsung Electronics (005930.KS) closing prices through the whole pipeline, LSTM vs naive.
        _lesson(
            "samsung",
            {
                **_SAMSUNG,
                "arch_cell": "LSTM",
                "arch_layers": 1,
                "arch_units_1": 32,
                "arch_timesteps": 20,
                "arch_features": 1,
            },
            [
                (DATA, {}),
                (DATA, {}),
                (ARCH, {}),
                (TRAIN, {}),
            ],
        ),
        # 5. Deep and bidirectional RNNs on the noisy sine: stack two LSTM layers, then wrap them in Bidirectional.
        _lesson(
            "deep",
            {
                **_NOISY_SINE,
                "arch_cell": "LSTM",
                "arch_layers": 1,
                "arch_units_1": 16,
                "arch_timesteps": 20,
                "arch_features": 1,
            },
            [
                (ARCH, {}),
                (ARCH, {"arch_layers": 2, "arch_units_2": 16}),
                (ARCH, {"arch_layers": 2, "arch_units_2": 16, "arch_bidirectional": True}),
                (TRAIN, {"arch_layers": 2, "arch_units_2": 16, "arch_bidirectional": True}),
            ],
        ),
        # 6. Digits read row by row (issue 10): 28 steps of 28 pixels, LSTM(32) + Dense(10, softmax) = 8,138
        #    parameters, the majority-class baseline, then the same budget for SimpleRNN, GRU, Conv1D and Dense.
        _lesson(
            "digits",
            {
                **_DIGITS,
                "train_loss": "sparse_categorical_crossentropy",
                "train_epochs": 5,
                "arch_family": "rnn",
                "arch_cell": "LSTM",
                "arch_layers": 1,
                "arch_units_1": 32,
                "arch_timesteps": 28,
                "arch_features": 28,
                "arch_dense": True,
                "arch_dense_units": 10,
            },
            [
                (DATA, {}),
                (ARCH, {}),
                (TRAIN, {}),
                (TRAIN, {}),
            ],
        ),
        # 7. Text (issue 11): the 8 Korean sentences as characters, a vocabulary of 64 ([PAD], [UNK], [END], the
        #    space, 60 syllables); Embedding(64, 16) = 1,024, LSTM(32) on d_e = 16: 4*(32*32 + 32*16 + 32) = 6,272,
        #    Dense(64, softmax) on every step: 32*64 + 64 = 2,112; 9,408 in all. Unigram: the space, 21% of the
        #    117 target tokens (109 next tokens + 8 [END]s), perplexity e^H = 31.2.
        _lesson(
            "text",
            {
                **_TINY_KO,
                "train_loss": "sparse_categorical_crossentropy",
                "train_epochs": 150,
                "arch_family": "rnn",
                "arch_cell": "LSTM",
                "arch_layers": 1,
                "arch_units_1": 32,
                "arch_timesteps": 40,
                "arch_features": 1,
                "arch_embedding": True,
                "arch_embedding_vocab": 64,
                "arch_embedding_dim": 16,
                "arch_mask_zero": True,
                "arch_return_sequences": True,
                "arch_dense": True,
                "arch_dense_units": 64,
            },
            [
                (DATA, {}),
                (ARCH, {}),
                (TRAIN, {}),
                (TRAIN, {}),
                (INSIDE, {}),
            ],
        ),
    )
}

SETTINGS = (
    Setting("lesson", "", choices=("", *LESSONS)),  # the active lesson ("" = none)
    Setting("lesson_step", 0, min=0, max=MAX_STEPS - 1),  # its current step, from 0
)


def clamp_step(lesson: Lesson, step: Any) -> int:
    """A usable step index for ``lesson`` (links and old sessions may hold anything)."""
    try:
        step = int(step)
    except (TypeError, ValueError):
        return 0
    return max(0, min(step, len(lesson.steps) - 1))


def step_values(lesson: Lesson, step: int, settings: Mapping[str, Setting]) -> dict[str, Any]:
    """The values that put the experiment at ``step`` of ``lesson``.

    Every key the lesson touches starts from its registry default, then the lesson's settings,
    then each step's changes up to and including ``step`` (so going back undoes later steps).
    Keys of settings that are not registered (an area that has not landed) are skipped.
    """
    step = clamp_step(lesson, step)
    values = {key: settings[key].default for key in lesson.touched_keys() if key in settings}
    changes = dict(lesson.settings)
    for earlier in lesson.steps[: step + 1]:
        changes.update(earlier.settings)
    values.update({key: value for key, value in changes.items() if key in settings})
    values.update({"lesson": lesson.id, "lesson_step": step, "simple_mode": lesson.simple_mode})
    return values


def start_values(lesson: Lesson, step: int, current: Mapping[str, Any], settings: Mapping[str, Setting]) -> dict:
    """Every setting's value when ``lesson`` opens: defaults (keeping language and projection) + the lesson."""
    values = {key: s.default for key, s in settings.items()}
    values.update({key: current[key] for key in KEEP if key in current})
    values.update(step_values(lesson, step, settings))
    return values


def problems(settings: Mapping[str, Setting], pages: tuple[str, ...]) -> list[str]:
    """What is wrong with the lessons against the registry and the router's pages (empty = all good)."""
    out = []
    for lesson in LESSONS.values():
        if not 1 <= len(lesson.steps) <= MAX_STEPS:
            out.append(f"{lesson.id}: {len(lesson.steps)} steps (1..{MAX_STEPS} allowed)")
        for i, step in enumerate(lesson.steps):
            if step.page not in pages:
                out.append(f"{lesson.id} step {i + 1}: unknown page {step.page}")
        for source in (lesson.settings, *(s.settings for s in lesson.steps)):
            for key, value in source.items():
                if key not in settings:
                    out.append(f"{lesson.id}: unknown setting {key}")
                    continue
                try:
                    if settings[key].validate(value) != value:
                        out.append(f"{lesson.id}: {key}={value!r} is not stored as given")
                except ValueError as err:
                    out.append(f"{lesson.id}: {err}")
    return out
