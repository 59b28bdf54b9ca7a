"""Home page: what RNN Lab is and where to go. Must stay light (no TensorFlow)."""

import streamlit as st

from ui.common import t

st.title(t("common.app_title"))
st.write(t("common.tagline"))
from ui.class_board import assignment_ui  # noqa: E402

assignment_ui()  # a student in a class: the teacher's assignment and their best result against it
st.write(t("common.home.intro"))
cards = [
    # (page file, nav message key, card message key, icon)
    ("app_pages/architecture.py", "architecture", "arch_card", ":material/account_tree:"),
    ("app_pages/data.py", "data", "data_card", ":material/table_chart:"),
    ("app_pages/train.py", "train", "train_card", ":material/model_training:"),
    ("app_pages/inside.py", "inside", "inside_card", ":material/memory:"),
    ("app_pages/lessons.py", "lessons", "lessons_card", ":material/school:"),
]
for path, nav, card, icon in cards:
    with st.container(border=True):
        st.markdown(t(f"common.home.{card}"))
        st.page_link(path, label=t(f"common.nav.{nav}"), icon=icon)
st.caption(t("common.home.offline"))
