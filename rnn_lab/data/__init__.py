"""Data area: toy sequences, the robust CSV reader, cleaning, scaling and windowing (no streamlit here)."""
