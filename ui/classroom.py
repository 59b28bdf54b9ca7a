"""Classroom features the router draws on every page: the link in the address bar, the "Copy link"
box, language detection, projection-mode CSS and the lesson panel.

The logic lives in ``rnn_lab.share`` (links) and ``rnn_lab.lessons`` (lessons); this module only
moves values between them and ``st.session_state`` / ``st.query_params``.
"""

from __future__ import annotations

import streamlit as st

from rnn_lab import lessons, share
from rnn_lab.settings import all_settings
from ui.common import t

APPLIED = "_link_applied"  # session flag: the link of this session was applied (first run only)
NOTICES = "_link_notices"  # link parameters that could not be used, shown until dismissed
GOTO = "_goto_page"  # a page a callback asked to open (st.switch_page cannot run inside a callback)

# Larger base font (every Streamlit size is in rem), black text on white, visible borders and focus.
PROJECTION_CSS = """
<style>
html { font-size: 22px !important; }
.stApp, .stApp p, .stApp li, .stApp label, .stApp span, .stApp div[data-testid="stMarkdownContainer"] {
  color: #000000;
}
.stApp { background: #ffffff; }
section[data-testid="stSidebar"] { background: #f2f2f2; border-right: 2px solid #000000;
  width: 340px !important; min-width: 340px !important; }
[data-testid="stSidebarContent"] [data-testid="stSidebarUserContent"] { padding-left: 1rem; padding-right: 1rem; }
section[data-testid="stSidebar"] * { color: #000000; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] *, .stApp small { color: #222222 !important; opacity: 1 !important; }
[data-testid="stMain"] a { color: #0050a0 !important; text-decoration: underline; }
div[data-baseweb="select"] > div, div[data-baseweb="input"], .stNumberInput input, .stTextInput input,
div[data-baseweb="textarea"] { border: 2px solid #000000 !important; }
button[kind] { border-width: 2px !important; border-color: #000000 !important; }
*:focus-visible { outline: 3px solid #E69F00 !important; outline-offset: 2px; }
code { color: #000000 !important; background: #e8e8e8 !important; }
.block-container { max-width: 100% !important; padding-left: 1.5rem !important; padding-right: 1.5rem !important; }
</style>
"""


def apply_link_once() -> None:
    """On a session's first run, take the experiment from the link, then the browser's language.

    Only valid parameters are applied; each bad one becomes a notice. Later runs leave
    ``st.session_state`` alone: from then on the session is the source of truth and the
    address bar follows it (:func:`sync_link`).
    """
    state = st.session_state
    if state.get(APPLIED):
        return
    state[APPLIED] = True
    settings = all_settings()
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    values, notices = share.decode(params, settings)
    for key in share.valid_keys(params, notices, settings):
        state[key] = values[key]
    if "lang" not in state:
        state["lang"] = share.preferred_language(st.context.locale, st.context.headers.get("Accept-Language"))
    state[NOTICES] = notices


def current_values() -> dict:
    state = st.session_state
    return {key: state[key] for key in all_settings() if key in state}


def sync_link() -> dict[str, str]:
    """Make the address bar hold the session's experiment (only settings that differ from defaults)."""
    wanted = share.encode(current_values())
    from ui.workspace import link_params

    address = {**wanted, **link_params()}  # the workspace token stays in the address bar, never in a share link
    if st.query_params.to_dict() != address:
        st.query_params.from_dict(address)
    return wanted


def page_url() -> str:
    """This page's address without the query (``st.context.url``; a relative path when unknown, as in tests)."""
    url = st.context.url
    if url:
        return url
    page = st.session_state.get("_page_path", "")
    return "/" + page


def link_ui(params: dict[str, str]) -> None:
    """The "Copy link" box: the full link in ``st.code``, whose copy button puts it on the clipboard."""
    params = {k: v for k, v in params.items() if k != "ws"}  # a share link never carries the workspace token
    with st.expander(t("classroom.link.title"), icon=":material/link:"):
        st.code(share.build_link(page_url(), params), language=None, wrap_lines=True)
        st.caption(t("classroom.link.help"))
        if params.get("data_source_kind") == "upload":
            st.caption(t("classroom.link.upload_note"))


