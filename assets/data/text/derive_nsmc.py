"""Derive the bundled NSMC subset from the raw crawl of the e9t/nsmc repository (run once; kept for provenance).

The repository's ``ratings_train.txt`` / ``ratings_test.txt`` are not in the snapshot RNN Lab can fetch (files of
4 MiB and more are left out), its ``raw/*.json`` (one file per movie, the crawler's output) are. This script applies
the repository's own rule, ``merge_ratings`` in ``code/crawl_ratings.py``, to every raw file:

- rating > 8 (9, 10) -> label 1; rating < 5 (1-4) -> label 0; ratings 5-8 (neutral) are dropped;
- the review text with every run of whitespace replaced by one space (``re.sub('\\s+', ' ', s)``);
- one line ``review_id<TAB>document<TAB>label``, header ``id<TAB>document<TAB>label``.

Then it picks a seeded, class-balanced subset (NSMC itself holds equally many of each class): reviews with an empty
document are left out (no text to read), each class is shuffled with ``numpy.random.default_rng(SEED)`` and its first
12,500 are taken, 10,000 for training and 2,500 for testing; each file is then shuffled (same generator). The files
are gzip-compressed with mtime 0 (the same bytes on every run).

Usage: ``python assets/data/text/derive_nsmc.py /work/.mirror/e9t+nsmc/repo/.git``
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

COMMIT = "cc0670e872d4ac27bfe36c87456783004b39ef6c"
SEED = 1234  # the seed of the repository's own scripts
PER_CLASS_TRAIN = 10_000
PER_CLASS_TEST = 2_500
HERE = Path(__file__).resolve().parent
HEADER = "id\tdocument\tlabel"


def raw_reviews(git_dir: str):
    """Every review of every raw/*.json at COMMIT, files in path order (``git ls-tree`` order)."""
    listing = subprocess.run(
        ["git", f"--git-dir={git_dir}", "ls-tree", "-r", COMMIT, "raw/"], check=True, capture_output=True, text=True
    ).stdout.split("\n")
    blobs = [line.split()[2] for line in listing if line.endswith(".json")]
    proc = subprocess.run(
        ["git", f"--git-dir={git_dir}", "cat-file", "--batch"],
        input="\n".join(blobs).encode() + b"\n",
        check=True,
        capture_output=True,
    )
    out, pos = proc.stdout, 0
    for _ in blobs:
        end = out.index(b"\n", pos)
        size = int(out[pos:end].split()[2])
        body = out[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1
        yield from json.loads(body.decode("utf-8"))


def labelled_lines(git_dir: str) -> tuple[list[str], list[int], dict]:
    """(lines, labels, counts): the repository's rule applied to every raw review."""
    lines, labels = [], []
    counts = {"reviews": 0, "neutral": 0, "empty": 0}
    for review in raw_reviews(git_dir):
        counts["reviews"] += 1
        rating = int(review["rating"])
        if rating > 8:
            label = 1
        elif rating < 5:
            label = 0
        else:
            counts["neutral"] += 1
            continue
        document = re.sub(r"\s+", " ", review["review"])
        if not document.strip():
            counts["empty"] += 1
            continue
        lines.append(f"{review['review_id']}\t{document}\t{label}")
        labels.append(label)
    return lines, labels, counts


def main(git_dir: str) -> None:
    lines, labels, counts = labelled_lines(git_dir)
    labels = np.asarray(labels)
    rng = np.random.default_rng(SEED)
    train, test = [], []
    for c in (0, 1):
        members = rng.permutation(np.flatnonzero(labels == c))
        train.extend(members[:PER_CLASS_TRAIN])
        test.extend(members[PER_CLASS_TRAIN : PER_CLASS_TRAIN + PER_CLASS_TEST])
    counts.update(positive=int((labels == 1).sum()), negative=int((labels == 0).sum()))
    for name, chosen in (("nsmc_train_20k.txt.gz", train), ("nsmc_test_5k.txt.gz", test)):
        order = rng.permutation(np.asarray(chosen))
        text = "\n".join([HEADER, *(lines[i] for i in order)]) + "\n"
        data = gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
        (HERE / name).write_bytes(data)
        print(name, len(order), "lines", len(data), "bytes", hashlib.sha256(data).hexdigest())
    print(json.dumps(counts))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/work/.mirror/e9t+nsmc/repo/.git")
