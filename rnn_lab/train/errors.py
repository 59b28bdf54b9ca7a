"""The training area's error type, in its own module so the limits and the runs both import it from below."""

from __future__ import annotations

from rnn_lab.i18n import MessageError


class TrainError(MessageError):
    """Impossible settings, found before training starts: a message key (train.err.*) plus values."""

    namespace = "train.err"
