"""Each row on its own: session columns, the questionnaire, item values and conditions (no app)."""

from __future__ import annotations

from datetime import date

import pytest

from dashboards.importer.csvfile import Table
from dashboards.importer.rows import check_header, column_letter, parse_rows
from feedback.instruments.loader import BUILTIN_DIR, load_file
from feedback.instruments.model import Instrument
from tests.importer.helpers import EXAMPLE

PATIENT = load_file(BUILTIN_DIR / "post-session-patient.yaml")
THERAPIST = load_file(BUILTIN_DIR / "post-session-therapist.yaml")
LICENSED = load_file(EXAMPLE.parent / "licensed-instrument.yaml")
INSTRUMENTS = {(i.id, i.version): i for i in (PATIENT, THERAPIST, LICENSED)}
TODAY = date(2025, 6, 30)

SESSION = ["patient_code", "therapist_email", "session_number", "session_date", "attendance", "respondent",
           "instrument_id"]
PATIENT_ITEMS = {"bond_understood": "4", "bond_trust": "5", "task_useful": "4", "task_fit": "3", "goal_agree": "4",
                 "goal_unclear": "2", "rupture": "no", "held_back": "1", "went_along": "2", "frustrated": "1"}
THERAPIST_ITEMS = {"t_connected": "4", "t_collab": "4", "t_task": "3", "t_goal": "4", "rupture": "no"}


def lookup(instrument_id: str, version: str | None) -> Instrument:
    found = [i for (iid, v), i in INSTRUMENTS.items() if iid == instrument_id and version in (None, v)]
    if not found:
        raise LookupError(f"no instrument {instrument_id}" + (f" version {version}" if version else ""))
    return found[0]


def parse(*records: dict[str, str], header: list[str] | None = None):
    """Parse records (column -> value; the rest empty) under a header with all their columns."""
    columns = header or list(dict.fromkeys([*SESSION, *(c for r in records for c in r)]))
    table = Table(columns, [(n, [r.get(c, "") for c in columns]) for n, r in enumerate(records, start=2)])
    return parse_rows(table, lookup, today=TODAY)


def row(respondent: str = "patient", **values: str) -> dict[str, str]:
    base = {"patient_code": "P-1", "therapist_email": "T@Example.org", "session_number": "3",
            "session_date": "2025-03-04", "attendance": "attended", "respondent": respondent,
            "instrument_id": f"post-session-{respondent}"}
    return {**base, **(PATIENT_ITEMS if respondent == "patient" else THERAPIST_ITEMS), **values}


def problems_of(*records: dict[str, str]) -> set[tuple[int, str]]:
    _, problems = parse(*records)
    return {(p.row, p.column) for p in problems}


def test_a_complete_patient_row_becomes_typed_answers():
    rows, problems = parse(row(comment=' "Fine", thanks '))
    assert problems == []
    (parsed,) = rows
    assert (parsed.patient_code, parsed.therapist_email, parsed.session_number) == ("P-1", "t@example.org", 3)
    assert parsed.session_date == date(2025, 3, 4) and parsed.attendance == "attended"
    answers = parsed.questionnaire.answers
    assert answers["bond_trust"] == 5 and answers["rupture"] is False and answers["comment"] == '"Fine", thanks'
    assert "rupture_tension" not in answers


def test_multiple_choice_is_split_on_semicolons_in_the_instruments_order():
    rows, problems = parse(row("therapist", rupture="yes", rupture_tension="3", rupture_resolved="4",
                               markers="confrontation; withdrawal_away", strategy="clarify;clarify"))
    assert problems == []
    answers = rows[0].questionnaire.answers
    assert answers["markers"] == ["withdrawal_away", "confrontation"] and answers["strategy"] == ["clarify"]


def test_no_show_without_answers_records_just_the_session_with_the_stored_spelling():
    rows, problems = parse({**row(), **dict.fromkeys(PATIENT_ITEMS, ""), "attendance": "no-show",
                            "respondent": "", "instrument_id": ""})
    assert problems == []
    assert rows[0].attendance == "no_show" and rows[0].questionnaire is None and rows[0].respondent is None


def test_attended_row_without_answers_is_an_unanswered_questionnaire():
    rows, problems = parse({**row(), **dict.fromkeys(PATIENT_ITEMS, "")})
    assert problems == []
    assert rows[0].questionnaire.instrument is PATIENT and rows[0].questionnaire.answers is None


def test_single_choice_and_a_pinned_instrument_version():
    record = {**row(), **dict.fromkeys(PATIENT_ITEMS, ""), "instrument_id": "licensed-alliance-example",
              "instrument_version": "1.0", "q1": "4", "q2": "3", "q3": "2", "rupture": "yes",
              "rupture_tension": "2", "rupture_resolved": "5", "topic": "relationship"}
    rows, problems = parse(record)
    assert problems == []
    assert rows[0].questionnaire.answers["topic"] == "relationship"
    _, problems = parse({**record, "instrument_version": "2"})
    assert [(p.column, p.message) for p in problems] == [
        ("instrument_version", "no instrument licensed-alliance-example version 2")
    ]


