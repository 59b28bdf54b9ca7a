"""Class page (issue 26): a teacher starts a class and watches it live; a student joins with the code."""

import streamlit as st

from ui import class_board as ui
from ui.common import t

st.title(t("class_page.title"))
teaching = ui.teacher()
if teaching is not None:
    ui.teacher_ui(teaching)
    st.stop()
if st.session_state.get(ui.TEACHER):  # a teacher link whose key is wrong: nothing of the class
    st.error(t("class_board.err.bad_key"), icon=":material/lock:")
    ui.forget_teacher()
info = ui.student_info()
if info is not None:
    ui.student_ui(info)
    st.stop()
st.caption(t("class_page.intro"))
c1, c2 = st.columns(2)
with c1:
    ui.join_ui()
with c2:
    ui.create_ui()
