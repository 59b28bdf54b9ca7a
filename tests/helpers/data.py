"""Small datasets and files several tests share."""

from __future__ import annotations

# A Korean exchange's export: cp949, YYYY/MM/DD dates newest first, thousands separators in quotes.
GOOD = (
    "일자,종가,거래량\r\n"
    + "".join(f'2021/03/{d:02d},"{70000 + 100 * d:,}","{1000 * d:,}"\r\n' for d in range(31, 0, -1))
).encode("cp949")


def texts(elements):
    """The values of AppTest elements (markdown, captions, ...)."""
    return [e.value for e in elements]


def counting():
    """The counting tutorial's windows (0.0 .. 1.4, window 5, everything trains)."""
    from rnn_lab.data.prepare import prepare
    from rnn_lab.data.toys import make_toy

    return prepare(
        make_toy("counting"),
        "value",
        window=5,
        val_frac=0,
        test_frac=0,
        scaling="none",
        source="toy:counting",
    )
