"""Lessons page: the guided lessons (the steps themselves run in the sidebar panel on each page)."""

from ui.classroom import lessons_page_ui

lessons_page_ui()
