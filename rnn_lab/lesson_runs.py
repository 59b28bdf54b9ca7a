"""Train what a lesson step trains, exactly as the pages do, so a lesson's claims can be checked.

:func:`lesson_run` takes a lesson, a step and a seed, builds the step's data the way every page does
(:func:`rnn_lab.data.from_values.prepare_from_values`) and calls :func:`rnn_lab.train.runs.execute` with the
step's architecture and training settings, the function the Train page's job calls. The tests (``tests/test_lessons.py``) check one or two
seeds; ``bench/lesson_claims.py`` checks seeds 0-9. TensorFlow is imported only when a run starts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rnn_lab import lessons
from rnn_lab.arch.settings import config_from_values as arch_config
from rnn_lab.data.from_values import prepare_from_values
from rnn_lab.data.text import tiny_corpus
from rnn_lab.settings import all_settings
from rnn_lab.train.generate import generate
from rnn_lab.train.runs import execute
from rnn_lab.train.settings import config_from_values as train_config


def step_settings(lesson_id: str, step: int, **overrides: Any) -> dict[str, Any]:
    """Every setting's value at ``step`` (from 0) of the lesson, as a student who just started it has them."""
    values = lessons.start_values(lessons.LESSONS[lesson_id], step, {}, all_settings())
    values.update(overrides)
    return values


def lesson_run(lesson_id: str, step: int, seed: int | None = None, **overrides: Any):
    """The :class:`~rnn_lab.train.runs.Run` a student gets by pressing Train at ``step`` (from 0) of the lesson."""
    values = step_settings(lesson_id, step, **overrides)
    if seed is not None:
        values["train_seed"] = seed
    prepared = prepare_from_values(values)  # the one path from settings to a dataset, the Data page's
    return execute(prepared, arch_config(values), train_config(values))


# ---- the claims the lesson texts make about training results (checked by the tests and bench/lesson_claims.py)


LEARNED = 0.75  # lesson 3: a test RMSE below this "learned the long memory" (mean 0.92, perfect memory 0.29)


def counting_claim_holds(predicted) -> bool:
    """Lesson 2, step 4, over seeds: the predictions for the targets 0.5 and 1.4 lie in the ranges the text gives
    for seeds 0-9 (0.38 to 0.52, 1.28 to 1.40) and are not exact."""
    import numpy as np

    pred = np.asarray(predicted, dtype=float)
    targets = np.linspace(0.5, 1.4, len(pred))
    return (
        0.38 <= round(pred[0], 2) <= 0.52
        and 1.28 <= round(pred[-1], 2) <= 1.40
        and bool(np.max(np.abs(pred - targets)) > 0.01)
    )


def why_lstm_claim_holds(rmse: Mapping[str, float], naive: float) -> bool:
    """Lesson 3, steps 3-5, for every seed: each cell beats the naive forecast, and in 50 epochs neither SimpleRNN
    nor LSTM learns the long memory (test RMSE above :data:`LEARNED`; GRU learns it for some seeds only)."""
    return all(v < naive for v in rmse.values()) and rmse["SimpleRNN"] > LEARNED and rmse["LSTM"] > LEARNED


def long_memory_references(run, rho: float = 0.95) -> dict[str, float]:
    """Lesson 3's yardsticks on the run's test windows (original units): the naive forecast (repeat the last value),
    ``mean`` (remember nothing: always the training targets' mean) and ``memory`` (remember the window's first value
    perfectly: predict rho times it, leaving only the fresh noise)."""
    import numpy as np

    pred = run.predictions
    test = pred[pred["split"] == "test"]
    actual = test["actual"].to_numpy(float)
    series = run.prepared.series[run.prepared.target].to_numpy(float)
    first = series[test["index"].to_numpy(int) - run.window]  # the value a window's length before the label
    train_mean = pred.loc[pred["split"] == "train", "actual"].mean()

    def rmse(guess) -> float:
        return float(np.sqrt(np.mean((actual - guess) ** 2)))

    return {"naive": run.metrics["naive"]["rmse"], "mean": rmse(train_mean), "memory": rmse(rho * first)}


def text_lesson_results(run) -> dict:
    """Lesson 7, steps 3-4, from a trained run: its perplexity, what temperature 0.2 and 1.5 generate from 나는
    (generation seed 0, as the Train page's default) and the top-2 of the step after "나는 "."""
    cool = generate(run.model, run.prepared, "나는", length=30, temperature=0.2, seed=0)
    hot = generate(run.model, run.prepared, "나는", length=30, temperature=1.5, seed=0)
    after_space = cool.steps[1]["top"][:2] if len(cool.steps) > 1 else []  # step 0 is the space after 나는
    return {
        "perplexity": run.metrics["model"]["perplexity"],
        "cool": cool.text,
        "cool_ended": cool.ended,
        "hot": hot.text,
        "split": {item["token"]: item["p"] for item in after_space},
        "lines": [line for line in tiny_corpus("tiny-ko").splitlines() if line.strip()],
    }


def text_claim_holds(results: Mapping[str, Any]) -> bool:
    """Lesson 7: perplexity near 1 (below 1.1); at temperature 0.2 the model writes one of the corpus's sentences
    that start with 나는 and ends it; after "나는 " the bars are split between 구 and 일 (each 30-70%); at 1.5 the
    sentence falls apart (it is not a line of the corpus)."""
    starts = [line for line in results["lines"] if line.startswith("나는")]
    split = results["split"]
    return (
        results["perplexity"] < 1.1
        and results["cool"] in starts
        and bool(results["cool_ended"])
        and set(split) == {"구", "일"}
        and all(0.3 <= p <= 0.7 for p in split.values())
        and results["hot"] not in results["lines"]
    )
