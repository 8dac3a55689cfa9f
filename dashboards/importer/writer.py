"""Write a checked plan into the current transaction, as the live app would have left it.

No commit here: `operation` commits once, after everything is written. Sessions start at
SESSION_START in the clinic's time zone (the file has dates only); a questionnaire is created
and sent at the session's end, and expires a link validity later (already expired for past
sessions); an answered one is completed at the session's end, scored by the app's own scorer, as
are outcome measures' answers, which join the session's patient invitation.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from dashboards.importer.existing import Existing
from dashboards.importer.plan import Plan
from dashboards.importer.rows import ImportRow
from feedback.extensions import db
from feedback.instruments.scoring import score
from feedback.invitations import issue_invitation
from feedback.models import Clinic, Invitation, OutcomeResponse, Patient, Response, TherapySession, User

SESSION_START = time(9, 0)
SESSION_MINUTES = 50
CHANNEL = "import"  # marks invitations that came from a file, not from a link the app sent


def write_plan(plan: Plan, existing: Existing, *, timezone: str, valid_for: timedelta) -> set[int]:
    """Add everything the plan creates to the session; returns the ids of patients whose history changed."""
    clinic = _clinic(plan, existing, timezone)
    therapists = _Loader(User, {email: t.id for email, t in existing.therapists.items()})
    for email in plan.therapists:
        therapists.add(email, _new_therapist(email, clinic))
    patients = _Loader(Patient, {code: p.id for code, p in existing.patients.items()})
    for code, email in plan.patients.items():
        patients.add(code, _new_patient(code, clinic, therapists.get(email)))
    sessions = _Loader(TherapySession, {key: s.id for key, s in existing.sessions.items()})
    for row in plan.sessions:
        sessions.add(row.session_key, _new_session(row, patients.get(row.patient_code), clinic))
    patient_forms = _Loader(Invitation, {key[:2]: q.invitation_id for key, q in existing.questionnaires.items()
                                         if key[2] == "patient"})
    for row in plan.questionnaires:
        invitation = _new_questionnaire(row, sessions.get(row.session_key), valid_for)
        if row.respondent == "patient":
            patient_forms.add(row.session_key, invitation)
    for invitation_id, row in plan.answers_for_existing:
        invitation = db.session.get_one(Invitation, invitation_id)
        _answer(invitation, row, invitation.session.ends_at)
    for row in plan.outcomes:
        _outcome(patient_forms.get(row.session_key), row)
    db.session.flush()  # assigns the new patients' ids
    return {patients.id_of(code) for code in plan.patient_codes}


class _Loader:
    """Objects by key: the ones created by this import, or existing ones loaded once by id."""

    def __init__(self, model: type[Any], ids: dict[Any, int]):
        self.model, self.ids, self.objects = model, ids, {}

    def add(self, key: Any, obj: Any) -> None:
        self.objects[key] = obj

    def get(self, key: Any) -> Any:
        if key not in self.objects:
            self.objects[key] = db.session.get_one(self.model, self.ids[key])
        return self.objects[key]

    def id_of(self, key: Any) -> int:
        return self.ids[key] if key in self.ids else self.objects[key].id


def _clinic(plan: Plan, existing: Existing, timezone: str) -> Clinic:
    if existing.clinic_id is not None:
        return db.session.get_one(Clinic, existing.clinic_id)
    clinic = Clinic(name=plan.clinic_name, timezone=timezone)
    db.session.add(clinic)
    return clinic


def _new_therapist(email: str, clinic: Clinic) -> User:
    # As dashboards.setup.operations.add_user with no password: the account cannot sign in until an admin sets one.
    user = User(email=email, clinic=clinic, role="therapist", password_hash=None, display_name=email.split("@")[0])
    db.session.add(user)
    return user


def _new_patient(code: str, clinic: Clinic, therapist: User) -> Patient:
    # As dashboards.setup.operations.add_patient with its defaults: no phone, no SMS consent, links by hand.
    patient = Patient(code=code, clinic=clinic, therapist=therapist, language="en", preferred_channel="link")
    db.session.add(patient)
    return patient


def _new_session(row: ImportRow, patient: Patient, clinic: Clinic) -> TherapySession:
    session = TherapySession(
        patient=patient,
        therapist=patient.therapist,
        starts_at=datetime.combine(row.session_date, SESSION_START, clinic.zone),
        duration_minutes=SESSION_MINUTES,
        attendance=row.attendance,
        number=row.session_number,
    )
    db.session.add(session)
    return session


def _new_questionnaire(row: ImportRow, session: TherapySession, valid_for: timedelta) -> Invitation:
    assert row.questionnaire is not None
    ends_at = session.ends_at
    invitation = issue_invitation(
        session,
        row.questionnaire.respondent,
        row.questionnaire.instrument,
        valid_for=valid_for,
        channel=CHANNEL,
        now=ends_at,
    ).invitation
    invitation.sent_at = ends_at
    if row.questionnaire.answers is not None:
        _answer(invitation, row, ends_at)
    return invitation


def _answer(invitation: Invitation, row: ImportRow, completed_at: datetime) -> None:
    assert row.questionnaire is not None and row.questionnaire.answers is not None
    answers = dict(row.questionnaire.answers)
    invitation.completed_at = completed_at
    db.session.add(
        Response(
            invitation=invitation,
            answers=answers,
            scores=score(row.questionnaire.instrument, answers),
            submitted_at=completed_at,
            seconds_taken=None,  # not known for answers from another system
            language=row.questionnaire.language,
        )
    )


def _outcome(invitation: Invitation, row: ImportRow) -> None:
    """An outcome measure's answers on the session's patient invitation, given at the session's end.
    History from another system raises no safety alert here: it was that system's to act on then."""
    assert row.questionnaire is not None and row.questionnaire.answers is not None
    instrument, answers = row.questionnaire.instrument, dict(row.questionnaire.answers)
    db.session.add(OutcomeResponse(invitation=invitation, instrument_id=instrument.id,
                                   instrument_version=instrument.version, answers=answers,
                                   scores=score(instrument, answers), submitted_at=invitation.session.ends_at,
                                   language=row.questionnaire.language))
