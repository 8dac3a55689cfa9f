"""Marking English text for translation where Flask cannot be imported (the pure cores).

`N_("text")` returns the text unchanged; `flask --app app translations update` finds it, and the
edge that shows it to a person translates it with `_()` (and fills its `%(name)s` placeholders).
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802  (the conventional gettext marker's name)
    return message
