"""How every CSV the app writes spells a value, so the clinic export, the per-patient export and
the import read alike: yes/no for yes/no answers, option ids joined with ";", and text that a
spreadsheet can never take for a formula."""

from __future__ import annotations

# A cell starting with one of these is a formula to a spreadsheet (CSV injection): such text gets
# a leading apostrophe, as OWASP recommends. Answers from the app's own instruments are numbers,
# yes/no and option ids, so only free text and codes can ever be affected.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def answer_cell(value: object) -> str:
    """One answer as a cell: empty when unanswered, yes/no, option ids joined with ";", text as is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return safe_text(value) if isinstance(value, str) else str(value)
