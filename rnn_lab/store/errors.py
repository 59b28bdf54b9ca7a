"""The store's one error: it cannot be used (read-only data directory, full disk, server down), said plainly."""

from __future__ import annotations

from rnn_lab.i18n import MessageError


class StoreUnavailable(MessageError):
    """Nothing can be saved (or read) right now: a catalogue message (``store.err.*``) plus values.

    Training goes on without saving; nothing already saved is touched."""

    namespace = "store.err"


def classify_error(err: BaseException, where: str) -> StoreUnavailable:
    """The :class:`StoreUnavailable` that says what went wrong with a database error (or an OSError)."""
    text = str(getattr(err, "orig", None) or err)
    low = text.lower()
    if "readonly" in low or "read-only" in low or "read only" in low or "permission denied" in low:
        return StoreUnavailable("read_only", where=where)
    if "disk is full" in low or "no space" in low or "disk full" in low:
        return StoreUnavailable("full", where=where)
    if "unable to open" in low or "not a directory" in low or isinstance(err, OSError):
        return StoreUnavailable("cannot_open", where=where, reason=text.splitlines()[0][:200])
    return StoreUnavailable("failed", where=where, reason=text.splitlines()[0][:200])
