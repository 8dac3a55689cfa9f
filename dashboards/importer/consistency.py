"""Checks across the rows of one file: rows about the same session or patient must agree.

Pure, over the rows whose session columns are valid.
"""

from __future__ import annotations

from collections.abc import Sequence

from dashboards.importer.problems import Problem
from dashboards.importer.rows import FILE_WORD, ImportRow


def check_consistency(rows: Sequence[ImportRow]) -> list[Problem]:
    return [
        *_one_row_per_questionnaire(rows),
        *_one_therapist_per_patient(rows),
        *_sessions_agree(rows),
        *_dates_follow_numbers(rows),
    ]


def _one_row_per_questionnaire(rows: Sequence[ImportRow]) -> list[Problem]:
    first: dict[tuple[str, int, str | None, str | None], ImportRow] = {}
    problems = []
    for row in rows:
        key = row.questionnaire_key
        if key in first:
            who = f"the {row.respondent}" if row.respondent else "no respondent"
            who = f"{who}'s {row.outcome}" if row.outcome else who
            problems.append(
                Problem(
                    row.row,
                    "respondent",
                    f"session {row.session_number} of {row.patient_code} already has a row for {who} "
                    f"(row {first[key].row}); one row per questionnaire",
                )
            )
        else:
            first[key] = row
    return problems


def _one_therapist_per_patient(rows: Sequence[ImportRow]) -> list[Problem]:
    # A patient has one therapist (Patient.therapist_id); a change of therapist is not imported.
    first: dict[str, ImportRow] = {}
    problems = []
    for row in rows:
        earlier = first.setdefault(row.patient_code, row)
        if row.therapist_email != earlier.therapist_email:
            problems.append(
                Problem(
                    row.row,
                    "therapist_email",
                    f"patient {row.patient_code} is with {earlier.therapist_email} in row {earlier.row}; "
                    "all of a patient's rows name the same therapist",
                )
            )
    return problems


def _sessions_agree(rows: Sequence[ImportRow]) -> list[Problem]:
    first: dict[tuple[str, int], ImportRow] = {}
    problems = []
    for row in rows:
        earlier = first.setdefault(row.session_key, row)
        session = f"session {row.session_number} of {row.patient_code}"
        if row.session_date != earlier.session_date:
            problems.append(
                Problem(row.row, "session_date", f"{session} is dated {earlier.session_date} in row {earlier.row}")
            )
        if row.attendance != earlier.attendance:
            problems.append(
                Problem(row.row, "attendance", f"{session} is {FILE_WORD[earlier.attendance]} in row {earlier.row}")
            )
    return problems


def _dates_follow_numbers(rows: Sequence[ImportRow]) -> list[Problem]:
    """Session numbers count the treatment's sessions in order, so a later number has no earlier date."""
    sessions: dict[str, dict[int, ImportRow]] = {}
    for row in rows:
        sessions.setdefault(row.patient_code, {}).setdefault(row.session_number, row)
    problems = []
    for by_number in sessions.values():
        ordered = [by_number[n] for n in sorted(by_number)]
        for before, after in zip(ordered, ordered[1:], strict=False):
            if after.session_date < before.session_date:
                problems.append(
                    Problem(
                        after.row,
                        "session_date",
                        f"session {after.session_number} of {after.patient_code} is dated before session "
                        f"{before.session_number} ({before.session_date}, row {before.row})",
                    )
                )
    return problems
