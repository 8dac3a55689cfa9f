"""Check the header and parse each row of an import file on its own, into typed records.

Pure: no app and no database. Instruments come from a lookup function (the registry's `get`).
Cross-row checks live in `consistency`, checks against the database in `plan`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from dashboards.importer.csvfile import Table
from dashboards.importer.item_cells import parse_item_cells
from dashboards.importer.problems import HEADER_ROW, Problem, quoted
from dashboards.importer.session_cells import one_of, session_fields
from feedback.instruments.model import Instrument
from feedback.models import RESPONDENTS
from feedback.phrases import Phrase, phrase
from feedback.text_hygiene import HostileText, clean, refused_character
from feedback.translatable import N_

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
#: A respondent as a message names them ("answered by the therapist").
RESPONDENT = {"patient": N_("patient"), "therapist": N_("therapist")}
assert set(RESPONDENT) == set(RESPONDENTS)

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
    missing, twice = phrase(N_("this required column is missing")), phrase(N_("this column appears more than once"))
    problems = [Problem(HEADER_ROW, c, missing) for c in REQUIRED_COLUMNS if c not in header]
    repeated = [name for i, name in enumerate(header) if name and name in header[:i]]
    problems += [Problem(HEADER_ROW, name, twice) for name in dict.fromkeys(repeated)]
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
    fields = session_fields(today)
    session: dict[str, Any] = {}
    for column, parse in fields.items():
        try:
            if not values[column]:
                raise ValueError(phrase(N_("is empty")))
            session[column] = parse(values[column])
        except ValueError as exc:
            problems.append(Problem(number, column, exc.args[0]))
    respondent, questionnaire, questionnaire_problems = _questionnaire(
        number, values, session.get("attendance"), instruments
    )
    problems += questionnaire_problems
    if len(session) < len(fields):
        return None, problems
    outcome = _outcome_measure(values["instrument_id"], instruments)
    return ImportRow(number, **session, respondent=respondent, questionnaire=questionnaire, outcome=outcome), problems


def _questionnaire(
    number: int, values: Mapping[str, str], attendance: str | None, instruments: InstrumentLookup
) -> tuple[str | None, Questionnaire | None, list[Problem]]:
    """(respondent if valid, the questionnaire the row records if any, problems)."""
    problems: list[Problem] = []

    def problem(column: str, message: Phrase) -> None:
        problems.append(Problem(number, column, message))

    answered = {column: value for column, value in values.items() if column not in SESSION_COLUMNS and value}
    respondent = values["respondent"] or None
    if respondent is not None and respondent not in RESPONDENTS:
        problem("respondent", one_of(respondent, RESPONDENTS))
        respondent = None
    elif respondent is None and (answered or values["instrument_id"]):
        problem("respondent", phrase(N_("is empty, but the row names a questionnaire or has answers")))
    instrument = _instrument(values, instruments, problem)
    if not values["instrument_id"] and (answered or (respondent and attendance == "attended")):
        problem("instrument_id",
                phrase(N_("is empty, but the row has answers or is the questionnaire of an attended session")))
    if instrument is not None and respondent is not None and instrument.respondent != respondent:
        problem("instrument_id", phrase(N_("%(instrument)s is answered by the %(respondent)s, not the %(other)s"),
                                        instrument=instrument.id, respondent=RESPONDENT[instrument.respondent],
                                        other=RESPONDENT[respondent]))
        instrument = None  # the row's item columns cannot be judged against the wrong questionnaire
    if answered and attendance not in (None, "attended"):
        problem("attendance",
                phrase(N_("is %(attendance)s, but the row has answers: only an attended session has them"),
                       attendance=values["attendance"]))
    language = values.get("language", "")
    if instrument is not None and language and language not in instrument.languages:
        problem("language", phrase(N_("%(value)s is not a language of %(instrument)s (%(languages)s)"),
                                   value=quoted(language), instrument=instrument.id,
                                   languages=", ".join(instrument.languages)))
    if instrument is not None:
        items = {item.id for item in instrument.items}
        for column in answered:
            if column not in items:
                problem(column, phrase(N_("is not an item of %(instrument)s version %(version)s"),
                                       instrument=instrument.id, version=instrument.version))
        answered = {column: value for column, value in answered.items() if column in items}
    if instrument is None or respondent is None:
        return respondent, None, problems
    if instrument.purpose == "outcome" and not answered and attendance == "attended":
        problem("instrument_id",
                phrase(N_("%(instrument)s is an outcome measure: a row of it holds answers; this one has none"),
                       instrument=instrument.id))
    answers, item_problems = parse_item_cells(instrument, answered) if answered else ({}, {})
    problems += [Problem(number, item_id, message) for item_id, message in item_problems.items()]
    if problems or attendance != "attended":
        return respondent, None, problems
    answered_in = language or instrument.languages[0]
    return respondent, Questionnaire(respondent, instrument, answers if answered else None, answered_in), problems


def _instrument(
    values: Mapping[str, str], instruments: InstrumentLookup, problem: Callable[[str, Phrase], None]
) -> Instrument | None:
    instrument_id, version = values["instrument_id"], values.get("instrument_version", "") or None
    if not instrument_id:
        if version:
            problem("instrument_version", phrase(N_("is given, but instrument_id is empty")))
        return None
    try:
        return instruments(instrument_id, version)
    except LookupError:
        problem("instrument_version" if version else "instrument_id", no_instrument(instrument_id, version))
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
            problems.append(Problem(number, column_letter(index),
                                    phrase(N_("has a value, but its column has no name in row 1"))))
    return values, problems


def _refused_cells(number: int, cells: Sequence[str], header: Sequence[str] = ()) -> list[Problem]:
    """A problem for each cell the input-hygiene rule refuses (a cell may hold tabs and line breaks),
    named by its column's header, or by its letter (the header row, a column without a name)."""
    problems = []
    for index, cell in enumerate(cells):
        character = refused_character(cell, multiline=True)
        if character is not None:
            name = header[index] if index < len(header) else ""
            problems.append(Problem(number, name or column_letter(index), HostileText(character).clause))
    return problems


def no_instrument(instrument_id: str, version: str | None) -> Phrase:
    """The registry's LookupError, said."""
    if version:
        return phrase(N_("no instrument %(instrument)s version %(version)s"), instrument=instrument_id, version=version)
    return phrase(N_("no instrument %(instrument)s"), instrument=instrument_id)


def column_letter(index: int) -> str:
    """The spreadsheet's name for a 0-based column: A, B, …, Z, AA, AB, …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
