"""``python -m rnn_lab class ...``: start a class, join it, read its live board (issue 26).

Example::

    python -m rnn_lab class create --name "Class 3-2" --json      # code, teacher_key, join_link, teacher_link
    python -m rnn_lab class join K7QX2M --nickname Mina --json    # workspace (train ... --save-run --workspace it)
    python -m rnn_lab class board K7QX2M --teacher-key KEY --json # one row per student; wrong key: exit 2

Links are built on ``RNN_LAB_PUBLIC_URL`` (default http://localhost:8501). Wrong codes are slowed per process only
(each CLI call is a new process; the app's server keeps one counter for all its visitors).
"""

from __future__ import annotations

import json
import os
from urllib.parse import urlencode

from rnn_lab.errors import UsageError
from rnn_lab.store.board import board_csv, class_board, state_text
from rnn_lab.store.classes import ClassError, create_class, join_class
from rnn_lab.store.cli import clean_json, open_store

DEFAULT_PUBLIC_URL = "http://localhost:8501"
CLASS_PAGE = "class"  # the Class page's url path in the app


def public_url() -> str:
    return (os.environ.get("RNN_LAB_PUBLIC_URL", "").strip() or DEFAULT_PUBLIC_URL).rstrip("/")


def join_link(code: str) -> str:
    return f"{public_url()}/{CLASS_PAGE}?{urlencode({'join': code})}"


def teacher_link(code: str, key: str) -> str:
    return f"{public_url()}/{CLASS_PAGE}?{urlencode({'class': code, 'teacher': key})}"


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "class",
        help="start a class, join one, or read its live board",
        description="A teacher's class: a short code to join, a secret teacher key for the board.",
    )
    sub = p.add_subparsers(dest="class_command", required=True, parser_class=type(p))
    create = sub.add_parser("create", help="start a class: prints its code, the teacher key and the join link")
    create.add_argument("--name", required=True)
    create.add_argument("--json", action="store_true")
    create.set_defaults(func=create_command)
    join = sub.add_parser("join", help="join a class: prints the workspace token to train into")
    join.add_argument("code")
    join.add_argument("--nickname", required=True)
    join.add_argument("--workspace", help="join with this existing workspace (default: a new one)")
    join.add_argument("--json", action="store_true")
    join.set_defaults(func=join_command)
    board = sub.add_parser("board", help="the live table: one row per student (teacher key needed)")
    board.add_argument("code")
    board.add_argument("--teacher-key", required=True)
    board.add_argument("--json", action="store_true")
    board.add_argument("--csv", action="store_true", help="print the class table as CSV")
    board.set_defaults(func=board_command)


def _store():
    return open_store()


def create_command(args) -> int:
    try:
        code, key = create_class(_store(), args.name)
    except ClassError as err:
        raise UsageError(str(err)) from None
    out = {"code": code, "teacher_key": key, "join_link": join_link(code), "teacher_link": teacher_link(code, key)}
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(
            f"class code: {code}\njoin link: {out['join_link']}\nteacher link (keep it secret): {out['teacher_link']}"
        )
    return 0


def join_command(args) -> int:
    try:
        joined = join_class(_store(), args.code, args.nickname, args.workspace, client="cli")
    except ClassError as err:
        raise UsageError(str(err)) from None
    out = {"workspace": joined["workspace"], "nickname": joined["display"], "class": joined["class_name"]}
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(f"joined {out['class']} as {out['nickname']}\nworkspace: {out['workspace']}")
    return 0


def board_command(args) -> int:
    board = class_board(_store(), args.code, args.teacher_key)
    if board is None:
        raise UsageError("wrong class code or teacher key")
    rows = board["rows"]
    if args.csv:
        print(board_csv(rows), end="")
        return 0
    if args.json:
        out = {
            "class": board["class"]["name"],
            "code": board["class"]["code"],
            "rows": [{**r, "state_text": state_text(r)} for r in rows],
            "leaderboard": [
                {"task": task, "data": data, "entries": entries}
                for (task, data), entries in board["leaderboard"].items()
            ],
        }
        print(json.dumps(clean_json(out), ensure_ascii=False))
        return 0
    for r in rows:
        best = "" if r["best_score"] is None else f"  best {r['metric']} {r['best_score']:.3f}"
        print(f"{r['nickname']}: {state_text(r)}{best}")
    return 0