@pytest.mark.parametrize(
    ("values", "column", "message"),
    [
        ({"bond_trust": "7"}, "bond_trust", "'7' is not a whole number from 1 to 5"),
        ({"bond_trust": "4.5"}, "bond_trust", "'4.5' is not a whole number from 1 to 5"),
        ({"rupture": "maybe"}, "rupture", "'maybe' is not yes or no"),
        ({"comment": "x" * 501}, "comment", "is not text of at most 500 characters"),
        ({"rupture_tension": "3"}, "rupture_tension", "only asked when rupture is yes"),
        ({"rupture": "yes", "rupture_tension": "3"}, "rupture_resolved", "is empty, but the row answers other items"),
        ({"goal_agree": ""}, "goal_agree", "a questionnaire is answered in full or not at all"),
        ({"t_connected": "4"}, "t_connected", "is not an item of post-session-patient version 1"),
        ({"attendance": "cancelled"}, "attendance", "is cancelled, but the row has answers"),
        ({"attendance": "present"}, "attendance", "'present' is not one of attended, no-show, cancelled"),
        ({"instrument_id": "post-session-therapist"}, "instrument_id",
         "post-session-therapist is answered by the therapist, not the patient"),
        ({"instrument_id": "wai"}, "instrument_id", "no instrument wai"),
        ({"instrument_id": ""}, "instrument_id", "is empty, but the row has answers"),
        ({"respondent": ""}, "respondent", "is empty, but the row names a questionnaire or has answers"),
        ({"respondent": "family"}, "respondent", "'family' is not one of patient, therapist"),
        ({"patient_code": "Jane Doe"}, "patient_code", "'Jane Doe' is not a patient code"),
        ({"patient_code": ""}, "patient_code", "is empty"),
        ({"therapist_email": "anna"}, "therapist_email", "'anna' is not an e-mail address"),
        ({"session_number": "0"}, "session_number", "'0' is not a session number"),
        ({"session_number": "2.0"}, "session_number", "'2.0' is not a session number"),
        ({"session_date": "04/03/2025"}, "session_date", "'04/03/2025' is not a date written YYYY-MM-DD"),
        ({"session_date": "2025-02-30"}, "session_date", "'2025-02-30' is not a date written YYYY-MM-DD"),
        ({"session_date": "2025-07-01"}, "session_date", "2025-07-01 is in the future"),
        # A slip of the year (0001 for 2001): such a date once broke the FHIR export and the flags.
        ({"session_date": "0001-03-04"}, "session_date", "0001-03-04 is before 1900; check the year"),
        ({"session_date": "1899-12-31"}, "session_date", "1899-12-31 is before 1900; check the year"),
    ],
)
def test_each_problem_is_named_by_its_column(values, column, message):
    _, problems = parse({**row(), **values})
    assert [p.column for p in problems] == [column]
    assert message in problems[0].message and problems[0].row == 2


def test_history_goes_back_to_1900():
    rows, problems = parse(row(session_date="1900-01-01"))
    assert problems == [] and rows[0].session_date == date(1900, 1, 1)


def test_all_problems_of_a_row_are_listed_and_faulty_answers_do_not_cascade():
    # rupture is faulty: whether its follow-ups were asked cannot be told, so they are not judged.
    found = problems_of(row(bond_trust="9", task_fit="", rupture="sometimes", rupture_tension="4",
                            session_date="yesterday"))
    assert found == {(2, "bond_trust"), (2, "task_fit"), (2, "rupture"), (2, "session_date")}


def test_a_faulty_row_is_left_out_of_the_cross_row_checks_only_when_its_session_columns_are_faulty():
    rows, _ = parse(row(bond_trust="9"), row("therapist", session_date="soon"))
    assert [r.row for r in rows] == [2]
    assert rows[0].questionnaire is None  # its answers are not trusted either


def test_other_instruments_columns_may_share_the_file_when_empty():
    rows, problems = parse(row(), row("therapist"))
    assert problems == [] and len(rows) == 2


def test_value_in_a_column_without_a_name():
    header = [*SESSION, *PATIENT_ITEMS, ""]
    table = Table(header, [(2, [*row().values(), "stray"])])
    _, problems = parse_rows(table, lookup, today=TODAY)
    assert [(p.row, p.column) for p in problems] == [(2, column_letter(len(header) - 1))]


def test_header_problems_are_row_1():
    problems = check_header(["patient_code", "session_date", "attendance", "respondent", "bond_trust", "bond_trust"])
    assert [str(p) for p in problems] == [
        "row 1, column therapist_email: this required column is missing",
        "row 1, column session_number: this required column is missing",
        "row 1, column instrument_id: this required column is missing",
        "row 1, column bond_trust: this column appears more than once",
    ]


def test_column_letters_as_a_spreadsheet_names_them():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


def test_the_language_the_answers_were_given_in_is_one_of_the_instruments():
    rows, problems = parse(row(language="es"), row(session_number="4"))
    assert problems == [] and [r.questionnaire.language for r in rows] == ["es", "en"]  # unsaid: the first
    _, problems = parse(row(language="fr"))
    assert [(p.column, p.message) for p in problems] == [
        ("language", "'fr' is not a language of post-session-patient (en, es)")]
