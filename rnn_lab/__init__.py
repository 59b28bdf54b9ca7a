"""RNN Lab: the library behind the dashboard.

Everything here is plain Python (no Streamlit) so the pages, the command line
(`python -m rnn_lab ...`) and the tests share one implementation. TensorFlow is
imported lazily inside the functions that need it, never at import time.
"""

__version__ = "0.1.0"
