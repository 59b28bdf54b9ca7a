"""Settings of the Data page (``data_`` keys) and the per-source defaults applied when the source changes."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rnn_lab.data.errors import DataError
from rnn_lab.data.toys import TOYS, recommended_window
from rnn_lab.data.units import CURRENCY_CHOICES
from rnn_lab.settings import Setting, setting

SOURCE_KINDS = ("toy", "bundled", "upload", "digits", "text")  # digits: classify only; text: classify, next_token
BUNDLED_NAMES = ("samsung", "aapl", "airline", "sunspots")
SCALINGS = ("none", "minmax", "standard")  # here, below prepare.py and clean.py, which import it
MISSING_STRATEGIES = ("ffill", "interpolate", "drop")
OUTLIER_STRATEGIES = ("leave", "iqr", "zscore")
DATE_ORDERS = ("auto", "dmy", "mdy")
# text (rnn_lab/data/text.py): here, below the text module, so it imports these and not the other way round
TOKENS = ("char", "word")
PADDINGS = ("pre", "post")
TEXT_SOURCES = ("tiny-en", "tiny-ko", "nsmc", "own")
NSMC_LIMIT = (100, 20_000)  # training reviews a run may use (of the 20,000 shipped)

SETTINGS = (
    Setting("data_source_kind", "toy", choices=SOURCE_KINDS),
    Setting("data_toy", "counting", choices=tuple(TOYS)),
    Setting("data_bundled", "samsung", choices=BUNDLED_NAMES),
    Setting("data_toy_length", 15, min=10, max=20000),
    Setting("data_toy_noise", 0.0, min=0.0, max=5.0),
    Setting("data_toy_seed", 0, min=0, max=2**31 - 1),
    Setting("data_toy_lag", TOYS["long_memory"].params["lag"], min=2, max=200),  # long_memory only
    Setting("data_target", "value"),  # options depend on the data: validated on the page
    Setting("data_features", ""),  # feature columns, see join_columns; "" = the target alone
    Setting("data_window", 5, min=1, max=1000),
    Setting("data_horizon", 1, min=1, max=100),
    Setting("data_val_frac", 0.0, min=0.0, max=0.5),
    Setting("data_test_frac", 0.0, min=0.0, max=0.5),
    Setting("data_scaling", "none", choices=SCALINGS),
    Setting("data_missing", "ffill", choices=MISSING_STRATEGIES),
    Setting("data_outliers", "leave", choices=OUTLIER_STRATEGIES),
    Setting("data_outlier_k", 1.5, min=0.5, max=10.0),
    Setting("data_sentinel", ""),  # a value that means "missing" in this file, e.g. -1
    Setting("data_date_order", "auto", choices=DATE_ORDERS),  # override for ambiguous day/month
    Setting("data_currency", "auto", choices=CURRENCY_CHOICES),  # an upload's target: its currency (data.units)
    # name of the uploaded file: a file cannot travel in a link, so the link names it and the Data page asks for it
    Setting("data_upload_name", ""),
    # drop the last row when the reader found it incomplete (e.g. only an opening price: a day still trading); on by
    # default: filled from the day before, it would become the last label with an invented value
    Setting("data_drop_last", True),
    # classification (task=classify): how many of the 8,000 training-side digits to use (fast classroom runs)
    Setting("data_digits_limit", 2000, min=20, max=8000),
    # the classification toy (data_source_kind "toy" with task=classify), its sequence length and sample count
    Setting("data_class_toy", "first_vs_last", choices=("first_vs_last",)),
    Setting("data_class_toy_length", 20, min=2, max=500),
    Setting("data_class_toy_samples", 2000, min=20, max=20000),
    # text (data_source_kind "text"): which text, its tokens, length, padding and vocabulary (rnn_lab/data/text.py)
    Setting("data_text", "tiny-en", choices=TEXT_SOURCES),  # nsmc: classify; tiny-en, tiny-ko, own: next_token
    Setting("data_text_tokens", "char", choices=TOKENS),
    Setting("data_text_maxlen", 40, min=1, max=500),
    Setting("data_text_padding", "pre", choices=PADDINGS),
    Setting("data_text_truncating", "pre", choices=PADDINGS),
    Setting("data_text_vocab", 2000, min=3, max=50000),  # largest vocabulary, [PAD] and [UNK] included
    Setting("data_text_limit", 5000, min=NSMC_LIMIT[0], max=NSMC_LIMIT[1]),  # nsmc: training reviews used
)

# Tutorial defaults for the counting toy: all ten windows train, raw numbers (0.0 .. 1.4).
TUTORIAL = {"data_val_frac": 0.0, "data_test_frac": 0.0, "data_scaling": "none", "data_window": 5, "data_horizon": 1}
# Any other source: chronological 70/15/15 and MinMax fitted on the training rows.
GENERAL = {"data_val_frac": 0.15, "data_test_frac": 0.15, "data_scaling": "minmax", "data_horizon": 1}


def join_columns(names) -> str:
    """Column names as one setting value (and URL parameter): joined by commas.

    A comma or backslash inside a name is escaped with a backslash ("Price, KRW" -> "Price\\, KRW"), so any
    name round-trips through :func:`split_columns`. Names without either character are written exactly as
    before this escaping existed, so old links ("Close,Volume") still mean the same columns.
    """
    return ",".join(str(n).replace("\\", "\\\\").replace(",", "\\,") for n in names)


def split_columns(text: str) -> list[str]:
    """The inverse of :func:`join_columns`; empty names are dropped. A backslash before anything other than a
    comma or a backslash is kept as it is (old links wrote names like "C:\\x" unescaped)."""
    names, current, i, text = [], [], 0, str(text or "")
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in ",\\":
            current.append(text[i + 1])
            i += 2
            continue
        if ch == ",":
            names.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    names.append("".join(current))
    return [n for n in names if n]


def upload_window(rows: int, preferred: int = 20) -> int:
    """The default window for an uploaded table: ``preferred`` (20), or less for a short file, so that the
    training rows (70% with the default splits) hold at least three times the window: a file of 8 or 30 rows
    still gives windows to train on instead of an error."""
    train_rows = round(rows * (1 - GENERAL["data_val_frac"] - GENERAL["data_test_frac"]))
    return max(1, min(preferred, train_rows // 3))


@dataclass(frozen=True)
class DataConfig:
    """How a number series becomes windows: the ``data_`` settings the preparation of a forecast dataset reads
    (:func:`rnn_lab.data.prepare.prepare_series`). Where the series comes from (toy, bundled, upload) is not here:
    each path loads its own table. Defaults are the settings' defaults."""

    target: str = "value"  # the column to predict
    features: tuple[str, ...] = ()  # the input columns; () = the target alone
    window: int = 5  # time steps per window
    horizon: int = 1  # the label is this many steps after the window's last row
    val_frac: float = 0.0  # chronological split by row: training, then validation, then test
    test_frac: float = 0.0
    scaling: str = "none"  # none | minmax | standard, fitted on the training rows
    missing: str = "ffill"  # gaps: ffill | interpolate | drop
    outliers: str = "leave"  # leave | iqr | zscore (limits from the training rows)
    outlier_k: float = 1.5  # the IQR or z-score multiplier

    @property
    def inputs(self) -> tuple[str, ...]:
        return self.features or (self.target,)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the preparation reads: the inputs, then the target if it is not one of them."""
        return tuple(dict.fromkeys([*self.inputs, self.target]))


_SERIES_KEYS = (
    *("data_target", "data_features", "data_window", "data_horizon", "data_val_frac", "data_test_frac"),
    *("data_scaling", "data_missing", "data_outliers", "data_outlier_k"),
)


def config_from_values(values: Mapping[str, Any]) -> DataConfig:
    """The :class:`DataConfig` of the ``data_`` keys in ``values`` (missing keys -> defaults); a DataError (a
    ValueError) naming the setting and what is allowed when a value is out of range."""
    try:  # only these keys: a value the series does not use is not its business
        v = {key: setting(key).read(values) for key in _SERIES_KEYS}
    except ValueError as err:  # e.g. a link or a stored run with data_window=0
        raise DataError("bad_setting", reason=str(err)) from None
    return DataConfig(
        target=v["data_target"],
        features=tuple(split_columns(v["data_features"])),
        window=v["data_window"],
        horizon=v["data_horizon"],
        val_frac=float(v["data_val_frac"]),
        test_frac=float(v["data_test_frac"]),
        scaling=v["data_scaling"],
        missing=v["data_missing"],
        outliers=v["data_outliers"],
        outlier_k=float(v["data_outlier_k"]),
    )


def signature(values, upload_digest: str = "") -> tuple:
    """What a prepared dataset was built from: every ``data_`` setting, plus the uploaded file's digest.

    Two equal signatures give the same PreparedData, so a dataset whose signature differs from the
    current settings is stale and must be rebuilt (the settings may change on any page: lessons, links).
    """
    return (*((s.key, values.get(s.key, s.default)) for s in SETTINGS), ("upload_digest", upload_digest))


def source_defaults(kind: str, toy: str = "counting", bundled: str = "samsung", text: str = "tiny-en") -> dict:
    """Setting values to apply when the user picks a source (an on_change callback applies them)."""
    if kind == "toy":
        spec = TOYS[toy]
        out = dict(TUTORIAL) if toy == "counting" else {**GENERAL, "data_window": recommended_window(toy)}
        out.update(
            {"data_toy_length": spec.length, "data_toy_noise": spec.noise, "data_target": "value", "data_features": ""}
        )
        if toy == "long_memory":
            out["data_toy_lag"] = spec.params["lag"]
        return out
    if kind == "text":  # nsmc: a tenth of the used training reviews validate, the shipped test file tests
        if text == "nsmc":
            return {
                "data_text": "nsmc",
                "data_val_frac": 0.1,
                "data_test_frac": 0.0,
                "data_text_maxlen": 60,
                "data_text_padding": "pre",
            }
        # a language model: post padding, so a line always starts at step 0 as it does when generating (see
        # rnn_lab/data/text.py: with pre padding and no mask the number of [PAD]s tells the line's length)
        return {
            "data_text": text,
            "data_val_frac": 0.0,
            "data_test_frac": 0.0,
            "data_text_maxlen": 40,
            "data_text_padding": "post",
        }
    if kind == "digits":  # the test set is fixed (2,000 images); a tenth of the used training images validate
        return {"data_val_frac": 0.1, "data_digits_limit": 2000}
    out = {**GENERAL, "data_window": 20, "data_features": "", "data_drop_last": True}
    if kind == "bundled":
        out["data_target"] = {"samsung": "Close", "aapl": "Close", "airline": "Passengers", "sunspots": "Sunspots"}[
            bundled
        ]
        out["data_window"] = 12 if bundled in ("airline", "sunspots") else 20
    return out
