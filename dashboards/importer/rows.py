"""Check the header and parse each row of an import file on its own, into typed records.

Pure: no app and no database. Instruments come from a lookup function (the registry's `get`).
Cross-row checks live in `consistency`, checks against the database in `plan`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from dashboards.importer.csvfile import Table
from dashboards.importer.item_cells import parse_item_cells
from dashboards.importer.problems import HEADER_ROW, Problem, quoted
from dashboards.setup.operations import CODE_PATTERN, EMAIL_PATTERN
from feedback.instruments.model import Instrument
from feedback.models import ATTENDANCE, RESPONDENTS
from feedback.text_hygiene import HostileText, clean, refused_character, whole_number

REQUIRED_COLUMNS = (
    "patient_code",
    "therapist_email",
    "session_number",
    "session_date",
    "attendance",
    "respondent",
    "instrument_id",
)
OPTIONAL_COLUMNS = ("instrument_version", "language")
SESSION_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS  # every other column is an item id
# Spelling in the file -> value stored; the file says "no-show" as people write it.
ATTENDANCE_IN_FILE = {"attended": "attended", "no-show": "no_show", "cancelled": "cancelled",
                      "cancelled-by-clinic": "clinic_cancelled"}
assert set(ATTENDANCE_IN_FILE.values()) <= set(ATTENDANCE)
FILE_WORD = {stored: word for word, stored in ATTENDANCE_IN_FILE.items()}

DATE_SHAPE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

#: (instrument id, version or None for the newest) -> instrument; raises LookupError.
InstrumentLookup = Callable[[str, str | None], Instrument]


@dataclass(frozen=True)
class Questionnaire:
    respondent: str
    instrument: Instrument
    #: None: sent to the respondent and not answered.
    answers: Mapping[str, Any] | None
    #: The language the answers were given in (one of the instrument's; its first when not said).
    language: str = ""


@dataclass(frozen=True)
class ImportRow:
    row: int
    patient_code: str
    therapist_email: str
    session_number: int
    session_date: date
    attendance: str  # as stored: attended, no_show, cancelled, clinic_cancelled
    respondent: str | None
    #: None: the row records just the session (or its questionnaire part has problems).
    questionnaire: Questionnaire | None
    #: The outcome measure (PHQ-9, ...) the row answers, beside the session's alliance form; None otherwise.
    outcome: str | None = None

    @property
    def session_key(self) -> tuple[str, int]:
        return (self.patient_code, self.session_number)

    @property
    def questionnaire_key(self) -> tuple[str, int, str | None, str | None]:
        """One row per questionnaire: a respondent's alliance form, or one outcome measure."""
        return (*self.session_key, self.respondent, self.outcome)


def check_header(header: Sequence[str]) -> list[Problem]:
    problems = [Problem(HEADER_ROW, c, "this required column is missing") for c in REQUIRED_COLUMNS if c not in header]
    repeated = [name for i, name in enumerate(header) if name and name in header[:i]]
    problems += [Problem(HEADER_ROW, name, "this column appears more than once") for name in dict.fromkeys(repeated)]
    return problems + _refused_cells(HEADER_ROW, header)


def parse_rows(table: Table, instruments: InstrumentLookup, *, today: date) -> tuple[list[ImportRow], list[Problem]]:
    """Rows whose session part is valid (for the cross-row checks) and every problem found."""
    problems = check_header(table.header)
    if problems:
        return [], problems
    parsed: list[ImportRow] = []
    for number, cells in table.rows:
        row, row_problems = parse_row(number, table.header, cells, instruments, today=today)
        problems += row_problems
        if row is not None:
            parsed.append(row)
    return parsed, problems


def parse_row(
    number: int, header: Sequence[str], cells: Sequence[str], instruments: InstrumentLookup, *, today: date
) -> tuple[ImportRow | None, list[Problem]]:
    refused = _refused_cells(number, cells, header)
    if refused:
        return None, refused  # what the rest of the row means is checked once these are fixed
    values, problems = _named_cells(number, header, cells)
    fields = _session_fields(today)
    session: dict[str, Any] = {}
    for column, parse in fields.items():
        try:
            if not values[column]:
                raise ValueError("is empty")
            session[column] = parse(values[column])
        except ValueError as exc:
            problems.append(Problem(number, column, str(exc)))
    respondent, questionnaire, questionnaire_problems = _questionnaire(
        number, values, session.get("attendance"), instruments
    )
    problems += questionnaire_problems
    if len(session) < len(fields):
        return None, problems
    outcome = _outcome_measure(values["instrument_id"], instruments)
    return ImportRow(number, **session, respondent=respondent, questionnaire=questionnaire, outcome=outcome), problems


def _session_fields(today: date) -> dict[str, Callable[[str], Any]]:
    """Column -> parser of a non-empty cell, raising ValueError with the message to show."""

    def session_date(text: str) -> date:
        day = _date(text)
        if day > today:
            raise ValueError(f"{day} is in the future; the import is for sessions that took place")
        return day

    return {
        "patient_code": _code,
        "therapist_email": _email,
        "session_number": _session_number,
        "session_date": session_date,
        "attendance": _attendance,
    }


def _code(text: str) -> str:
    if not CODE_PATTERN.match(text):
        raise ValueError(f"{quoted(text)} is not a patient code: 2-32 letters, digits, '-' or '_' (a pseudonym)")
    return text


