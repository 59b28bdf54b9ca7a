"""Small datasets and files several tests share."""

from __future__ import annotations

from helpers.paths import ROOT

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


# The digits task from a link or session state: the MNIST subset, 200 training-side images, 28 rows of 28 pixels.
DIGITS = {
    "task": "classify",
    "data_source_kind": "digits",
    "data_digits_limit": 200,
    "data_val_frac": 0.1,
    "arch_timesteps": 28,
    "arch_features": 28,
    "arch_dense_units": 10,
}

# The Train page on the digits from a link: an LSTM(16) for one short epoch on 300 images.
DIGITS_LINK = (
    "train?task=classify&data_source_kind=digits&data_digits_limit=300&data_val_frac=0.1"
    "&train_loss=sparse_categorical_crossentropy&arch_cell=LSTM&arch_units_1=16&arch_timesteps=28&arch_features=28"
    "&arch_dense_units=10&train_epochs=1"
)

# The bundled Yahoo Samsung export, and the block that samsung_with_nulls writes as days without data.
SAMSUNG = ROOT / "assets" / "data" / "samsung_005930KS_yahoo_2014-2019.csv"
SAMSUNG_GAP = ("2019-02-07", "2019-05-16")


def samsung_with_nulls(start: str = SAMSUNG_GAP[0], end: str = SAMSUNG_GAP[1]) -> bytes:
    """The Samsung export with the days ``start`` .. ``end`` as Yahoo writes a day without data (``null``)."""
    lines = SAMSUNG.read_text().splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        day = line.split(",", 1)[0]
        out.append(f"{day},null,null,null,null,null,null" if start <= day <= end else line)
    return ("\n".join(out) + "\n").encode()
