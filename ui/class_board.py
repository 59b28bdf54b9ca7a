"""The Class page's Streamlit side (issue 26): links, cookies, the teacher's live board, the student's view.

Secrets never stay in the address bar: on a session's first run :func:`capture_link_once` takes the teacher link's
``class`` + ``teacher`` (and a join link's ``join``) out of ``st.query_params`` into the session; the browser keeps
the teacher key (and the workspace token) in cookies that a tiny script writes (:func:`write_cookies`) and
``st.context.cookies`` reads back on a reload. The workspace token leaves the address bar too
(:func:`ui.workspace.link_params`) and in projection mode no page prints it.

A teacher opens a student's run read-only: :func:`viewed_run` is that run (loaded with the student's workspace
token, on the server only); the Train page shows its results without any control that trains, renames or deletes,
and the Inside page opens its model. The student's record is never written.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from rnn_lab.share import build_link
from rnn_lab.store import StoreUnavailable, default_store
from rnn_lab.store.board import board_csv, class_board, state_text, student_view
from rnn_lab.store.classes import (
    ClassError,
    assignment_from_link,
    create_class,
    join_class,
    member_token,
    set_assignment,
    set_show_leaderboard,
    teacher_class,
)
from rnn_lab.store.records import load_run
from rnn_lab.tasks import get_task
from ui.classroom import app_root
from ui.common import WS_COOKIE, cookies, lang, projection, session_id, show_table, t
from ui.workspace import token

TEACHER = "_class_teacher"  # (code, key) of the class this session teaches
JOIN_CODE = "_class_join_code"  # a join link's code, prefilled in the join form
CAPTURED = "_class_captured"
COOKIES_WRITTEN = "_class_cookies_written"
VIEW = "_class_view"  # (code, run id, nickname) of the student run the teacher opened read-only
VIEW_RUN = "_class_view_run"  # the loaded StoredRun of VIEW
FRESH_KEY = "_class_fresh_key"  # the teacher link, shown once right after the class was created
TEACHER_COOKIE = "rnn_lab_teacher"
WS_COOKIE_AGE = 365 * 24 * 3600  # seconds
CLASS_PARAMS = ("class", "teacher", "join")


def _store():
    try:
        return default_store()
    except StoreUnavailable:
        return None


def capture_link_once() -> None:
    """First run of a session: the class parameters leave the address bar and live in the session; a reload
    without them finds the teacher key and the workspace in the browser's cookies."""
    state = st.session_state
    if state.get(CAPTURED):
        return
    state[CAPTURED] = True
    params = st.query_params
    kept = cookies()
    code, key = params.get("class"), params.get("teacher")
    if code and key:
        state[TEACHER] = (str(code), str(key))
    elif kept.get(TEACHER_COOKIE) and "." in kept[TEACHER_COOKIE]:
        c, k = kept[TEACHER_COOKIE].split(".", 1)
        state[TEACHER] = (c, k)
    if params.get("join"):
        state[JOIN_CODE] = str(params.get("join"))[:16]
    for name in CLASS_PARAMS:
        if name in params:
            del params[name]


def _cookie_js(name: str, value: str | None) -> str:
    if value is None:
        return f"document.cookie = {json.dumps(name + '=; path=/; max-age=0; SameSite=Lax')};"
    if name == WS_COOKIE:  # kept a year: the student's work is still there next week (docs/deploy.md)
        text = f"{name}={value}; path=/; max-age={WS_COOKIE_AGE}; SameSite=Lax"
    else:  # a session cookie: a reload keeps it, closing the browser forgets it (a shared classroom computer)
        text = f"{name}={value}; path=/; SameSite=Strict"
    return f"document.cookie = {json.dumps(text)};"


