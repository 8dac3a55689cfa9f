"""Compare the file's rows with what the database holds: what to create, what conflicts.

Pure. Matching keys make a re-import change nothing: sessions by (patient, number),
questionnaires by (session, respondent); an answer already stored is never overwritten, a
different one in the file is a problem.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from dashboards.importer.existing import Existing, KnownQuestionnaire, KnownSession
from dashboards.importer.item_cells import cell_text
from dashboards.importer.problems import Problem, session_of
from dashboards.importer.rows import RESPONDENT, ImportRow
from dashboards.importer.session_cells import FILE_WORD
from feedback.phrases import Phrase, phrase
from feedback.translatable import N_

THE_RESPONDENTS = {"patient": N_("the patient's"), "therapist": N_("the therapist's")}


@dataclass
class Plan:
    clinic_name: str
    create_clinic: bool = False
    therapists: list[str] = field(default_factory=list)  # e-mails of accounts to create
    patients: dict[str, str] = field(default_factory=dict)  # code -> therapist e-mail, to create
    sessions: list[ImportRow] = field(default_factory=list)  # the first row of each new session
    questionnaires: list[ImportRow] = field(default_factory=list)  # new invitations, answered or not
    #: Answers for invitations that exist unanswered: (invitation id, row).
    answers_for_existing: list[tuple[int, ImportRow]] = field(default_factory=list)
    #: New outcome measures' answers, each on its session's patient invitation (existing or new).
    outcomes: list[ImportRow] = field(default_factory=list)
    rows: int = 0
    unchanged_rows: int = 0

    @property
    def responses(self) -> int:
        new = sum(1 for row in self.questionnaires if row.questionnaire and row.questionnaire.answers is not None)
        return new + len(self.answers_for_existing)

    @property
    def patient_codes(self) -> set[str]:
        """Patients whose history this import changes."""
        rows = [*self.sessions, *self.questionnaires, *(row for _, row in self.answers_for_existing), *self.outcomes]
        return {row.patient_code for row in rows}


def plan_import(
    rows: Sequence[ImportRow], existing: Existing, *, clinic_name: str, create_missing: bool
) -> tuple[Plan, list[Problem]]:
    plan = Plan(clinic_name, create_clinic=existing.clinic_id is None, rows=len(rows))
    problems: list[Problem] = []
    if existing.clinic_id is None and not create_missing:
        problems.append(Problem(None, "--clinic", phrase(N_("no clinic named %(name)s; add it or use --create-missing"),
                                                         name=repr(clinic_name))))
    first_rows = _first_rows(rows)
    for row in rows:
        if first_rows["therapist", row.therapist_email] is row:
            problems += _therapist(row, existing, plan, create_missing)
        if first_rows["patient", row.patient_code] is row:
            problems += _patient(row, existing, plan)
        known_session = existing.sessions.get(row.session_key)
        if first_rows["session", row.session_key] is row:
            if known_session is None:
                plan.sessions.append(row)
            else:
                problems += _session_conflicts(row, known_session)
        changes_questionnaire = False
        if row.questionnaire is not None and row.outcome is not None:
            conflicts, changes_questionnaire = _outcome(row, existing)
            problems += conflicts
            if changes_questionnaire:
                plan.outcomes.append(row)
        elif row.questionnaire is not None:
            known = existing.questionnaires.get((*row.session_key, row.questionnaire.respondent))
            if known is None:
                plan.questionnaires.append(row)
                changes_questionnaire = True
            else:
                conflicts, changes_questionnaire = _questionnaire(row, known)
                problems += conflicts
                if changes_questionnaire:
                    plan.answers_for_existing.append((known.invitation_id, row))
        if known_session is not None and not changes_questionnaire:
            plan.unchanged_rows += 1
    return plan, problems + _outcomes_need_a_patient_form(plan, existing)


def _first_rows(rows: Sequence[ImportRow]) -> dict[tuple[str, object], ImportRow]:
    """The first row naming each therapist, patient and session: each is checked (and created) once."""
    first: dict[tuple[str, object], ImportRow] = {}
    for row in rows:
        first.setdefault(("therapist", row.therapist_email), row)
        first.setdefault(("patient", row.patient_code), row)
        first.setdefault(("session", row.session_key), row)
    return first


def _therapist(row: ImportRow, existing: Existing, plan: Plan, create_missing: bool) -> list[Problem]:
    known = existing.therapists.get(row.therapist_email)
    if known is not None:
        return [Problem(row.row, "therapist_email", known.problem)] if known.problem else []
    if create_missing:
        plan.therapists.append(row.therapist_email)
        return []
    return [
        Problem(
            row.row,
            "therapist_email",
            phrase(N_("no account for %(email)s in %(clinic)s; add it or use --create-missing"),
                   email=row.therapist_email, clinic=plan.clinic_name),
        )
    ]


def _patient(row: ImportRow, existing: Existing, plan: Plan) -> list[Problem]:
    known = existing.patients.get(row.patient_code)
    if known is None:
        plan.patients[row.patient_code] = row.therapist_email
        return []
    if known.therapist_email != row.therapist_email:
        message = phrase(N_("patient %(patient)s is with %(therapist)s in the database"), patient=row.patient_code,
                         therapist=known.therapist_email)
        return [Problem(row.row, "therapist_email", message)]
    return []


def _session_conflicts(row: ImportRow, known: KnownSession) -> list[Problem]:
    session = session_of(row)
    problems = []
    if known.date != row.session_date:
        message = phrase(N_("%(session)s is already recorded on %(date)s"), session=session, date=str(known.date))
        problems.append(Problem(row.row, "session_date", message))
    if known.attendance != row.attendance:
        word = FILE_WORD.get(known.attendance, known.attendance)  # "scheduled" has no spelling in the file
        message = phrase(N_("%(session)s is already recorded as %(attendance)s"), session=session, attendance=word)
        problems.append(Problem(row.row, "attendance", message))
    if known.therapist_email != row.therapist_email:
        message = phrase(N_("%(session)s is already recorded with %(therapist)s"), session=session,
                         therapist=known.therapist_email)
        problems.append(Problem(row.row, "therapist_email", message))
    return problems


def _questionnaire(row: ImportRow, known: KnownQuestionnaire) -> tuple[list[Problem], bool]:
    """(conflicts, whether the row answers a questionnaire stored unanswered)."""
    assert row.questionnaire is not None
    instrument, answers = row.questionnaire.instrument, row.questionnaire.answers
    where = session_of(row)
    if (known.instrument_id, known.instrument_version) != (instrument.id, instrument.version):
        message = phrase(N_("%(session)s already has a %(respondent)s questionnaire %(instrument)s "
                            "version %(version)s"), session=where, respondent=RESPONDENT[row.questionnaire.respondent],
                         instrument=known.instrument_id, version=known.instrument_version)
        return [Problem(row.row, "instrument_id", message)], False
    if known.answers is None:
        return [], answers is not None
    if answers is None:
        message = phrase(N_("%(whose)s questionnaire for %(session)s is already answered in the database"),
                         whose=THE_RESPONDENTS[row.questionnaire.respondent], session=where)
        return [Problem(row.row, "respondent", message)], False
    return _differences(row, known.answers, where), False


def _outcome(row: ImportRow, existing: Existing) -> tuple[list[Problem], bool]:
    """(conflicts, whether the row's outcome answers are new)."""
    assert row.questionnaire is not None
    instrument = row.questionnaire.instrument
    known = existing.outcomes.get((*row.session_key, instrument.id))
    if known is None:
        return [], True
    where = session_of(row)
    if known.instrument_version != instrument.version:
        message = phrase(N_("%(session)s already has %(instrument)s version %(version)s answered"), session=where,
                         instrument=instrument.id, version=known.instrument_version)
        return [Problem(row.row, "instrument_id", message)], False
    return _differences(row, known.answers, where), False


def _differences(row: ImportRow, stored: dict, where: Phrase) -> list[Problem]:
    """An answer already stored is never overwritten: each item the file answers otherwise is a problem."""
    assert row.questionnaire is not None and row.questionnaire.answers is not None
    answers = row.questionnaire.answers
    return [
        Problem(
            row.row,
            item.id,
            phrase(N_("the database already holds %(stored)s for %(session)s; the file says %(value)s"),
                   stored=cell_text(stored.get(item.id)), session=where, value=cell_text(answers.get(item.id))),
        )
        for item in row.questionnaire.instrument.items
        if stored.get(item.id) != answers.get(item.id)
    ]


def _outcomes_need_a_patient_form(plan: Plan, existing: Existing) -> list[Problem]:
    """An outcome measure is answered on the session's patient link, after its alliance form: the
    session needs that form (answered or not), in the database or in the file."""
    planned = {row.session_key for row in plan.questionnaires if row.respondent == "patient"}
    return [
        Problem(row.row, "instrument_id",
                phrase(N_("%(session)s has no patient questionnaire in the file or the database; %(measure)s is "
                          "answered on the patient's link after it"), session=session_of(row), measure=row.outcome))
        for row in plan.outcomes
        if row.session_key not in planned and (*row.session_key, "patient") not in existing.questionnaires
    ]
