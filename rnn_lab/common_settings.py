"""Settings shared by every page: language, projection mode, simple (lesson) mode."""

from rnn_lab.i18n import LANGUAGES
from rnn_lab.settings import Setting

SETTINGS = (
    Setting("lang", "en", choices=LANGUAGES),
    Setting("projection", False),
    # A lesson can hide the advanced controls (like TensorFlow Playground's lesson links).
    Setting("simple_mode", False),
)
