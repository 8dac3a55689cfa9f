"""Checks across the rows of one file: rows about the same session or patient must agree.

Pure, over the rows whose session columns are valid.
"""

from __future__ import annotations

from collections.abc import Sequence

from dashboards.importer.problems import Problem, row_ref, session_of
from dashboards.importer.rows import ImportRow
from dashboards.importer.session_cells import FILE_WORD
from feedback.phrases import phrase
from feedback.translatable import N_

THE_RESPONDENT = {"patient": N_("the patient"), "therapist": N_("the therapist")}


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
            who = phrase(THE_RESPONDENT[row.respondent] if row.respondent else N_("no respondent"))
            who = phrase(N_("%(who)s's %(measure)s"), who=who, measure=row.outcome) if row.outcome else who
            problems.append(
                Problem(
                    row.row,
                    "respondent",
                    phrase(N_("%(session)s already has a row for %(who)s (%(row)s); one row per questionnaire"),
                           session=session_of(row), who=who, row=row_ref(first[key].row)),
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
                    phrase(N_("patient %(patient)s is with %(therapist)s in %(row)s; all of a patient's rows name "
                              "the same therapist"), patient=row.patient_code, therapist=earlier.therapist_email,
                           row=row_ref(earlier.row)),
                )
            )
    return problems


def _sessions_agree(rows: Sequence[ImportRow]) -> list[Problem]:
    first: dict[tuple[str, int], ImportRow] = {}
    problems = []
    for row in rows:
        earlier = first.setdefault(row.session_key, row)
        session, row_of_earlier = session_of(row), row_ref(earlier.row)
        if row.session_date != earlier.session_date:
            message = phrase(N_("%(session)s is dated %(date)s in %(row)s"), session=session,
                             date=str(earlier.session_date), row=row_of_earlier)
            problems.append(Problem(row.row, "session_date", message))
        if row.attendance != earlier.attendance:
            message = phrase(N_("%(session)s is %(attendance)s in %(row)s"), session=session,
                             attendance=FILE_WORD[earlier.attendance], row=row_of_earlier)
            problems.append(Problem(row.row, "attendance", message))
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
                        phrase(N_("%(session)s is dated before session %(number)s (%(date)s, %(row)s)"),
                               session=session_of(after), number=before.session_number,
                               date=str(before.session_date), row=row_ref(before.row)),
                    )
                )
    return problems