def write_cookies() -> None:
    """Keep the teacher key and the workspace token in this browser (a reload works without them in the URL).
    Written on a session's first run and when they change, by a script in the page (st.html, not iframed)."""
    teacher = st.session_state.get(TEACHER)
    wanted = {TEACHER_COOKIE: None if teacher is None else f"{teacher[0]}.{teacher[1]}", WS_COOKIE: token()}
    if st.session_state.get(COOKIES_WRITTEN) == wanted:
        return
    kept = cookies()  # written once a session even when unchanged: the workspace cookie's year starts again
    script = "".join(_cookie_js(k, v) for k, v in wanted.items() if v is not None or k in kept)
    with st.sidebar:  # values: the class alphabet and url-safe tokens, quoted by json.dumps
        st.html(f"<script>{script}</script>", unsafe_allow_javascript=True)
    st.session_state[COOKIES_WRITTEN] = wanted


# ---------------------------------------------------------------------- teacher
def teacher() -> dict | None:
    """The class this session teaches (its key checked against the store), or None."""
    pair = st.session_state.get(TEACHER)
    store = _store()
    if not pair or store is None:
        return None

    return teacher_class(store, *pair)


def forget_teacher() -> None:
    st.session_state.pop(TEACHER, None)
    st.session_state.pop(COOKIES_WRITTEN, None)


def _public_root() -> str:
    root = app_root().rstrip("/")
    if not root.startswith("http"):
        from rnn_lab.store.class_cli import public_url  # lazy: not on the home page's path

        root = public_url()
    return root


def join_link(code: str) -> str:
    return f"{_public_root()}/class?join={code}"


def teacher_link(code: str, key: str) -> str:
    return f"{_public_root()}/class?class={code}&teacher={key}"


def qr_png(text: str) -> bytes:
    import io

    import segno

    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="png", scale=8, border=2)
    return buf.getvalue()


def create_ui() -> None:
    """Start a class: name -> code, QR code, teacher link (shown once, to keep)."""
    with st.form("class_create"):
        st.subheader(t("class_page.create_title"))
        name = st.text_input(t("class_page.class_name"), max_chars=80)
        if st.form_submit_button(t("class_page.create_button"), icon=":material/add:"):
            store = _store()
            if store is None:
                st.error(t("class_page.no_store"))
                return
            try:
                code, key = create_class(store, name)
            except ClassError as err:
                st.error(err.text(lang()))
                return
            st.session_state[TEACHER] = (code, key)
            st.session_state[FRESH_KEY] = True
            st.session_state.pop(COOKIES_WRITTEN, None)
            st.rerun()