def notices_ui() -> None:
    """Tell the user which link parameters were not usable (they got their defaults instead)."""
    notices = st.session_state.get(NOTICES) or []
    if not notices:
        return
    lines = [
        t("classroom.link.bad_value", name=n.key, value=n.value, default=n.default or '""', allowed=n.allowed)
        for n in notices
    ]
    st.warning(
        t("classroom.link.notice_title") + "\n\n" + "\n".join(f"- {line}" for line in lines), icon=":material/link_off:"
    )
    st.button(t("classroom.link.dismiss"), key="btn_dismiss_link_notices", on_click=_dismiss_notices)


def _dismiss_notices() -> None:
    st.session_state[NOTICES] = []


# Every mode: a code box that wraps its lines (wrap_lines=True) also breaks a long token such as
# "SimpleRNN(10,return_sequences=True,input_shape=[5,1])" instead of cutting it at the box's edge; boxes that
# do not wrap (the model.summary() table) are unaffected.
APP_CSS = """
<style>
[data-testid="stCode"] pre, [data-testid="stCode"] code { overflow-wrap: anywhere; }
/* a toggle's or checkbox's label wraps onto a second line instead of ending in "..." */
.stCheckbox label [data-testid="stMarkdownContainer"], .stCheckbox label [data-testid="stMarkdownContainer"] p {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
</style>
"""


def projection_css() -> None:
    """The app's own CSS, and in projection mode the large-print CSS."""
    st.html(APP_CSS)
    if st.session_state.get("projection"):
        st.html(PROJECTION_CSS)


def switch_if_asked(current_path: str) -> None:
    """Open the page a lesson callback asked for (``st.switch_page`` keeps the experiment in the link)."""
    target = st.session_state.pop(GOTO, None)
    if target and target != current_path:
        st.switch_page(target, query_params=share.encode(current_values()))


# ---- lessons -------------------------------------------------------------------------------------


DERIVED_DATA = ("prepared", "data_loaded")  # ui.data's session cache, built from the data_ settings


def _apply(values: dict) -> None:
    """Put ``values`` in the session; if a data_ setting changed, drop the data built from the old ones
    (``ui.data.current_prepared`` then rebuilds it from the new settings on whichever page comes next)."""
    state = st.session_state
    changed = {key for key, value in values.items() if state.get(key) != value}
    for key, value in values.items():
        state[key] = value
    if any(key.startswith("data_") for key in changed):
        for key in DERIVED_DATA:
            state.pop(key, None)


def start_lesson(lesson_id: str, step: int = 0) -> None:
    """Callback: reset the experiment, apply the lesson's settings and open its first page."""
    _apply(lessons.start_values(lessons.LESSONS[lesson_id], step, current_values(), all_settings()))
    st.session_state[GOTO] = lessons.LESSONS[lesson_id].steps[step].page


def go_to_step(step: int) -> None:
    """Callback: move the active lesson to ``step`` (apply that step's settings, open its page)."""
    state = st.session_state
    lesson = lessons.LESSONS.get(state.get("lesson", ""))
    if lesson is None:
        return
    step = max(0, min(step, len(lesson.steps) - 1))
    _apply(lessons.step_values(lesson, step, all_settings()))
    state[GOTO] = lesson.steps[step].page


def open_step_page() -> None:
    lesson = lessons.LESSONS.get(st.session_state.get("lesson", ""))
    if lesson is not None:
        st.session_state[GOTO] = lesson.steps[lessons.clamp_step(lesson, st.session_state.get("lesson_step", 0))].page


def end_lesson() -> None:
    st.session_state["lesson"] = ""
    st.session_state["lesson_step"] = 0
    st.session_state["simple_mode"] = False


