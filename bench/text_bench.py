"""NSMC sentiment on the bundled 20,000-review subset (issue 11's quality bar): accuracy against the majority class.

In a fresh process per setting: prepare the shipped reviews (20,000 for training, a tenth of them validating, the
fixed 5,000 test reviews) the way the Data page does, train Embedding + LSTM(64) + Dense(2, softmax) through the app's
own path (``runs.execute``: the engine, then scoring against the majority class of the training split) and report
test accuracy, the baseline, the margin in points, seconds per epoch and the memory the data and training add
(VmHWM minus the resident size after importing TensorFlow and Keras). Character tokens (Korean syllables) and
whitespace words are both measured. The speed against plain ``fit`` is B4 of ``train_warm_bench.py``.

Run: ``.venv/bin/python bench/text_bench.py [--generation]`` (prints Markdown for docs/benchmarks.md; ``--generation``:
only the tiny-corpus generation table).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RNN_LAB_WARM_UP", "0")

from digits_bench import measured_run  # noqa: E402 - the same measures as the digits bar

# (tokens, maxlen, largest vocabulary): characters cover most reviews at 60 syllables; words at 30
SETTINGS = {"char": ("char", 60, 2000), "word": ("word", 30, 20000)}
EPOCHS, BATCH, LR, UNITS, EMBED = 4, 64, 0.005, 64, 32


def nsmc_workload(tokens: str = "char", limit: int = 20_000):
    """(prepared, ArchConfig, TrainConfig) of the NSMC quality bar (also B4 of train_warm_bench.py)."""
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.data.text import prepare_text
    from rnn_lab.train.engine import TrainConfig

    kind, maxlen, vocab = SETTINGS[tokens]
    prepared = prepare_text("nsmc", kind, maxlen, "pre", "pre", vocab, limit, val_frac=0.1, seed=0, task="classify")
    arch = ArchConfig(
        cell="LSTM",
        units=(UNITS,),
        timesteps=maxlen,
        features=1,
        dense_units=2,
        head_activation="softmax",
        embedding_vocab=prepared.vocab_size,
        embedding_dim=EMBED,
    )
    cfg = TrainConfig(epochs=EPOCHS, batch_size=BATCH, learning_rate=LR, loss="sparse_categorical_crossentropy", seed=0)
    return prepared, arch, cfg


def child(tokens: str) -> dict:
    measured, prepared, arch = measured_run(lambda: nsmc_workload(tokens))
    return {"tokens": tokens, "maxlen": arch.timesteps, "vocab": prepared.vocab_size, **measured}


def generation_child(corpus: str) -> dict:
    """The second quality bar: a character LSTM trained on a tiny corpus, then, for every line, generation at
    temperature 0.2 from the line's first word: how many lines come back exactly, ending where the line ends (the
    model picks [END] right after its last token), and how many at least start right."""
    from rnn_lab.arch.config import ArchConfig
    from rnn_lab.data.text import prepare_text, tiny_corpus
    from rnn_lab.train.engine import TrainConfig
    from rnn_lab.train.generate import generate
    from rnn_lab.train.runs import execute

    prepared = prepare_text(corpus, "char", 40, "post", "pre", 2000, task="next_token")
    arch = ArchConfig(
        cell="LSTM",
        units=(32,),
        timesteps=40,
        features=1,
        return_sequences=True,
        dense_units=prepared.vocab_size,
        head_activation="softmax",
        embedding_vocab=prepared.vocab_size,
        embedding_dim=16,
        mask_zero=True,
    )
    cfg = TrainConfig(epochs=150, batch_size=32, learning_rate=0.02, loss="sparse_categorical_crossentropy", seed=0)
    run = execute(prepared, arch, cfg)
    lines = [line.strip() for line in tiny_corpus(corpus).splitlines() if line.strip()]
    back = []
    for line in lines:
        first = line.split()[0]
        out = generate(run.model, prepared, first, length=len(line) - len(first) + 5, temperature=0.2, seed=0)
        back.append(
            {
                "line": line,
                "generated": out.text,
                "exact": out.text == line and out.ended,
                "starts": out.text.startswith(line),
            }
        )
    return {"corpus": corpus, "lines": back, "perplexity": run.metrics["model"]["perplexity"]}


def main(generation_only: bool = False) -> None:
    with open("/proc/cpuinfo") as fh:
        cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "?")
    print(f"Machine: {cpu}, {os.cpu_count()} cores; load average at start {os.getloadavg()[0]:.1f}")
    if not generation_only:
        sentiment_table()
    generation_table()


def sentiment_table() -> None:
    print(f"Embedding(V, {EMBED}) + LSTM({UNITS}) + Dense(2, softmax), Adam {LR}, batch {BATCH}, {EPOCHS} epochs")
    print()
    print(
        "| tokens, max length, V | train / val / test reviews | test accuracy | majority class | margin "
        "| val. accuracy per epoch | seconds per epoch (first includes compiling) | memory added |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for tokens in SETTINGS:
        out = subprocess.run(
            [sys.executable, __file__, "--child", tokens], capture_output=True, text=True, check=True, cwd=ROOT
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        n = r["n"]
        print(
            f"| {r['tokens']}, {r['maxlen']}, {r['vocab']:,} | {n['train']:,} / {n['val']:,} / {n['test']:,} | "
            f"{r['accuracy']:.1%} | {r['baseline']:.1%} | {100 * (r['accuracy'] - r['baseline']):+.1f} points | "
            f"{', '.join(f'{a:.1%}' for a in r['val_accuracy'])} | {r['seconds'] / r['epochs']:.2f} | "
            f"{r['added_mb']:.0f} MB |"
        )


def generation_table() -> None:
    print()
    print("Character LSTM(32), Embedding(V, 16), mask_zero, 150 epochs; generation at temperature 0.2, seed 0, from")
    print("the first word of every line:")
    print()
    print(
        "| corpus | lines reproduced exactly, ending with [END] | lines that at least start right "
        "| training perplexity | example (prompt = first word) |"
    )
    print("|---|---|---|---|---|")
    for corpus in ("tiny-en", "tiny-ko"):
        out = subprocess.run(
            [sys.executable, __file__, "--generate", corpus], capture_output=True, text=True, check=True, cwd=ROOT
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        n = sum(x["exact"] for x in r["lines"])
        starts = sum(x["starts"] for x in r["lines"])
        example = r["lines"][0]["generated"]
        print(f"| {corpus} | {n} of {len(r['lines'])} | {starts} | {r['perplexity']:.3f} | {example} |")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2])))
    elif len(sys.argv) == 3 and sys.argv[1] == "--generate":
        print(json.dumps(generation_child(sys.argv[2]), ensure_ascii=False))
    else:
        main(generation_only="--generation" in sys.argv[1:])