def _when(value) -> str:
    if not value:
        return ""
    try:
        stamp = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    seconds = max(0, int((datetime.now(UTC) - stamp).total_seconds()))
    if seconds < 60:
        return t("class_page.ago_s", n=seconds)
    if seconds < 3600:
        return t("class_page.ago_m", n=seconds // 60)
    return t("class_page.ago_h", n=seconds // 3600)


def _score(value, metric) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if metric == "skill" else f"{value:.1%}"


def _value(value, metric) -> str:
    if value is None:
        return ""
    return f"{value:.1%}" if metric == "accuracy" else f"{value:.4g}"


def _result(row: dict) -> str:
    """The latest finished run's test metric as the Train page names it, e.g. "RMSE 1.88 (test)"."""
    if row["test_value"] is None:
        return ""
    name = "RMSE" if row["test_metric"] == "rmse" else t("class_board.metric.accuracy")
    split = row["split"]
    split = f" ({t(f'class_page.split.{split}')})" if split in ("train", "val", "test") else ""
    return f"{name} {_value(row['test_value'], row['test_metric'])}{split}"


def board_frame(rows: list[dict]) -> pd.DataFrame:
    """The board as a table (nicknames as plain text: the table never renders markup)."""
    out = []
    for r in rows:
        metric = r["metric"]
        out.append(
            {
                t("class_page.col.nickname"): r["nickname"],
                t("class_page.col.state"): state_text(r, lang()),
                t("class_page.col.task"): t(f"tasks.names.{r['task']}") if r["task"] else "",
                t("class_page.col.data"): r["data"] or "",
                t("class_page.col.model"): r["model"] or "",
                t("class_page.col.params"): "" if r["params"] is None else f"{r['params']:,}",
                t("class_page.col.score"): _result(r),
                t("class_page.col.baseline"): _value(r["baseline_value"], r["test_metric"]),
                t("class_page.col.best"): ""
                if r["best_score"] is None
                else f"{t(f'class_board.metric.{metric}')} {_score(r['best_score'], metric)}",
                t("class_page.col.met"): {True: "✓", False: "✗"}.get(r["met"], ""),
                t("class_page.col.last"): _when(r["last_activity"]),
            }
        )
    return pd.DataFrame(out)


def _show(frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    if projection():  # st.table: the projection font; the nicknames as the index (text, never markup)
        st.table(frame.set_index(frame.columns[0]))
    else:
        show_table(frame, hide_index=True)


def leaderboard_ui(board: dict[tuple[str, str], list[dict]], *, student: bool = False) -> None:
    if not board:
        st.caption(t("class_page.no_leaderboard"))
        return
    for (task, data), entries in board.items():
        st.markdown(f"**{t(f'tasks.names.{task}')} · `{data}`**")
        metric = get_task(task).board_metric
        frame = pd.DataFrame(
            [
                {
                    t("class_page.col.rank"): e["rank"],
                    t("class_page.col.nickname"): e["nickname"],
                    t(f"class_board.metric.{metric}"): _score(e["score"], metric),
                    **({} if student else {t("class_page.col.params"): e.get("params")}),
                    t("class_page.col.met"): {True: "✓", False: "✗"}.get(e["met"], ""),
                }
                for e in entries
            ]
        )
        if projection():
            st.table(frame.set_index(frame.columns[0]))
        else:
            show_table(frame, hide_index=True)


@st.fragment(run_every=2)
def live_board(code: str) -> None:
    """The board, re-read from the store every 2 s (a fragment: the rest of the page does not rerun)."""
    store = _store()
    pair = st.session_state.get(TEACHER)
    board = class_board(store, code, pair[1]) if store is not None and pair else None
    if board is None:
        st.error(t("class_board.err.bad_key"))
        return
    rows = board["rows"]
    st.subheader(t("class_page.board_title", n=len(rows)))
    if not rows:
        st.info(t("class_page.nobody_yet"), icon=":material/group_add:")
    _show(board_frame(rows))
    st.subheader(t("class_page.leaderboard_title"))
    leaderboard_ui(board["leaderboard"])
    with_runs = [r for r in rows if r["run_id"]]
    if with_runs:
        st.subheader(t("class_page.open_title"))
        c1, c2, c3 = st.columns([2, 1, 2], vertical_alignment="bottom")
        names = [r["nickname"] for r in with_runs]
        picked = c1.selectbox(t("class_page.student"), names, key="class_open_student")
        row = with_runs[names.index(picked)] if picked in names else with_runs[0]
        which = c2.radio(
            t("class_page.which_run"),
            ["latest", "best"] if row["best_run_id"] else ["latest"],
            format_func=lambda k: t(f"class_page.which.{k}"),
            horizontal=True,
            key="class_open_which",
        )
        run_id = row["best_run_id"] if which == "best" and row["best_run_id"] else row["run_id"]
        if c3.button(t("class_page.open_button"), icon=":material/visibility:", key="class_open_go"):
            open_student_run(code, run_id, row["nickname"])
    st.download_button(
        t("class_page.csv_button"),
        data=board_csv(rows, lang()).encode("utf-8-sig"),
        file_name=f"class-{code}.csv",
        mime="text/csv",
        icon=":material/download:",
        key="class_csv",
    )


def open_student_run(code: str, run_id: str, nickname: str) -> None:
    st.session_state[VIEW] = (code, run_id, nickname)
    st.session_state.pop(VIEW_RUN, None)
    if viewed_run() is None:
        st.warning(t("class_page.cannot_open"))
        st.session_state.pop(VIEW, None)
        return
    st.switch_page("app_pages/train.py")


def viewed_run():
    """The student's run the teacher opened (a StoredRun read with the student's token), or None. Only with this
    session's teacher key, and only a run of one of the class's members."""
    view = st.session_state.get(VIEW)
    if not view:
        return None
    cached = st.session_state.get(VIEW_RUN)
    if cached is not None and cached[0] == view:
        return cached[1]
    cls = teacher()
    store = _store()
    if cls is None or store is None or cls["code"] != view[0]:
        return None

    tok = member_token(store, cls["id"], view[1])
    run = load_run(store, tok, view[1]) if tok else None
    if run is None:
        return None
    run.name = f"{view[2]} · {run.name}"
    run.read_only = True
    st.session_state[VIEW_RUN] = (view, run)
    return run


def close_view() -> None:
    st.session_state.pop(VIEW, None)
    st.session_state.pop(VIEW_RUN, None)


def read_only_banner() -> bool:
    """On the Train and Inside pages: when the teacher opened a student's run, say so with a way back. True when
    a student's run is shown."""
    run = viewed_run()
    if run is None:
        return False
    with st.container(border=True):
        c1, c2 = st.columns([4, 1], vertical_alignment="center")
        c1.markdown(t("class_page.read_only", name=_md(run.name)))
        if c2.button(t("class_page.back"), icon=":material/arrow_back:", key="class_view_back"):
            close_view()
            st.switch_page("app_pages/class.py")
    return True


def read_only_train() -> bool:
    """The Train page for a student's run: its results only (no train, rename, delete, resume or fork)."""
    if not read_only_banner():
        return False
    from ui import train as ui_train  # lazy: not on the home page's path

    ui_train.results_ui(viewed_run())
    return True


def _md(text: str) -> str:
    """Text shown inside Markdown as itself (a nickname's * _ < > [ ] ` do nothing)."""
    import re

    return re.sub(r"([\\`*_{}\[\]()#+\-.!<>|~])", r"\\\1", str(text))


def teacher_ui(cls: dict) -> None:
    code = cls["code"]
    st.header(t("class_page.teacher_title", name=_md(cls["name"])))
    c1, c2 = st.columns([2, 1])
    with c1:
        st.markdown(t("class_page.code_is"))
        st.markdown(
            f"<div class='class-code' style='font-size:4rem;font-weight:700;letter-spacing:.3rem'>{code}</div>",
            unsafe_allow_html=True,
        )  # code: 6 characters of the class alphabet, never user text
        st.caption(t("class_page.join_at", link=join_link(code)))
    with c2:
        st.image(qr_png(join_link(code)), caption=t("class_page.qr_caption"), width=220)
    if not projection():
        with st.expander(
            t("class_page.teacher_link_title"), icon=":material/key:", expanded=st.session_state.pop(FRESH_KEY, False)
        ):
            st.warning(t("class_page.teacher_link_secret"))
            st.code(teacher_link(code, st.session_state[TEACHER][1]), language=None, wrap_lines=True)
    else:
        st.caption(t("class_page.teacher_link_hidden"))

    store = _store()
    shown = st.toggle(
        t("class_page.show_leaderboard"),
        value=cls["show_leaderboard"],
        key="class_show_lb",
        help=t("class_page.show_leaderboard_help"),
    )
    if store is not None and shown != cls["show_leaderboard"]:
        set_show_leaderboard(store, code, st.session_state[TEACHER][1], shown)
    live_board(code)
    assignment_form(cls)
    if st.button(t("class_page.leave_teacher"), icon=":material/logout:", key="class_leave_teacher"):
        forget_teacher()
        st.rerun()


def assignment_text(a) -> str:
    parts = [t("class_page.assignment_line", task=t(f"tasks.names.{a.task}"), data=a.data, seed=a.seed)]
    val, test = a.split
    parts.append(t("class_page.assignment_split", val=f"{val:.0%}", test=f"{test:.0%}"))
    if a.max_params:
        parts.append(t("class_page.assignment_params", n=f"{a.max_params:,}"))
    if a.max_epochs:
        parts.append(t("class_page.assignment_epochs", n=a.max_epochs))
    if a.target is not None:
        parts.append(
            t(
                "class_page.assignment_target",
                metric=t(f"class_board.metric.{a.metric}"),
                value=_score(a.target, a.metric),
            )
        )
    return " · ".join(parts)


def assignment_form(cls: dict) -> None:
    st.subheader(t("class_page.assignment_title"))
    current = cls["assignment"]
    if current is not None:
        st.info(assignment_text(current), icon=":material/assignment:")
    with st.form("class_assignment"):
        link = st.text_input(t("class_page.assignment_link"), help=t("class_page.assignment_link_help"))
        c1, c2, c3, c4 = st.columns(4)
        max_params = c1.number_input(
            t("class_page.max_params"), min_value=0, value=0, step=100, help=t("class_page.zero_none")
        )
        max_epochs = c2.number_input(
            t("class_page.max_epochs"), min_value=0, value=0, step=1, help=t("class_page.zero_none")
        )
        metric = c3.selectbox(
            t("class_page.metric"), ["skill", "accuracy"], format_func=lambda m: t(f"class_board.metric.{m}")
        )
        target = c4.number_input(t("class_page.target"), value=0.3, step=0.05, format="%.2f")
        c5, c6 = st.columns(2)
        pin = c5.form_submit_button(t("class_page.pin_button"), icon=":material/push_pin:")
        clear = c6.form_submit_button(t("class_page.clear_button"), icon=":material/close:")
    store = _store()
    key = st.session_state[TEACHER][1]
    if clear and store is not None:
        set_assignment(store, cls["code"], key, None)
        st.rerun()
    if pin and store is not None:
        try:
            a = assignment_from_link(
                link,
                max_params=int(max_params) or None,
                max_epochs=int(max_epochs) or None,
                metric=metric,
                target=float(target),
            )
        except ClassError as err:
            st.error(err.text(lang()))
            return
        set_assignment(store, cls["code"], key, a)
        st.rerun()


# ---------------------------------------------------------------------- student
def student_info() -> dict | None:
    store = _store()
    if store is None or token() is None:
        return None

    return student_view(store, token())


def _client() -> tuple[str, str | None]:
    """(this browser session, its network address or None) for the wrong-code counters."""
    try:
        ip = st.context.ip_address
    except Exception:  # noqa: BLE001 - no browser context (AppTest)
        ip = None
    return f"session:{session_id()}", (f"ip:{ip}" if ip else None)


def join_ui() -> None:
    with st.form("class_join"):
        st.subheader(t("class_page.join_title"))
        code = st.text_input(t("class_page.code"), value=st.session_state.get(JOIN_CODE, ""), max_chars=16)
        nick = st.text_input(t("class_page.nickname"), max_chars=60, help=t("class_page.nickname_help"))
        if st.form_submit_button(t("class_page.join_button"), icon=":material/login:"):
            store = _store()
            if store is None or token() is None:
                st.error(t("class_page.no_store"))
                return
            try:
                client, address = _client()
                join_class(store, code, nick, token(), client=client, address=address)
            except ClassError as err:
                st.error(err.text(lang()))
                return
            st.session_state.pop(JOIN_CODE, None)
            st.rerun()


def student_ui(info: dict) -> None:
    st.header(t("class_page.student_title", name=_md(info["name"])))
    st.markdown(t("class_page.you_are", nickname=_md(info["display"]), code=info["code"]))
    assignment_ui(info)
    if info["leaderboard"] is not None:
        st.subheader(t("class_page.leaderboard_title"))
        leaderboard_ui(info["leaderboard"], student=True)


def assignment_ui(info: dict | None = None) -> None:
    """The assignment and the student's best result against it (Home page and Class page)."""
    info = info if info is not None else student_info()
    if info is None or info["assignment"] is None:
        return
    a = info["assignment"]
    with st.container(border=True):
        st.markdown(f"**{t('class_page.assignment_title')}** · {_md(info['name'])}")
        st.markdown(assignment_text(a))
        if a.settings:
            st.page_link(
                build_link(f"{_public_root()}/train", a.settings),
                label=t("class_page.assignment_open"),
                icon=":material/open_in_new:",
            )
        if info["best_score"] is None:
            st.caption(t("class_page.no_best"))
        else:
            key = {True: "class_page.best_met", False: "class_page.best_not_met"}.get(info["met"], "class_page.best")
            st.markdown(t(key, metric=t(f"class_board.metric.{a.metric}"), value=_score(info["best_score"], a.metric)))
