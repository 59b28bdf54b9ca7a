"""Stratified sampling shared by the digits and the NSMC reviews (its own module, below both, so neither imports
the other for it)."""

from __future__ import annotations

import numpy as np


def stratified_take(labels: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted positions of ``n`` of ``labels``, each class getting its share (largest remainder), chosen at random.

    The class counts of the pick are ``n * count_c / len(labels)`` rounded so they sum to ``n`` exactly.
    """
    labels = np.asarray(labels)
    n = int(n)
    if not 0 <= n <= len(labels):
        raise ValueError(f"cannot take {n} of {len(labels)} samples")
    classes, counts = np.unique(labels, return_counts=True)
    exact = counts * (n / len(labels)) if len(labels) else counts.astype(float)
    take = np.floor(exact).astype(int)
    short = n - int(take.sum())
    if short:
        # the classes with the largest remainders get one more (stable: ties -> smaller class)
        order = np.argsort(-(exact - take), kind="stable")
        take[order[:short]] += 1
    chosen = []
    for c, k in zip(classes, take, strict=True):
        members = np.flatnonzero(labels == c)
        chosen.append(rng.permutation(members)[:k])
    return np.sort(np.concatenate(chosen)) if chosen else np.empty(0, np.int64)
