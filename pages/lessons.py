"""Placeholder until its issue lands."""

import streamlit as st

from ui.common import t

st.title(t("common.nav.lessons"))
