"""The session columns' cells (patient, therapist, number, date, attendance) parsed on their own: each
parser raises ValueError holding the phrase to show (feedback/phrases.py)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from dashboards.importer.problems import quoted
from dashboards.setup.operations import CODE_PATTERN, EMAIL_PATTERN
from feedback.models import ATTENDANCE, SESSION_YEARS
from feedback.phrases import Listed, Phrase, phrase
from feedback.text_hygiene import whole_number
from feedback.translatable import N_

# Spelling in the file -> value stored; the file says "no-show" as people write it.
ATTENDANCE_IN_FILE = {"attended": "attended", "no-show": "no_show", "cancelled": "cancelled",
                      "cancelled-by-clinic": "clinic_cancelled"}
assert set(ATTENDANCE_IN_FILE.values()) <= set(ATTENDANCE)
FILE_WORD = {stored: word for word, stored in ATTENDANCE_IN_FILE.items()}

DATE_SHAPE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def session_fields(today: date) -> dict[str, Callable[[str], Any]]:
    """Column -> parser of a non-empty cell, raising ValueError with the message to show."""

    def session_date(text: str) -> date:
        day = _date(text)
        slip = year_slip(day)  # a later bound is the future, below
        if slip is not None:
            raise ValueError(slip)
        if day > today:
            raise ValueError(phrase(N_("%(day)s is in the future; the import is for sessions that took place"),
                                    day=str(day)))
        return day

    return {
        "patient_code": _code,
        "therapist_email": _email,
        "session_number": _session_number,
        "session_date": session_date,
        "attendance": _attendance,
    }


def year_slip(day: date) -> Phrase | None:
    """What is wrong with a treatment's date before the years a session may have (0001 for 2001)."""
    if day.year >= SESSION_YEARS[0]:
        return None
    return phrase(N_("%(day)s is before %(first)s; check the year"), day=str(day), first=str(SESSION_YEARS[0]))


def _code(text: str) -> str:
    if not CODE_PATTERN.match(text):
        raise ValueError(phrase(N_("%(value)s is not a patient code: 2-32 letters, digits, '-' or '_' (a pseudonym)"),
                                value=quoted(text)))
    return text


def _email(text: str) -> str:
    email = text.lower()  # accounts are stored in lower case
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        raise ValueError(phrase(N_("%(value)s is not an e-mail address"), value=quoted(text)))
    return email


def _session_number(text: str) -> int:
    try:
        number = whole_number(text)
    except ValueError:
        number = 0
    if number < 1:
        raise ValueError(phrase(N_("%(value)s is not a session number (1, 2, 3, …)"), value=quoted(text)))
    return number


def _date(text: str) -> date:
    try:
        if DATE_SHAPE.match(text):
            return date.fromisoformat(text)
    except ValueError:  # well-shaped but impossible, e.g. 2024-02-30
        pass
    raise ValueError(phrase(N_("%(value)s is not a date written YYYY-MM-DD"), value=quoted(text)))


def _attendance(text: str) -> str:
    if text not in ATTENDANCE_IN_FILE:
        raise ValueError(one_of(text, ATTENDANCE_IN_FILE))
    return ATTENDANCE_IN_FILE[text]


def one_of(text: str, allowed: Iterable[str]) -> Phrase:
    return phrase(N_("%(value)s is not one of %(allowed)s"), value=quoted(text), allowed=Listed(tuple(allowed), ", "))
