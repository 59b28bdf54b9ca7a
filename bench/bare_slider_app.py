"""A bare Streamlit slider, the reference for the Inside page's step view in ``bench/inside_bench.py``.

Every move is a server round trip: the browser sends the value, the script reruns, the new text comes back.
"""

import streamlit as st

value = st.slider("t", min_value=1, max_value=60, value=1, key="t")
st.write(f"value = {value}")
