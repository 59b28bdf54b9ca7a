"""RNN Lab router: sidebar controls shared by every page, then the page itself.

Run with ``streamlit run app.py`` (or ``make run``). Pages live in ``pages/``;
all logic lives in ``rnn_lab/``. This file must not import TensorFlow.
"""

import streamlit as st

from rnn_lab.i18n import LANGUAGE_NAMES, LANGUAGES
from ui import common

PAGES = {
    # section key -> [(file, nav message key, material icon)]
    "section_learn": [
        ("pages/home.py", "home", ":material/home:"),
        ("pages/architecture.py", "architecture", ":material/account_tree:"),
        ("pages/data.py", "data", ":material/table_chart:"),
        ("pages/train.py", "train", ":material/model_training:"),
        ("pages/inside.py", "inside", ":material/memory:"),
    ],
    "section_class": [
        ("pages/lessons.py", "lessons", ":material/school:"),
    ],
}


def sidebar_ui() -> None:
    """Language and projection mode, shown on every page."""
    with st.sidebar:
        st.selectbox(
            common.t("common.language"),
            options=LANGUAGES,
            format_func=LANGUAGE_NAMES.get,
            key="lang",
        )
        st.toggle(common.t("common.projection"), key="projection", help=common.t("common.projection_help"))


def run() -> None:
    st.set_page_config(page_title="RNN Lab", page_icon=":material/cycle:", layout="wide")
    common.init_settings()
    sidebar_ui()
    pages = {
        common.t(f"common.nav.{section}"): [
            st.Page(path, title=common.t(f"common.nav.{name}"), icon=icon, default=(name == "home"))
            for path, name, icon in entries
        ]
        for section, entries in PAGES.items()
    }
    st.navigation(pages).run()


if __name__ == "__main__":
    run()
