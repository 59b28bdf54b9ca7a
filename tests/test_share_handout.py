"""The class hand-out: the short link (only what differs from the defaults or the lesson's step, without the
teacher's projection mode and session-local runs), on RNN_LAB_PUBLIC_URL, its QR code, and the Share box."""

from __future__ import annotations

import pytest

from rnn_lab import lessons, share
from rnn_lab.i18n import catalogue
from rnn_lab.settings import all_settings

SETTINGS = all_settings()


def _round_trip(params: dict[str, str]) -> dict:
    values, notices = share.decode(share.expand(params))
    assert notices == []
    return values


@pytest.mark.parametrize("lesson_id", list(lessons.LESSONS))
def test_a_lesson_step_hands_out_as_lesson_and_step_only(lesson_id):
    lesson = lessons.LESSONS[lesson_id]
    for step in range(len(lesson.steps)):
        values = lessons.start_values(lesson, step, {"lang": "ko", "projection": True}, SETTINGS)
        params = share.handout_params(values)
        assert params == {"lang": "ko", "lesson": lesson_id, **({"lesson_step": str(step)} if step else {})}
        back = _round_trip(params)
        assert back == {**values, "projection": False}  # everything but the teacher's large print


def test_changes_within_a_lesson_travel_and_personal_settings_do_not():
    lesson = lessons.LESSONS["why_lstm"]
    values = lessons.start_values(lesson, 2, {"projection": True}, SETTINGS)
    values.update(train_epochs=80, inside_run="#21 LSTM(32)", inside_source="run")
    values["data_toy_length"] = SETTINGS["data_toy_length"].default  # a lesson setting put back to its default
    assert values["data_toy_length"] != lessons.start_values(lesson, 2, {}, SETTINGS)["data_toy_length"]
    params = share.handout_params(values)
    assert params["train_epochs"] == "80"
    assert params["data_toy_length"] == SETTINGS["data_toy_length"].to_text(values["data_toy_length"])
    assert not {"projection", "inside_run", "inside_source"} & set(params)
    back = _round_trip(params)
    personal = {"projection": False, "inside_run": "", "inside_source": SETTINGS["inside_source"].default}
    assert back == {**values, **personal}
    assert set(params) == {"lesson", "lesson_step", "train_epochs", "data_toy_length"}
    full = share.build_link("http://localhost:8501/train", share.encode(values))
    short = share.build_link("http://localhost:8501/train", params)
    assert len(short) < len(full) and len(short) < 120


def test_outside_a_lesson_the_short_link_is_the_non_defaults_minus_personal_settings():
    values = {**share.decode({})[0], "arch_cell": "GRU", "projection": True, "inside_run": "#3 GRU(8)"}
    assert share.handout_params(values) == {"arch_cell": "GRU"}
    assert share.expand({"arch_cell": "GRU"}) == {"arch_cell": "GRU"}
    assert share.expand({"lesson": "nope", "x": "1"}) == {"lesson": "nope", "x": "1"}  # unknown lesson: unchanged


def test_public_url_and_local_links(monkeypatch):
    monkeypatch.delenv(share.PUBLIC_URL_ENV, raising=False)
    values = {"lang": "ko", "arch_cell": "GRU"}
    assert share.handout_link("train", values, "http://localhost:8501/train") == (
        "http://localhost:8501/train?lang=ko&arch_cell=GRU"
    )
    monkeypatch.setenv(share.PUBLIC_URL_ENV, "https://rnnlab.school.kr/lab/")
    assert share.public_url() == "https://rnnlab.school.kr/lab"
    link = share.handout_link("train", values, "http://localhost:8501/train")
    assert link == "https://rnnlab.school.kr/lab/train?lang=ko&arch_cell=GRU"
    assert share.handout_link("", {}, "x") == "https://rnnlab.school.kr/lab/"  # home
    assert not share.is_local(link)
    assert all(share.is_local(u) for u in ("http://localhost:8501/", "http://127.0.0.1:9/x", "/train?a=1"))


def test_qr_code_is_a_png_that_grows_with_the_link():
    import segno

    short, long = "https://rnnlab.school.kr/train?lesson=counting", "https://rnnlab.school.kr/train?" + "a=1&" * 80
    png = share.qr_png(short)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert segno.make(short, error="m", micro=False).version < segno.make(long, error="m", micro=False).version
    assert len(share.qr_png(long)) > len(png)


def test_qr_code_is_kept_per_link_and_scale():
    """Every rerun of every page draws the Share box's QR code: it is encoded once per link and size (issue 22)."""
    link = "https://rnnlab.school.kr/architecture?arch_units_1=11&cache_test=1"
    fresh = share.qr_png.__wrapped__(link, scale=4)  # encoded now, past the cache
    kept = share.qr_png(link, scale=4)
    assert kept == fresh
    assert share.qr_png(link, scale=4) is kept  # the second call encodes nothing
    assert share.qr_png(link.replace("11", "12"), scale=4) != kept  # another setting, another code
    assert share.qr_png(link, scale=12) != kept and len(share.qr_png(link, scale=12)) > len(kept)  # larger


def test_share_box_shows_the_public_short_link_and_the_qr_code(app_test, monkeypatch):
    monkeypatch.setenv(share.PUBLIC_URL_ENV, "https://rnnlab.school.kr")
    at = app_test(page="app_pages/architecture.py", lang="ko", projection=True, arch_cell="GRU")
    assert not at.exception
    codes = [c.value for c in at.sidebar.code]
    assert "https://rnnlab.school.kr/architecture?lang=ko&arch_cell=GRU" in codes, codes
    assert dict(at.query_params)["projection"] == "1"  # the teacher's own address bar keeps it
    import base64
    import html
    import re

    qr = [h.proto.body for h in at.sidebar.get("html") if "rnn-lab-qr" in h.proto.body]
    assert len(qr) == 1, qr  # the QR code, inline as a PNG data URL (no media file to lose on a redraw)
    png = base64.b64decode(re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", qr[0]).group(1))
    assert png == share.qr_png("https://rnnlab.school.kr/architecture?lang=ko&arch_cell=GRU", scale=4)
    assert html.escape(catalogue("ko")["classroom.link.qr_caption"]) in qr[0]
    at.button(key="btn_link_show_class").click().run()
    assert not at.exception, at.exception
