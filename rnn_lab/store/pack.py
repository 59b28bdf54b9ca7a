"""Generic serialisation of what a run keeps for its pages, without pickle.

:func:`pack` turns a dict of DataFrames, Series, NumPy arrays, plain numbers/strings/None and lists/dicts of
those into one zip archive: frames and series as Parquet (their index, dtypes and names kept), arrays as ``.npy``
(``allow_pickle=False``), everything else as JSON (NaN and infinities kept). :func:`unpack` gives the same dict
back. Nested dicts are packed key by key, so a frame may sit inside a dict.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from typing import Any

import numpy as np
import pandas as pd

INDEX = "index.json"


def to_jsonable(value: Any) -> Any:
    """Plain JSON data from NumPy scalars/arrays, tuples and pandas timestamps (json.dumps keeps NaN)."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    return value


def dumps(value: Any) -> str:
    return json.dumps(to_jsonable(value), ensure_ascii=False, allow_nan=True)


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _is_plain(value: Any) -> bool:
    if value is None or isinstance(value, (bool, int, str)):
        return True
    if isinstance(value, float):
        return True
    if isinstance(value, np.generic):
        return True
    if isinstance(value, (list, tuple)):
        return all(_is_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain(v) for k, v in value.items())
    return False


def _frame_bytes(frame: pd.DataFrame) -> bytes:
    out = io.BytesIO()
    frame = frame.copy()
    frame.columns = [str(c) for c in frame.columns]
    frame.to_parquet(out, engine="pyarrow")
    return out.getvalue()


def _freq(obj) -> str | None:
    """The frequency of a date index (Parquet keeps the dates, not the frequency the forecast axis uses)."""
    return getattr(obj.index, "freqstr", None) if isinstance(obj.index, pd.DatetimeIndex) else None


def _with_freq(obj, freq: str | None):
    if freq:
        obj.index = pd.DatetimeIndex(obj.index, freq=freq)
    return obj


def _entry(zf: zipfile.ZipFile, path: str, value: Any) -> dict:
    if isinstance(value, pd.DataFrame):
        names = list(value.columns)
        zf.writestr(path + ".parquet", _frame_bytes(value))
        return {"kind": "frame", "file": path + ".parquet", "columns": to_jsonable(names), "freq": _freq(value)}
    if isinstance(value, pd.Series):
        zf.writestr(path + ".parquet", _frame_bytes(value.to_frame(name="value")))
        return {"kind": "series", "file": path + ".parquet", "name": to_jsonable(value.name), "freq": _freq(value)}
    if isinstance(value, np.ndarray) and value.dtype != object:
        buf = io.BytesIO()
        np.save(buf, value, allow_pickle=False)
        zf.writestr(path + ".npy", buf.getvalue())
        return {"kind": "array", "file": path + ".npy"}
    if isinstance(value, dict) and not _is_plain(value):
        return {
            "kind": "dict",
            "items": {str(k): _entry(zf, f"{path}.{i}", v) for i, (k, v) in enumerate(value.items())},
        }
    if isinstance(value, (list, tuple)) and not _is_plain(value):
        return {"kind": "list", "items": [_entry(zf, f"{path}.{i}", v) for i, v in enumerate(value)]}
    if not _is_plain(value):
        raise TypeError(f"cannot store a {type(value).__name__} in a run's results")
    return {"kind": "json", "value": to_jsonable(value), "tuple": isinstance(value, tuple)}


def pack(values: dict) -> bytes:
    """One archive holding ``values`` (see the module doc); raises TypeError for a type it cannot keep."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        index = {str(k): _entry(zf, f"v{i}", v) for i, (k, v) in enumerate(values.items())}
        zf.writestr(INDEX, json.dumps(index, allow_nan=True))
    return buf.getvalue()


def _value(zf: zipfile.ZipFile, entry: dict) -> Any:
    kind = entry["kind"]
    if kind == "frame":
        frame = pd.read_parquet(io.BytesIO(zf.read(entry["file"])), engine="pyarrow")
        frame.columns = entry["columns"]
        return _with_freq(frame, entry.get("freq"))
    if kind == "series":
        series = pd.read_parquet(io.BytesIO(zf.read(entry["file"])), engine="pyarrow")["value"]
        series.name = entry["name"]
        return _with_freq(series, entry.get("freq"))
    if kind == "array":
        return np.load(io.BytesIO(zf.read(entry["file"])), allow_pickle=False)
    if kind == "dict":
        return {k: _value(zf, e) for k, e in entry["items"].items()}
    if kind == "list":
        return [_value(zf, e) for e in entry["items"]]
    value = entry["value"]
    return tuple(value) if entry.get("tuple") and isinstance(value, list) else value


def unpack(data: bytes | None) -> dict:
    if not data:
        return {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        index = json.loads(zf.read(INDEX))
        return {k: _value(zf, e) for k, e in index.items()}


def weights_bytes(weights: list[np.ndarray]) -> bytes:
    """A list of weight arrays as one ``.npz`` (order kept: ``w0``, ``w1``, ...)."""
    buf = io.BytesIO()
    np.savez(buf, **{f"w{i}": np.asarray(w) for i, w in enumerate(weights)})
    return buf.getvalue()


def weights_from_bytes(data: bytes) -> list[np.ndarray]:
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        return [npz[f"w{i}"] for i in range(len(npz.files))]


def checkpoint_bytes(weights: list[np.ndarray], optimizer: list[np.ndarray] | None) -> bytes:
    """A training's state after an epoch as one ``.npz``: the model's weights ``w0``, ``w1``, ... (in
    ``model.get_weights()`` order) and the optimizer's variables ``o0``, ``o1``, ..."""
    arrays = {f"w{i}": np.asarray(w) for i, w in enumerate(weights)}
    arrays.update({f"o{i}": np.asarray(v) for i, v in enumerate(optimizer or [])})
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def checkpoint_from_bytes(data: bytes) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """``(weights, optimizer variables)`` of :func:`checkpoint_bytes`."""
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        names = set(npz.files)
        count = lambda p: sum(1 for n in names if n.startswith(p))  # noqa: E731
        return [npz[f"w{i}"] for i in range(count("w"))], [npz[f"o{i}"] for i in range(count("o"))]


def finite_or_none(x: Any) -> Any:
    return None if isinstance(x, float) and not math.isfinite(x) else x
