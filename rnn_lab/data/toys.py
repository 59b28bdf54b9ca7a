"""Toy sequences with known structure, each a one-column DataFrame (``value``) on a RangeIndex.

``counting`` is the classic Keras tutorial: 0.0, 0.1, ..., 1.4 cut into windows of 5 gives
ten samples, X shape (10, 5, 1), X[0] = [0.0 .. 0.4] -> y[0] = 0.5.
``long_memory`` needs a memory of ``lag`` steps: use window = lag (default 40); the answer is
then the FIRST value of the window, which SimpleRNN struggles to carry and LSTM/GRU learn. The default lag is
the Inside page's experiment and the "Why LSTM?" lesson's: at 40 SimpleRNN's gradient fades (at 20 it still learns).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Toy:
    """One toy sequence: its defaults, extra parameters and recommended window."""

    name: str
    length: int  # default number of values
    noise: float  # default std of Gaussian noise added to every value
    params: dict = field(default_factory=dict)  # extra keyword parameters with their defaults
    window: int = 20  # a sensible window for this toy

    @property
    def explain_key(self) -> str:
        return f"data.toy.{self.name}"


TOYS: dict[str, Toy] = {
    toy.name: toy
    for toy in (
        Toy("counting", 15, 0.0, {"step": 0.1}, window=5),
        Toy("sine", 400, 0.0, {"period": 25.0}),
        Toy("noisy_sine", 400, 0.15, {"period": 25.0}),
        Toy("sum_of_sines", 400, 0.0, {"period": 25.0, "period2": 7.0}),
        Toy("damped", 400, 0.0, {"period": 25.0, "tau": 150.0}),
        Toy("trend_seasonal", 400, 0.1, {"period": 12.0, "slope": 0.02}),
        Toy("random_walk", 400, 0.0, {"step": 1.0}),
        Toy("long_memory", 1000, 0.0, {"lag": 40, "rho": 0.95}, window=40),
    )
}


def recommended_window(name: str, **params) -> int:
    """Window to use with a toy; for ``long_memory`` it is its ``lag`` (the answer is then the window's first value)."""
    if name == "long_memory":
        return int(params.get("lag", TOYS[name].params["lag"]))
    return TOYS[name].window


def make_toy(name: str, length: int | None = None, noise: float | None = None, seed: int = 0, **params) -> pd.DataFrame:
    """The toy ``name`` as a DataFrame with one ``value`` column (float64, RangeIndex)."""
    if name not in TOYS:
        raise ValueError(f"unknown toy {name!r}; use one of {', '.join(TOYS)}")
    toy = TOYS[name]
    unknown = set(params) - set(toy.params)
    if unknown:
        raise ValueError(f"toy {name!r} has no parameter {', '.join(sorted(unknown))}; it has {', '.join(toy.params)}")
    p = {**toy.params, **params}
    n = int(toy.length if length is None else length)
    sigma = float(toy.noise if noise is None else noise)
    if n < 2:
        raise ValueError("a toy needs at least 2 values")
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=np.float64)  # time step 0..n-1
    if name == "counting":
        s = np.round(t * p["step"], 10)  # 0.0, 0.1, 0.2, ... (rounded so 0.3 prints as 0.3)
    elif name in ("sine", "noisy_sine"):
        s = np.sin(2 * np.pi * t / p["period"])
    elif name == "sum_of_sines":
        s = np.sin(2 * np.pi * t / p["period"]) + 0.5 * np.sin(2 * np.pi * t / p["period2"])
    elif name == "damped":
        s = np.exp(-t / p["tau"]) * np.sin(2 * np.pi * t / p["period"])
    elif name == "trend_seasonal":
        s = p["slope"] * t + np.sin(2 * np.pi * t / p["period"])
    elif name == "random_walk":
        s = np.cumsum(rng.normal(0.0, p["step"], n))  # s_t = s_{t-1} + eps_t
    else:  # long_memory: s_t = rho * s_{t-lag} + sqrt(1 - rho^2) * eps_t, unit variance, no short-range link
        lag, rho = int(p["lag"]), float(p["rho"])
        if not 1 <= lag < n:
            raise ValueError(f"long_memory needs 1 <= lag < length (lag={lag}, length={n})")
        eps = rng.normal(0.0, 1.0, n)  # fresh noise each step
        s = eps.copy()  # the first `lag` values are pure noise
        for i in range(lag, n):
            s[i] = rho * s[i - lag] + np.sqrt(1.0 - rho**2) * eps[i]
    if sigma > 0:
        s = s + rng.normal(0.0, sigma, n)
    return pd.DataFrame({"value": s.astype(np.float64)})
