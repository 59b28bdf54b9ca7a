"""Browser test (issue 26): a teacher (Korean, projection mode) and three students in separate browser contexts.

The students join with the join link and train tiny models on the Train page (one diverges on purpose: SGD with
learning rate 1; one loses to the baseline: 3 Adam epochs on the counting toy; one trains a little longer);
the teacher's board shows each state on its own (the fragment re-reads the store every 2 s); the teacher opens a
student's run read-only; the teacher key is never in the address bar nor in the page text, also after a reload."""

from __future__ import annotations

import re

import pytest
from conftest import ARTIFACTS, streamlit_server, wait_for_app
from helpers import settle


@pytest.fixture
def class_server(tmp_path, monkeypatch):
    monkeypatch.setenv("RNN_LAB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("RNN_LAB_DATABASE_URL", raising=False)
    with streamlit_server() as url:
        yield url


def _state_cell(tab, nickname: str, text: str, timeout: float = 180_000) -> None:
    """Wait until the board's row of ``nickname`` says ``text`` (the projection board is an HTML table). By default
    as long as the suite's other waits for a training (three students' runs share the server's training slots: on a
    loaded machine, with the other test worker busy, 60 s was not always enough)."""
    tab.locator("tr", has=tab.locator("th", has_text=re.compile(f"^{re.escape(nickname)}$"))).filter(
        has_text=text
    ).first.wait_for(timeout=timeout)


def test_teacher_and_three_students(browser, class_server):
    from rnn_lab.store import Store
    from rnn_lab.store.classes import create_class
    from rnn_lab.store.config import database_url

    code, key = create_class(Store(database_url()), "3학년 2반")
    url = class_server
    teacher_ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ko-KR")
    teacher = teacher_ctx.new_page()
    teacher.set_default_timeout(60_000)
    teacher.goto(f"{url}/class?class={code}&teacher={key}&lang=ko&projection=1")
    wait_for_app(teacher)
    teacher.get_by_text(code, exact=True).first.wait_for()
    settle(teacher)  # the first run is over: it took the key out of the address bar
    assert key not in teacher.url and "teacher=" not in teacher.url
    assert key not in teacher.inner_text("body")
    assert "ws=" not in teacher.url  # the workspace token is not in the address bar either (a cookie keeps it)

    students = {}
    plans = {
        "Mina": "train_optimizer=sgd&train_lr=1&train_epochs=6&arch_units_1=4",  # diverges
        "<b>Jun</b> 🙂": "train_epochs=3&arch_units_1=4",  # loses to the persistence baseline
        "Sora": "train_epochs=8&arch_units_1=2&train_lr=0.05",
    }
    for nick in plans:
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        tab = ctx.new_page()
        tab.set_default_timeout(60_000)
        tab.goto(f"{url}/class?join={code}")
        wait_for_app(tab)
        tab.get_by_role("textbox", name="Nickname").fill(nick)
        tab.get_by_role("button", name="Join").click()
        tab.get_by_text("You joined as").wait_for()
        students[nick] = (ctx, tab)
    _state_cell(teacher, "Sora", "아직 실행 없음", timeout=10_000)
    for nick, settings in plans.items():
        tab = students[nick][1]
        tab.goto(f"{url}/train?{settings}")  # a new session: the workspace comes back from the browser's cookie
        wait_for_app(tab)
        try:
            tab.get_by_role("button", name="Train", exact=True).click(timeout=30_000)
        except Exception:
            tab.screenshot(path=str(ARTIFACTS / "class_student_train_failed.png"), full_page=True)
            raise
    _state_cell(teacher, "Mina", "발산함")
    _state_cell(teacher, "<b>Jun</b> 🙂", "기준선보다 못함")
    _state_cell(teacher, "Sora", re.compile("완료|기준선보다 못함"))
    assert teacher.locator("b", has_text="Jun").count() == 0  # the nickname's HTML is text, not markup
    teacher.set_viewport_size({"width": 1400, "height": 2000})
    settle(teacher)
    teacher.screenshot(path=str(ARTIFACTS / "class_board_ko.png"), full_page=True)
    teacher.set_viewport_size({"width": 1400, "height": 1000})
    # the students each see their own runs only
    jun_tab = students["<b>Jun</b> 🙂"][1]
    jun_tab.goto(f"{url}/class")
    jun_tab.get_by_text("You joined as").wait_for()
    wait_for_app(jun_tab)
    body = jun_tab.inner_text("body")
    assert "Mina" not in body and "Sora" not in body and "<b>Jun</b> 🙂" in body

    # the teacher opens a student's run read-only (the first in the list: Mina's diverged run)
    teacher.get_by_text("읽기 전용으로 열기").click()
    teacher.get_by_text("읽기 전용:").wait_for()
    wait_for_app(teacher)
    settle(teacher)  # the read-only page filled in (its charts drawn) before looking for what it must not have
    for control in ("btn_train_start", "btn_train_delete", "btn_train_rename_go", "btn_train_compare_all"):
        assert teacher.locator(f".st-key-{control}").count() == 0, control
    assert teacher.get_by_role("button", name="학습 시작").count() == 0
    assert teacher.locator('[data-testid="stPlotlyChart"]').count() >= 1  # the student's curves are drawn
    teacher.set_viewport_size({"width": 1400, "height": 2400})
    settle(teacher)
    teacher.screenshot(path=str(ARTIFACTS / "class_read_only_ko.png"), full_page=True)
    assert key not in teacher.url and key not in teacher.inner_text("body")

    # a reload of the class page: still the teacher (the browser kept the key), still no key anywhere
    teacher.goto(f"{url}/class?lang=ko&projection=1")
    wait_for_app(teacher)
    _state_cell(teacher, "Mina", "발산함", timeout=20_000)
    assert key not in teacher.url and key not in teacher.inner_text("body")
    for ctx, _ in students.values():
        ctx.close()
    teacher_ctx.close()
