"""The lessons' claims about training results, checked for seeds 0-9 with the lessons' own settings.

Lesson 2 (counting, step 3): the predictions for the first and the last window (targets 0.5 and 1.4).
Lesson 7 (text, steps 3-4): perplexity, generation from 나는 at temperature 0.2 and 1.5, the split after "나는 ".
Lesson 3 (why_lstm, steps 3-5): the test RMSE of SimpleRNN(16), LSTM(16) and GRU(16) against the naive
forecast (repeat the last value), "remember nothing" (predict the training mean) and perfect memory.

Measured (2 cores shared, 2026-12): lesson 2 seeds 0-9 give 0.38-0.52 for 0.5 and 1.28-1.40 for 1.4; lesson 3
seeds 0-9: SimpleRNN 0.79-0.94, LSTM 0.85-0.94, GRU 0.30-1.11 (below 0.75 for seeds 0, 1, 2, 4, 7), naive
1.40, mean 0.92, perfect memory 0.29.

Every run goes through :func:`rnn_lab.lesson_runs.lesson_run`, i.e. ``rnn_lab.train.runs.execute`` as the
Train page calls it. The tests check seed 0 of each (``tests/test_lessons.py``); this checks the class's seeds.

Run: ``.venv/bin/python bench/lesson_claims.py [--seeds 0-9] [--lessons counting,why_lstm]`` (prints Markdown;
about 25 s a seed for lesson 3 and 15 s for lesson 7 on a shared 2-core machine). Exit status 1 when a claim fails.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from rnn_lab.lesson_runs import lesson_run  # noqa: E402, I001
from rnn_lab.lesson_runs import (  # noqa: E402
    LEARNED,
    counting_claim_holds,
    long_memory_references,
    text_claim_holds,
    text_lesson_results,
    why_lstm_claim_holds,
)


def _seeds(text: str) -> list[int]:
    if "-" in text:
        low, high = text.split("-")
        return list(range(int(low), int(high) + 1))
    return [int(s) for s in text.split(",")]


def counting(seeds: list[int]) -> bool:
    ok = True
    print("| seed | prediction for 0.5 | prediction for 1.4 | claim |\n|---|---|---|---|")
    for seed in seeds:
        pred = lesson_run("counting", 2, seed).predictions["predicted"].to_numpy()
        holds = counting_claim_holds(pred)
        ok &= holds
        print(f"| {seed} | {pred[0]:.2f} | {pred[-1]:.2f} | {'holds' if holds else 'FAILS'} |")
    return ok


def why_lstm(seeds: list[int]) -> bool:
    ok = True
    print("| seed | SimpleRNN | LSTM | GRU | naive | mean | perfect memory | claim |")
    print("|---|---|---|---|---|---|---|---|")
    gru_learned = 0
    for seed in seeds:
        runs = [lesson_run("why_lstm", step, seed) for step in (2, 3, 4)]
        rmse = {r.arch.cell: r.metrics["model"]["rmse"] for r in runs}
        ref = long_memory_references(runs[0])
        holds = why_lstm_claim_holds(rmse, ref["naive"])
        ok &= holds
        gru_learned += rmse["GRU"] < LEARNED
        cells = " | ".join(f"{rmse[c]:.3f}" for c in ("SimpleRNN", "LSTM", "GRU"))
        refs = f"{ref['naive']:.3f} | {ref['mean']:.3f} | {ref['memory']:.3f}"
        print(f"| {seed} | {cells} | {refs} | {'holds' if holds else 'FAILS'} |")
    print(f"\nGRU learned the long memory (test RMSE < {LEARNED}) for {gru_learned} of {len(seeds)} seeds.")
    return ok


def text(seeds: list[int]) -> bool:
    ok = True
    print("| seed | perplexity | after 나는 | temperature 0.2 | temperature 1.5 | claim |\n|---|---|---|---|---|---|")
    for seed in seeds:
        res = text_lesson_results(lesson_run("text", 2, seed))
        holds = text_claim_holds(res)
        ok &= holds
        split = ", ".join(f"{k} {v:.2f}" for k, v in res["split"].items())
        print(
            f"| {seed} | {res['perplexity']:.3f} | {split} | {res['cool']} | {res['hot']} | {'holds' if holds else 'FAILS'} |"
        )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-9")
    parser.add_argument("--lessons", default="counting,why_lstm,text")
    args = parser.parse_args()
    seeds, ok = _seeds(args.seeds), True
    if "counting" in args.lessons:
        print("\n### Lesson 2: predictions for the first and last window\n")
        ok &= counting(seeds)
    if "why_lstm" in args.lessons:
        print("\n### Lesson 3: test RMSE\n")
        ok &= why_lstm(seeds)
    if "text" in args.lessons:
        print("\n### Lesson 7: the character model of the 8 Korean sentences\n")
        ok &= text(seeds)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