def lesson_panel_ui(current_path: str) -> None:
    """The active lesson's steps in the sidebar, on every page, with step navigation."""
    lesson = lessons.LESSONS.get(st.session_state.get("lesson", ""))
    if lesson is None:
        return
    step = lessons.clamp_step(lesson, st.session_state.get("lesson_step", 0))
    n = len(lesson.steps)
    base = f"classroom.lessons.{lesson.id}"
    with st.sidebar.container(border=True):
        st.markdown(f"**{t(base + '.title')}**")
        st.progress((step + 1) / n, text=t("classroom.panel.step_of", step=step + 1, n=n))
        st.markdown(f"**{t(f'{base}.steps.s{step + 1}.title')}**")
        st.markdown(t(f"{base}.steps.s{step + 1}.text"))
        st.info(t(f"{base}.steps.s{step + 1}.question"), icon=":material/forum:")
        if lesson.steps[step].page != current_path:
            st.button(
                t("classroom.panel.open_page"),
                key="btn_lesson_open_page",
                on_click=open_step_page,
                icon=":material/open_in_new:",
                width="stretch",
            )
        prev_col, next_col = st.columns(2)
        prev_col.button(
            t("classroom.panel.previous"),
            key="btn_lesson_prev",
            on_click=go_to_step,
            args=(step - 1,),
            disabled=step == 0,
            width="stretch",
        )
        next_col.button(
            t("classroom.panel.next"),
            key="btn_lesson_next",
            on_click=go_to_step,
            args=(step + 1,),
            disabled=step == n - 1,
            width="stretch",
        )
        st.button(
            t("classroom.panel.end"),
            key="btn_lesson_end",
            on_click=end_lesson,
            width="stretch",
            icon=":material/close:",
        )


def url_path(page_file: str) -> str:
    """The URL path st.navigation gives a page file (the default page, home, is the app's root)."""
    stem = page_file.rsplit("/", 1)[-1].removesuffix(".py")
    return "" if stem == "home" else stem


def app_root() -> str:
    """The app's address without the current page's path (so links to other pages can be built)."""
    url = page_url().rstrip("/")
    current = st.session_state.get("_page_path", "")
    if current and url.endswith("/" + current):
        url = url[: -len(current) - 1]
    return url


def lesson_link(lesson_id: str) -> str:
    """The link that opens ``lesson_id`` at its first step, in the current language and projection mode."""
    lesson = lessons.LESSONS[lesson_id]
    values = lessons.start_values(lesson, 0, current_values(), all_settings())
    return share.build_link(f"{app_root()}/{url_path(lesson.page)}", share.encode(values))


def lessons_page_ui() -> None:
    """The Lessons page: one card per lesson with its steps, a start button and its shareable link."""
    st.title(t("classroom.title"))
    st.write(t("classroom.intro"))
    active = st.session_state.get("lesson", "")
    for lesson in lessons.LESSONS.values():
        base = f"classroom.lessons.{lesson.id}"
        with st.container(border=True):
            st.subheader(t(f"{base}.title"), anchor=False)
            st.markdown(t(f"{base}.summary"))
            pages = ", ".join(t(f"common.nav.{url_path(p) or 'home'}") for p in lesson.pages)
            st.markdown(f"**{t('classroom.pages_label')}:** {pages}")
            steps = "\n".join(f"{i + 1}. {t(f'{base}.steps.s{i + 1}.title')}" for i in range(len(lesson.steps)))
            st.markdown(f"**{t('classroom.steps_label')}:**\n\n{steps}")
            if lesson.simple_mode:
                st.caption(t("classroom.simple_note"))
            if lesson.id == active:
                st.success(t("classroom.active"), icon=":material/play_circle:")
            st.button(
                t("classroom.restart" if lesson.id == active else "classroom.start"),
                key=f"btn_lesson_start_{lesson.id}",
                on_click=start_lesson,
                args=(lesson.id,),
                type="primary",
                icon=":material/play_arrow:",
            )
            with st.expander(t("classroom.share_lesson"), icon=":material/link:"):
                st.code(lesson_link(lesson.id), language=None, wrap_lines=True)
                st.caption(t("classroom.share_lesson_help"))
