"""Data benchmark: reading + cleaning a 6,000-row OHLCV CSV, and windows of 60 over 100,000 rows.

Each figure is compared with the plain way, measured in the same run: ``pd.read_csv`` for reading
(which does none of the detection, mapping or reporting) and a Python loop for windowing.
Run: ``.venv/bin/python bench/data_bench.py`` (prints a Markdown table for docs/benchmarks.md).
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rnn_lab.data.clean import clean
from rnn_lab.data.prepare import make_windows, prepare
from rnn_lab.data.reader import read_file

ROWS_CSV = 6_000
ROWS_WINDOWS = 100_000
WINDOW = 60
REPEATS = 7


def best_of(fn, repeats: int = REPEATS) -> tuple[float, float]:
    """(best, median) wall time in seconds over ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def ohlcv(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    close = 50_000 * np.exp(np.cumsum(rng.normal(0, 0.01, rows)))
    dates = pd.bdate_range("2000-01-03", periods=rows)
    return pd.DataFrame(
        {
            "Date": dates.strftime("%Y-%m-%d"),
            "Open": close * (1 + rng.normal(0, 0.003, rows)),
            "High": close * 1.01,
            "Low": close * 0.99,
            "Close": close,
            "Adj Close": close,
            "Volume": rng.integers(1_000_000, 20_000_000, rows),
        }
    )


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.1f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{mem}; Python {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}"
    )


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        yahoo = Path(tmp) / "yahoo.csv"
        df = ohlcv(ROWS_CSV)
        df.to_csv(yahoo, index=False, float_format="%.6f")
        # the same data as a Korean broker export: CP949, Korean names, quoted thousands, newest first
        krx = Path(tmp) / "krx.csv"
        k = df.iloc[::-1].rename(
            columns={
                "Date": "일자",
                "Open": "시가",
                "High": "고가",
                "Low": "저가",
                "Close": "종가",
                "Adj Close": "수정종가",
                "Volume": "거래량",
            }
        )
        for col in ("시가", "고가", "저가", "종가", "수정종가"):
            k[col] = k[col].map(lambda v: f"{v:,.0f}")
        k["거래량"] = k["거래량"].map(lambda v: f"{v:,}")
        k.to_csv(krx, index=False, encoding="cp949")

        def ours(path):
            loaded = read_file(path)
            clean(loaded.frame, missing="ffill")
            return loaded

        assert len(ours(yahoo).frame) == ROWS_CSV and len(ours(krx).frame) == ROWS_CSV

        def plain():
            pd.read_csv(yahoo, parse_dates=["Date"], index_col="Date")

        p_best, _ = best_of(plain)
        for label, path in (("Yahoo CSV", yahoo), ("Korean CP949 export (quoted thousands, newest first)", krx)):
            o_best, o_med = best_of(lambda path=path: ours(path))
            rows.append(
                (
                    f"read + clean {ROWS_CSV:,}-row OHLCV, {label}",
                    o_best,
                    o_med,
                    "`pd.read_csv(parse_dates)` (Yahoo file)",
                    p_best,
                    "< 0.3 s",
                )
            )

    values = np.random.default_rng(1).normal(size=(ROWS_WINDOWS, 1)).astype(np.float64)

    def vectorised():
        X, _ = make_windows(values, WINDOW, 1)
        return np.ascontiguousarray(X, dtype=np.float32)  # materialised, as prepare() does

    def loop():
        n = len(values) - WINDOW
        return np.array([values[i : i + WINDOW] for i in range(n)], dtype=np.float32)

    np.testing.assert_array_equal(vectorised(), loop())
    v_best, v_med = best_of(vectorised)
    l_best, _ = best_of(loop, 3)
    rows.append(
        (
            f"windows of {WINDOW} over {ROWS_WINDOWS:,} rows (sliding_window_view, float32 copy)",
            v_best,
            v_med,
            "Python loop + `np.array`",
            l_best,
            "< 0.1 s",
        )
    )
    frame = pd.DataFrame({"value": values[:, 0]})
    f_best, f_med = best_of(lambda: prepare(frame, "value", window=WINDOW, val_frac=0.15, test_frac=0.15))
    rows.append(
        (
            f"full `prepare()` ({ROWS_WINDOWS:,} rows, window {WINDOW}, 70/15/15, MinMax)",
            f_best,
            f_med,
            "Python loop + `np.array` (windows only)",
            l_best,
            "-",
        )
    )

    print(f"Machine: {machine()}\n")
    print("| task | ours best (median) | plain way | plain best | ratio ours/plain | target |")
    print("|---|---|---|---|---|---|")
    for task, best, med, plain_name, plain_best, target in rows:
        print(
            f"| {task} | {best * 1000:.1f} ms ({med * 1000:.1f} ms) | {plain_name} | {plain_best * 1000:.1f} ms "
            f"| {best / plain_best:.2f} | {target} |"
        )


if __name__ == "__main__":
    main()