def _email(text: str) -> str:
    email = text.lower()  # accounts are stored in lower case
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        raise ValueError(f"{quoted(text)} is not an e-mail address")
    return email


def _session_number(text: str) -> int:
    try:
        number = whole_number(text)
    except ValueError:
        number = 0
    if number < 1:
        raise ValueError(f"{quoted(text)} is not a session number (1, 2, 3, …)")
    return number


def _date(text: str) -> date:
    try:
        if DATE_SHAPE.match(text):
            return date.fromisoformat(text)
    except ValueError:  # well-shaped but impossible, e.g. 2024-02-30
        pass
    raise ValueError(f"{quoted(text)} is not a date written YYYY-MM-DD")


def _attendance(text: str) -> str:
    if text not in ATTENDANCE_IN_FILE:
        raise ValueError(f"{quoted(text)} is not one of {', '.join(ATTENDANCE_IN_FILE)}")
    return ATTENDANCE_IN_FILE[text]


def _questionnaire(
    number: int, values: Mapping[str, str], attendance: str | None, instruments: InstrumentLookup
) -> tuple[str | None, Questionnaire | None, list[Problem]]:
    """(respondent if valid, the questionnaire the row records if any, problems)."""
    problems: list[Problem] = []

    def problem(column: str, message: str) -> None:
        problems.append(Problem(number, column, message))

    answered = {column: value for column, value in values.items() if column not in SESSION_COLUMNS and value}
    respondent = values["respondent"] or None
    if respondent is not None and respondent not in RESPONDENTS:
        problem("respondent", f"{quoted(respondent)} is not one of {', '.join(RESPONDENTS)}")
        respondent = None
    elif respondent is None and (answered or values["instrument_id"]):
        problem("respondent", "is empty, but the row names a questionnaire or has answers")
    instrument = _instrument(values, instruments, problem)
    if not values["instrument_id"] and (answered or (respondent and attendance == "attended")):
        problem("instrument_id", "is empty, but the row has answers or is the questionnaire of an attended session")
    if instrument is not None and respondent is not None and instrument.respondent != respondent:
        problem("instrument_id", f"{instrument.id} is answered by the {instrument.respondent}, not the {respondent}")
        instrument = None  # the row's item columns cannot be judged against the wrong questionnaire
    if answered and attendance not in (None, "attended"):
        problem("attendance", f"is {values['attendance']}, but the row has answers: only an attended session has them")
    language = values.get("language", "")
    if instrument is not None and language and language not in instrument.languages:
        spoken = ", ".join(instrument.languages)
        problem("language", f"{quoted(language)} is not a language of {instrument.id} ({spoken})")
    if instrument is not None:
        items = {item.id for item in instrument.items}
        for column in answered:
            if column not in items:
                problem(column, f"is not an item of {instrument.id} version {instrument.version}")
        answered = {column: value for column, value in answered.items() if column in items}
    if instrument is None or respondent is None:
        return respondent, None, problems
    if instrument.purpose == "outcome" and not answered and attendance == "attended":
        problem("instrument_id", f"{instrument.id} is an outcome measure: a row of it holds answers; this one has none")
    answers, item_problems = parse_item_cells(instrument, answered) if answered else ({}, {})
    problems += [Problem(number, item_id, message) for item_id, message in item_problems.items()]
    if problems or attendance != "attended":
        return respondent, None, problems
    answered_in = language or instrument.languages[0]
    return respondent, Questionnaire(respondent, instrument, answers if answered else None, answered_in), problems


def _instrument(
    values: Mapping[str, str], instruments: InstrumentLookup, problem: Callable[[str, str], None]
) -> Instrument | None:
    instrument_id, version = values["instrument_id"], values.get("instrument_version", "") or None
    if not instrument_id:
        if version:
            problem("instrument_version", "is given, but instrument_id is empty")
        return None
    try:
        return instruments(instrument_id, version)
    except LookupError as exc:
        problem("instrument_version" if version else "instrument_id", str(exc))
        return None


def _outcome_measure(instrument_id: str, instruments: InstrumentLookup) -> str | None:
    try:
        return instrument_id if instrument_id and instruments(instrument_id, None).purpose == "outcome" else None
    except LookupError:
        return None


def _named_cells(number: int, header: Sequence[str], cells: Sequence[str]) -> tuple[dict[str, str], list[Problem]]:
    """Cells by column name, stripped; a value in a column without a name is a problem."""
    values = {name: "" for name in header if name}
    problems = []
    for index, cell in enumerate(cells):
        name = header[index] if index < len(header) else ""
        if name:
            values[name] = clean(cell, multiline=True).strip()
        elif cell.strip():
            problems.append(Problem(number, column_letter(index), "has a value, but its column has no name in row 1"))
    return values, problems


def _refused_cells(number: int, cells: Sequence[str], header: Sequence[str] = ()) -> list[Problem]:
    """A problem for each cell the input-hygiene rule refuses (a cell may hold tabs and line breaks),
    named by its column's header, or by its letter (the header row, a column without a name)."""
    problems = []
    for index, cell in enumerate(cells):
        character = refused_character(cell, multiline=True)
        if character is not None:
            name = header[index] if index < len(header) else ""
            problems.append(Problem(number, name or column_letter(index), str(HostileText(character))))
    return problems


def column_letter(index: int) -> str:
    """The spreadsheet's name for a 0-based column: A, B, …, Z, AA, AB, …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
