"""``python -m rnn_lab inspect-data FILE [--json]``: what the reader makes of a file.

With ``--json``: rows, columns (canonical names in order), date_column, start, end, frequency, encoding,
delimiter, decisions, problems, head and tail (first/last 3 rows in date order, parsed numbers).
An unusable file exits with status 2 and one line on stderr (rnn_lab.cli turns DataError into that).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from rnn_lab import i18n
from rnn_lab.data.reader import DELIMITERS, Loaded, read_file
from rnn_lab.errors import UsageError
from rnn_lab.flags import Flag, add_flags

DELIMITER_CHARS = {name: char for char, name in DELIMITERS.items()}


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("inspect-data", help="read a CSV/TSV/TXT/XLSX file and report what was found")
    p.add_argument("file", help="the file to read")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_flags(p, (Flag("data_sentinel", "--sentinel", default=None), Flag("data_date_order", "--date-order")))
    p.set_defaults(func=run)


def _records(loaded: Loaded, rows) -> list[dict]:
    out = []
    for when, row in rows.iterrows():
        rec = {"Date": when.date().isoformat()} if loaded.has_dates else {}
        rec.update(
            {k: (None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)) for k, v in row.items()}
        )
        out.append(rec)
    return out


def summary(loaded: Loaded) -> dict:
    """The JSON object described in the module docstring."""
    frame = loaded.frame
    return {
        "rows": loaded.rows,
        "columns": (["Date"] if loaded.has_dates else []) + list(frame.columns),
        "date_column": loaded.date_column,
        "start": loaded.start,
        "end": loaded.end,
        "frequency": i18n.t(f"data.freq.{loaded.frequency}", "en") if loaded.has_dates else None,
        "encoding": loaded.encoding,
        "delimiter": DELIMITER_CHARS.get(loaded.delimiter),
        "decisions": [n.text("en") for n in loaded.decisions],
        "problems": [n.text("en") for n in loaded.problems],
        "head": _records(loaded, frame.head(3)),
        "tail": _records(loaded, frame.tail(3)),
    }


def run(args) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    loaded = read_file(path, sentinel=args.sentinel, date_order=args.date_order)  # DataError -> exit 2
    info = summary(loaded)
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return 0
    print(f"{path.name}: {info['rows']} rows, columns {', '.join(info['columns'])}")
    if info["start"]:
        print(f"dates: {info['start']} .. {info['end']} ({info['frequency']}), from column {info['date_column']!r}")
    for title, notes in (("decisions", info["decisions"]), ("problems", info["problems"])):
        if notes:
            print(f"{title}:")
            for note in notes:
                print(f"  - {note}")
    print(frame_text(loaded))
    return 0


def frame_text(loaded: Loaded) -> str:
    frame = loaded.frame
    if len(frame) <= 6:
        return frame.to_string()
    return frame.head(3).to_string() + "\n...\n" + frame.tail(3).to_string(header=False)
