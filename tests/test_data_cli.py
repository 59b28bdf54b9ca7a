"""``python -m rnn_lab inspect-data FILE [--json]``: the JSON contract and exit status 2 for unusable files."""

import json
import subprocess
import sys

import pytest
from helpers import ASSETS_DATA, ROOT

from rnn_lab.cli import main

SAMSUNG = ASSETS_DATA / "samsung_005930KS_yahoo_2014-2019.csv"
KEYS = {
    "rows",
    "columns",
    "date_column",
    "start",
    "end",
    "frequency",
    "encoding",
    "delimiter",
    "decisions",
    "problems",
    "head",
    "tail",
}


def run_json(capsys, *argv):
    assert main(["inspect-data", *map(str, argv), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_for_the_samsung_file(capsys):
    info = run_json(capsys, SAMSUNG)
    assert set(info) == KEYS
    assert info["rows"] == 1226 and info["start"] == "2014-08-04" and info["end"] == "2019-08-02"
    assert info["columns"] == ["Date", "Open", "High", "Low", "Close", "Adj Close", "Volume"]
    assert info["date_column"] == "Date" and info["encoding"] == "UTF-8" and info["delimiter"] == ","
    assert info["head"][0] == {
        "Date": "2014-08-04",
        "Open": 26000.0,
        "High": 26340.0,
        "Low": 25820.0,
        "Close": 26340.0,
        "Adj Close": 71.2276,
        "Volume": 12066750.0,
    }
    assert [r["Date"] for r in info["tail"]] == ["2019-07-31", "2019-08-01", "2019-08-02"]
    assert any("Adj Close" in p for p in info["problems"])


def test_json_for_a_messy_file(tmp_path, capsys):
    path = tmp_path / "krx.csv"
    text = '날짜,종가,거래량\r\n2018/04/20,"2,520,000",\r\n2018/04/19,"2,533,000","212,345"\r\n2018/04/18,-,"112,345"\r\n,,\r\n'
    path.write_bytes(text.encode("cp949"))
    info = run_json(capsys, path)
    assert info["rows"] == 3  # the blank row is not counted; rows with missing values are
    assert info["columns"] == ["Date", "Close", "Volume"] and info["date_column"] == "날짜"
    assert info["encoding"] == "CP949/EUC-KR" and info["start"] == "2018-04-18" and info["frequency"] == "daily"
    assert info["head"][0] == {"Date": "2018-04-18", "Close": None, "Volume": 112345.0}  # date order
    assert sum("missing" in p for p in info["problems"]) == 2


def test_json_without_dates(tmp_path, capsys):
    path = tmp_path / "v.txt"
    path.write_text("1\n2\n3\n4\n")
    info = run_json(capsys, path)
    assert info["start"] is None and info["end"] is None and info["date_column"] is None
    assert info["columns"] == ["value"] and info["head"] == [{"value": 1.0}, {"value": 2.0}, {"value": 3.0}]


def test_plain_text_output(capsys):
    assert main(["inspect-data", str(ASSETS_DATA / "airline_passengers_jbrownlee_1949-1960.csv")]) == 0
    out = capsys.readouterr().out
    assert "144 rows" in out and "1949-01-01 .. 1960-12-01 (monthly)" in out


@pytest.mark.parametrize(("content", "needle"), [(b"", "empty"), (b"\x89PNG\r\n\x1a\n" + bytes(64), "image")])
def test_unusable_file_exits_2_with_one_line(tmp_path, content, needle):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    out = subprocess.run(
        [sys.executable, "-m", "rnn_lab", "inspect-data", str(path), "--json"],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2 and out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and needle in out.stderr and "Traceback" not in out.stderr


def test_missing_file_exits_2(tmp_path, capsys):
    assert main(["inspect-data", str(tmp_path / "nope.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
