"""RNN Lab router: sidebar controls shared by every page, then the page itself.

Run with ``streamlit run app.py`` (or ``make run``). Pages live in ``app_pages/``;
all logic lives in ``rnn_lab/``. This file must not import TensorFlow.
"""

from pathlib import Path

import streamlit as st

from rnn_lab.i18n import LANGUAGE_NAMES, LANGUAGES
from ui import class_board, classroom, common, preload, workspace

ICON = Path(__file__).parent / "assets" / "icon.png"  # the tab icon

PAGES = {
    # section key -> [(file, nav message key, material icon)]
    "section_learn": [
        ("app_pages/home.py", "home", ":material/home:"),
        ("app_pages/architecture.py", "architecture", ":material/account_tree:"),
        ("app_pages/data.py", "data", ":material/table_chart:"),
        ("app_pages/train.py", "train", ":material/model_training:"),
        ("app_pages/inside.py", "inside", ":material/memory:"),
    ],
    "section_class": [
        ("app_pages/lessons.py", "lessons", ":material/school:"),
        ("app_pages/class.py", "class", ":material/groups:"),
    ],
}


def sidebar_ui() -> None:
    """Language, projection mode and the lesson switch for advanced controls, shown on every page."""
    with st.sidebar:
        st.selectbox(
            common.t("common.language"),
            options=LANGUAGES,
            format_func=LANGUAGE_NAMES.get,
            key="lang",
        )
        st.toggle(common.t("common.projection"), key="projection", help=common.t("common.projection_help"))
        st.toggle(common.t("classroom.simple_mode"), key="simple_mode", help=common.t("classroom.simple_mode_help"))


def run() -> None:
    st.set_page_config(page_title="RNN Lab", page_icon=str(ICON), layout="wide")  # shipped: no font host offline
    common.keep_keras_session()  # models live in each session; Streamlit must not clear Keras after every run
    common.share_the_gil()  # the server's threads take turns every 2 ms: a page waits less behind a training
    classroom.apply_link_once()  # first run of a session: the link's settings, else the browser's language
    class_board.capture_link_once()  # a teacher/join link's secrets leave the address bar; cookies on a reload
    workspace.open_once()  # first run of a session: the link's workspace (?ws=) or a new one, its runs restored
    common.init_settings()
    common.start_session_reaper()  # a closed tab's queued trainings leave the queue (issue 12)
    by_path = {
        path: st.Page(path, title=common.t(f"common.nav.{name}"), icon=icon, default=(name == "home"))
        for entries in PAGES.values()
        for path, name, icon in entries
    }
    sections = {
        common.t(f"common.nav.{section}"): [by_path[path] for path, _, _ in entries]
        for section, entries in PAGES.items()
    }
    page = st.navigation(sections)
    path = next(path for path, candidate in by_path.items() if candidate.url_path == page.url_path)
    classroom.switch_if_asked(path)  # a lesson button asked for another page
    st.session_state["_page_path"] = page.url_path
    classroom.projection_css()
    classroom.scroll_to_top_if_asked()  # a lesson opened this page: from its top
    classroom.lesson_panel_ui(path)  # in projection mode the step and its question go on the main stage
    sidebar_ui()
    workspace.sidebar_ui()  # "your work is saved under this link"
    class_board.write_cookies()  # the browser keeps the teacher key and the workspace (not the address bar)
    preload.chunks_ui()  # the browser loads the charts' and tables' code while idle, not after the press of Train
    link_box = st.sidebar.empty()
    with link_box:
        classroom.link_ui(classroom.sync_link())
    classroom.handout_dialog_if_asked()
    classroom.notices_ui()
    page.run()
    before = {k: v for k, v in st.query_params.to_dict().items() if k != workspace.WS_PARAM}
    if classroom.sync_link() != before:  # the page changed a setting itself: keep the address bar exact
        with link_box:
            classroom.link_ui(classroom.sync_link(), redraw=True)  # the experiment only: never the workspace token


if __name__ == "__main__":
    run()
