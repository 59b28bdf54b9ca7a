"""Where a dataset comes from: toys, the bundled files under ``assets/data/``, or bytes the user uploaded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rnn_lab.data.errors import Note
from rnn_lab.data.reader import Loaded, read_file
from rnn_lab.data.toys import make_toy

ASSETS = Path(__file__).resolve().parents[2] / "assets" / "data"


@dataclass(frozen=True)
class Bundled:
    file: str
    origin: str  # repository, path, commit
    license: str
    rows: int
    start: str
    end: str
    target: str


BUNDLED = {
    "samsung": Bundled(
        "samsung_005930KS_yahoo_2014-2019.csv",
        "aeharvlee/lstm-stock-price-prediction data/005930.KS.csv @6338e5e",
        "MIT",
        1226,
        "2014-08-04",
        "2019-08-02",
        "Close",
    ),
    "aapl": Bundled(
        "kaggle_sp500_5yr_AAPL_data.csv",
        "CNuge/kaggle-code stock_data/individual_stocks_5yr/AAPL_data.csv @f1109438",
        "MIT",
        1259,
        "2013-02-08",
        "2018-02-07",
        "Close",
    ),
    "airline": Bundled(
        "airline_passengers_jbrownlee_1949-1960.csv",
        "jbrownlee/Datasets airline-passengers.csv @d20fcb6",
        "none stated (Box & Jenkins)",
        144,
        "1949-01-01",
        "1960-12-01",
        "Passengers",
    ),
    "sunspots": Bundled(
        "monthly_sunspots_1749-1983.csv",
        "jbrownlee/Datasets monthly-sunspots.csv @d20fcb6",
        "none stated (SILSO)",
        2820,
        "1749-01-01",
        "1983-12-01",
        "Sunspots",
    ),
}


def load_bundled(name: str) -> Loaded:
    """Read a bundled file with the same reader as uploads (it detects the Samsung Adj Close scale quirk)."""
    if name not in BUNDLED:
        raise ValueError(f"unknown bundled series {name!r}; use one of {', '.join(BUNDLED)}")
    return read_file(ASSETS / BUNDLED[name].file, source=f"bundled:{name}")


def load_toy(name: str, length: int | None = None, noise: float | None = None, seed: int = 0, **params) -> Loaded:
    frame = make_toy(name, length=length, noise=noise, seed=seed, **params)
    return Loaded(frame=frame, source=f"toy:{name}", name=name, rows=len(frame), decisions=[Note("no_date")])
