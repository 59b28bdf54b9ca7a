"""Classroom features the router draws on every page: the link in the address bar, the "Copy link"
box, language detection, projection-mode CSS and the lesson panel.

The logic lives in ``rnn_lab.share`` (links) and ``rnn_lab.lessons`` (lessons); this module only
moves values between them and ``st.session_state`` / ``st.query_params``.
"""

from __future__ import annotations

import streamlit as st

from rnn_lab import lessons, share
from rnn_lab.settings import all_settings
from ui.common import DERIVED_DATA, app_root, page_url, t  # noqa: F401 (page_url, app_root: used by pages via here)
from ui.common import apply_values as _apply
from ui.workspace import link_params

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
/* a disabled button (the last step's Next) must not look like one that works: black text would hide it */
button[kind]:disabled { border-color: #b0b0b0 !important; border-style: dashed !important; cursor: not-allowed; }
button[kind]:disabled, button[kind]:disabled p { color: #8a8a8a !important; }
*:focus-visible { outline: 3px solid #E69F00 !important; outline-offset: 2px; }
code { color: #000000 !important; background: #e8e8e8 !important; }
.block-container { max-width: 100% !important; padding-left: 1.5rem !important; padding-right: 1.5rem !important; }
.st-key-lesson_stage { background: #fffbe6; border: 3px solid #000000 !important; }
.st-key-lesson_stage p, .st-key-lesson_stage li { font-size: 1.3rem !important; line-height: 1.45 !important; }
.st-key-lesson_stage h3 { font-size: 1.7rem !important; }
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
    params = share.expand({key: st.query_params.get_all(key) for key in st.query_params}, settings)
    values, notices = share.decode(params, settings)
    for key in share.valid_keys(params, notices, settings):
        state[key] = values[key]
    if "lang" not in state:
        state["lang"] = share.preferred_language(st.context.locale, st.context.headers.get("Accept-Language"))
    state[NOTICES] = notices


def current_values() -> dict:
    state = st.session_state.to_dict()  # one copy: ~90 reads through the session-state proxy cost 4x as much
    return {key: state[key] for key in all_settings() if key in state}


def sync_link() -> dict[str, str]:
    """Make the address bar hold the session's experiment (only settings that differ from defaults)."""
    wanted = share.encode(current_values())

    address = {**wanted, **link_params()}  # the workspace token stays in the address bar, never in a share link
    if st.query_params.to_dict() != address:
        st.query_params.from_dict(address)
    return wanted


def link_stale() -> bool:
    """The address bar no longer holds the session's experiment: a setting changed in a run of part of a page (a
    fragment), which the router's :func:`sync_link` did not see."""
    return st.query_params.to_dict() != {**share.encode(current_values()), **link_params()}


def handout_link() -> str:
    """The class hand-out of this page: the short link on ``RNN_LAB_PUBLIC_URL`` (else this browser's address)."""
    return share.handout_link(st.session_state.get("_page_path", ""), current_values(), page_url())


def link_ui(params: dict[str, str], redraw: bool = False) -> None:
    """The "Share" box: the short hand-out link in ``st.code`` (its copy button puts it on the clipboard), its QR
    code, and a button that shows the QR code large for the class. ``redraw``: the router draws the box a second
    time in the same run (a page changed a setting), so its button needs another key."""
    link = handout_link()
    with st.expander(t("classroom.link.title"), icon=":material/link:"):
        st.code(link, language=None, wrap_lines=True)
        qr_image(link, scale=4, caption=t("classroom.link.qr_caption"))
        st.caption(t("classroom.link.help"))
        if share.is_local(link):
            st.caption(t("classroom.link.local_note", env=share.PUBLIC_URL_ENV))
        if params.get("data_source_kind") == "upload":
            st.caption(t("classroom.link.upload_note"))
        st.button(
            t("classroom.link.show_class"),
            key="btn_link_show_class" + ("_redraw" if redraw else ""),
            on_click=_ask_handout,
            icon=":material/qr_code_2:",
            width="stretch",
        )


def qr_image(link: str, scale: int, width: int | None = None, caption: str = "") -> None:
    """The link's QR code inline (a data: URL), not through Streamlit's media files: the Share box is drawn twice in
    a run when a page changes a setting, and the browser then asked for the first image after it was dropped (404)."""
    import base64
    import html

    data = base64.b64encode(share.qr_png(link, scale=scale)).decode("ascii")
    size = f"width:{width}px;max-width:100%" if width else "width:100%"
    st.html(
        f'<figure style="margin:0"><img class="rnn-lab-qr" alt="QR" style="{size};image-rendering:pixelated" '
        f'src="data:image/png;base64,{data}"/>'
        + (f'<figcaption style="font-size:0.85em;opacity:0.7">{html.escape(caption)}</figcaption>' if caption else "")
        + "</figure>"
    )


HANDOUT = "_show_handout"


def handout_dialog_if_asked() -> None:
    """Open the hand-out dialog when its button was pressed (once: closing it does not reopen it)."""
    if st.session_state.pop(HANDOUT, False):
        handout_dialog(handout_link())


def _ask_handout() -> None:
    st.session_state[HANDOUT] = True


def _handout_body(link: str) -> None:
    with st.container(key="handout"):
        qr_image(link, scale=12, width=480)
        st.code(link, language=None, wrap_lines=True)
        st.caption(t("classroom.link.handout_help"))
        if share.is_local(link):
            st.warning(t("classroom.link.local_note", env=share.PUBLIC_URL_ENV), icon=":material/wifi_off:")


def handout_dialog(link: str) -> None:
    """The QR code large, in a dialog, for the class to scan from the projection."""
    st.dialog(t("classroom.link.handout_title"), width="large")(_handout_body)(link)


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
/* Keras's model.summary() (62 characters wide) fits the Architecture page's right column at 1280 px */
.st-key-raw_summary pre code { font-size: 0.75rem !important; }
/* a toggle's or checkbox's label wraps onto a second line instead of ending in "..." */
.stCheckbox label [data-testid="stMarkdownContainer"], .stCheckbox label [data-testid="stMarkdownContainer"] p {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
/* a metric's value wraps instead of ending in "...": the Inside page's "-3.6089 · scaled 0.4122" at 1280 px */
[data-testid="stMetricValue"], [data-testid="stMetricValue"] > div {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
</style>
"""


def projection_css() -> None:
    """The app's own CSS, and in projection mode the large-print CSS."""
    st.html(APP_CSS)
    if st.session_state.get("projection"):
        st.html(PROJECTION_CSS)


SCROLL_TOP = "_scroll_top"  # session flag: a lesson opened a page (or a step), show it from the top


def switch_if_asked(current_path: str) -> None:
    """Open the page a lesson callback asked for (``st.switch_page`` keeps the experiment in the link)."""
    target = st.session_state.pop(GOTO, None)
    if target:
        st.session_state[SCROLL_TOP] = True
    if target and target != current_path:
        st.switch_page(target, query_params=share.encode(current_values()))


def _scroll_script(selector: str | None) -> None:
    """Scroll the page to the top (``selector`` None) or bring the element ``selector`` into view.

    Streamlit 1.67 runs a script of ``st.html(..., unsafe_allow_javascript=True)`` in the page itself (not in an
    iframe). The element may appear a moment later (a fragment draws it), so the script looks for it for up to 5 s.
    The nonce makes every call a new element, so the browser runs it again."""
    state = st.session_state
    state["_scroll_nonce"] = nonce = state.get("_scroll_nonce", 0) + 1
    target = "null" if selector is None else repr(selector)
    st.html(
        f"""<span data-scroll="{nonce}" style="display:none"></span><script>
(() => {{
  const selector = {target};
  const main = document.querySelector('[data-testid="stMain"]');
  if (selector === null) {{
    if (main) main.scrollTo({{top: 0}});
    window.scrollTo({{top: 0}});
    return;
  }}
  let tries = 0;
  const timer = setInterval(() => {{
    const el = document.querySelector(selector);
    tries += 1;
    if (el) {{ el.scrollIntoView({{block: "start", behavior: "smooth"}}); clearInterval(timer); }}
    else if (tries > 50) clearInterval(timer);
  }}, 100);
}})();
</script>""",
        unsafe_allow_javascript=True,
    )


def scroll_to_top_if_asked() -> None:
    """A lesson opened this page or step: start at its top (the page may keep the last page's scroll position)."""
    if st.session_state.pop(SCROLL_TOP, False):
        _scroll_script(None)


def scroll_into_view(key: str) -> None:
    """Bring the container made with ``st.container(key=key)`` into view (e.g. the live training curve)."""
    _scroll_script(f".st-key-{key}")


# ---- lessons -------------------------------------------------------------------------------------


LESSON_RUNS_AFTER = "_lesson_runs_after"  # the session's last run id when the lesson started: older runs are hidden


def start_lesson(lesson_id: str, step: int = 0) -> None:
    """Callback: reset the experiment (settings and the data built from them), apply the lesson's settings and
    open its first page. Runs of earlier work stay in the session but the lesson's pages show only its own."""
    state = st.session_state
    _apply(lessons.start_values(lessons.LESSONS[lesson_id], step, current_values(), all_settings()))
    for key in DERIVED_DATA:  # "reset" means the data too, even when the settings happen to be the same
        state.pop(key, None)
    state[LESSON_RUNS_AFTER] = max((run.id for run in state.get("runs", [])), default=0)
    for key in ("btn_train_show", "compare_ids", "compare_ids_skipped"):  # the run shown, the last comparison
        state.pop(key, None)
    state[GOTO] = lessons.LESSONS[lesson_id].steps[step].page


def lesson_runs(runs: list) -> list:
    """The runs a page shows: during a lesson only those trained since it started (a clean slate per lesson)."""
    state = st.session_state
    if not state.get("lesson"):
        return runs
    after = state.get(LESSON_RUNS_AFTER, 0)
    return [run for run in runs if run.id > after]


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
    st.session_state.pop(LESSON_RUNS_AFTER, None)  # every run of the session shows again
    st.session_state["lesson"] = ""
    st.session_state["lesson_step"] = 0
    st.session_state["simple_mode"] = False


def lesson_panel_ui(current_path: str) -> None:
    """The active lesson's steps, on every page, with step navigation.

    Normally everything sits in the sidebar. In projection mode the step's title, text and question go on the
    main stage above the page, in large type (the class reads them from the back row); the sidebar keeps the
    lesson's title, the progress and the buttons."""
    lesson = lessons.LESSONS.get(st.session_state.get("lesson", ""))
    if lesson is None:
        return
    step = lessons.clamp_step(lesson, st.session_state.get("lesson_step", 0))
    n = len(lesson.steps)
    base = f"classroom.lessons.{lesson.id}"
    on_stage = bool(st.session_state.get("projection"))
    if on_stage:
        with st.container(key="lesson_stage", border=True):
            st.markdown(
                f"**{t(base + '.title')}** · {t('classroom.panel.step_of', step=step + 1, n=n)}",
            )
            st.markdown(f"### {t(f'{base}.steps.s{step + 1}.title')}")
            st.markdown(t(f"{base}.steps.s{step + 1}.text"))
            st.info(t(f"{base}.steps.s{step + 1}.question"), icon=":material/forum:")
    with st.sidebar.container(border=True):
        st.markdown(f"**{t(base + '.title')}**")
        st.progress((step + 1) / n, text=t("classroom.panel.step_of", step=step + 1, n=n))
        st.markdown(f"**{t(f'{base}.steps.s{step + 1}.title')}**")
        if on_stage:
            st.caption(t("classroom.panel.on_stage"))
        else:
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


def lesson_link(lesson_id: str) -> str:
    """The link that opens ``lesson_id`` at its first step, in the current language and projection mode."""
    lesson = lessons.LESSONS[lesson_id]
    values = lessons.start_values(lesson, 0, current_values(), all_settings())
    return share.handout_link(url_path(lesson.page), values, f"{app_root()}/{url_path(lesson.page)}")


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
