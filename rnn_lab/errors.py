"""Errors every layer may raise, in a module of their own at the bottom (the command line catches them on top)."""

from __future__ import annotations


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit status 2."""
