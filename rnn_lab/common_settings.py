"""Settings shared by every page: language and projection mode."""

from rnn_lab.i18n import LANGUAGES
from rnn_lab.settings import Setting

SETTINGS = (
    Setting("lang", "en", choices=LANGUAGES),
    Setting("projection", False),
)
