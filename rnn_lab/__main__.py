import os
import sys

from rnn_lab.cli import main

code = main()
# Leave without the interpreter's finalisation: once TensorFlow is loaded, a library thread still alive at exit (the
# Celery/Redis client's, TensorFlow's own pools) can abort the process in C++ ("terminate called without an active
# exception", status -6) after the command has done its work and printed its result. Everything the command writes
# is flushed here, and the run store commits each write, so nothing is lost by skipping the finalisers.
sys.stdout.flush()
sys.stderr.flush()
os._exit(code if isinstance(code, int) else 0)
