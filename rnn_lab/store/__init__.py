"""The run store: every run saved in a real database, reopened from a workspace link (issue 24).

``Store`` (:mod:`rnn_lab.store.store`) holds workspaces, runs and data blobs in SQLite (embedded default) or
PostgreSQL (``RNN_LAB_DATABASE_URL``); :mod:`rnn_lab.store.records` turns a :class:`~rnn_lab.train.runs.Run` into a
record and back. No Streamlit here: the app, the command line and the workers share it. A worker needs only a run
id: the record holds the settings, the data's identity and the state.
"""

from rnn_lab.store.errors import StoreUnavailable
from rnn_lab.store.store import Store, default_store, new_token, reset_default_store, valid_token

__all__ = ["Store", "StoreUnavailable", "default_store", "new_token", "reset_default_store", "valid_token"]
