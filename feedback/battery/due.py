"""Which forms one link asks for, and how far the patient has got: the alliance form first, then
the outcome measures due at its session (`rules.due`) in the battery's order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from feedback.battery.rules import Entry, due, usable_entries
from feedback.extensions import db
from feedback.instruments.registry import registry
from feedback.models import Invitation, OutcomeResponse, Patient, SafetyAlert, TherapySession
from feedback.survey_link import LinkPatient, LinkSession, SurveyLink


@dataclass(frozen=True)
class Progress:
    #: The link's forms in order: the alliance form's instrument id, then the due outcome measures.
    forms: tuple[str, ...]
    alliance_answered: bool
    #: Outcome measures already answered on this link.
    answered: frozenset[str] = frozenset()
    #: Whether this link's answers raised a safety alert (the pages after it show the crisis text).
    alerted: bool = False

    @property
    def outcome_forms(self) -> tuple[str, ...]:
        return self.forms[1:]

    def position(self, instrument_id: str) -> int:
        """1-based place of a form in the sequence ("Form 2 of 3")."""
        return self.forms.index(instrument_id) + 1

    def next_form(self) -> str | None:
        """The first outcome measure still to answer, once the alliance form is done; None when all are."""
        if not self.alliance_answered:
            return None
        return next((f for f in self.outcome_forms if f not in self.answered), None)

    def followed_by_another(self, instrument_id: str) -> bool:
        """Whether a form still to answer comes after this one (its button says so)."""
        later = self.forms[self.position(instrument_id):]
        return any(f not in self.answered for f in later)


def outcome_measures() -> dict[str, Any]:
    """The outcome measures a battery may name: the newest version of each patient-answered
    instrument file with `purpose: outcome`, by id."""
    found: dict[str, Any] = {}
    for instrument in registry().all():  # sorted by id, then version: the newest wins
        if instrument.purpose == "outcome" and instrument.respondent == "patient":
            found[instrument.id] = instrument
    return found


def battery_of(patient: Patient | LinkPatient) -> list[Entry]:
    """The patient's own battery if the therapist set one, else the clinic's."""
    stored = patient.clinic.outcome_battery if patient.outcome_battery is None else patient.outcome_battery
    return usable_entries(stored or [], outcome_measures())


def progress(invitation: SurveyLink | Invitation) -> Progress:
    """Where this link stands. No query for a clinic without a battery (the survey's hot path);
    three for one with a battery."""
    alliance_answered = invitation.completed_at is not None
    session = invitation.session
    entries = battery_of(session.patient) if invitation.respondent == "patient" else []
    if not entries:
        return Progress((invitation.instrument_id,), alliance_answered)
    forms = due(entries, session=_attended_position(session), on=_local_date(session, session.starts_at),
                last_answered=_last_answered(session, [e.instrument for e in entries]))
    answered, alerted = _answered_on(invitation)
    # A measure answered on this link stays in its sequence even if the battery changed since.
    forms += [f for f in answered if f not in forms]
    return Progress((invitation.instrument_id, *forms), alliance_answered, frozenset(answered), alerted)


def _attended_position(session: TherapySession | LinkSession) -> int:
    return db.session.scalar(
        select(func.count()).select_from(TherapySession).where(
            TherapySession.patient_id == session.patient_id, TherapySession.attendance == "attended",
            TherapySession.number <= session.number)
    ) or 1


def _last_answered(session: TherapySession | LinkSession, instruments: list[str]) -> dict[str, Any]:
    """Per measure, the date (clinic time) of the latest earlier session at which it was answered."""
    rows = db.session.execute(
        select(OutcomeResponse.instrument_id, func.max(TherapySession.starts_at))
        .join(Invitation, Invitation.id == OutcomeResponse.invitation_id)
        .join(TherapySession, TherapySession.id == Invitation.session_id)
        .where(TherapySession.patient_id == session.patient_id, TherapySession.number < session.number,
               OutcomeResponse.instrument_id.in_(instruments))
        .group_by(OutcomeResponse.instrument_id)
    )
    return {instrument: _local_date(session, starts_at) for instrument, starts_at in rows}


def _answered_on(invitation: SurveyLink | Invitation) -> tuple[list[str], bool]:
    rows = db.session.execute(
        select(OutcomeResponse.instrument_id, func.count(SafetyAlert.id))
        .outerjoin(SafetyAlert, SafetyAlert.outcome_response_id == OutcomeResponse.id)
        .where(OutcomeResponse.invitation_id == invitation.id)
        .group_by(OutcomeResponse.instrument_id)
        .order_by(func.min(OutcomeResponse.id))
    ).all()
    return [instrument for instrument, _ in rows], any(alerts for _, alerts in rows)


def _local_date(session: TherapySession | LinkSession, moment: Any) -> Any:
    return moment.astimezone(session.patient.clinic.zone).date()
