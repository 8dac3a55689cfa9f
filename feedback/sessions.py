"""Recording sessions; an attended session produces the patient's and the therapist's links."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from feedback.delivery.rules import MESSAGE_CHANNELS, first_open_channel, patient_block_reason
from feedback.extensions import db
from feedback.instruments.model import Instrument
from feedback.invitations import IssuedLink, issue_invitation
from feedback.models import ATTENDANCE, SESSION_YEARS, Invitation, Patient, TherapySession, utcnow, within_session_years
from feedback.phrases import Listed, Phrase, phrase
from feedback.signals import session_changed
from feedback.translatable import N_


class SessionError(ValueError):
    """Why a session cannot be recorded: `message` is a phrase the edge says in its reader's
    language; str() is the English."""

    def __init__(self, message: Phrase) -> None:
        self.message = message
        super().__init__(str(message))


@dataclass
class SessionRecorded:
    session: TherapySession
    links: dict[str, IssuedLink] = field(default_factory=dict)  # respondent -> new link


def next_session_number(patient: Patient) -> int:
    current = db.session.scalar(select(func.max(TherapySession.number)).where(TherapySession.patient_id == patient.id))
    return (current or 0) + 1


def record_session(
    patient: Patient,
    *,
    starts_at: datetime,
    attendance: str,
    instruments: Mapping[str, Instrument],
    valid_for: timedelta,
    duration_minutes: int = 50,
    number: int | None = None,
    now: datetime | None = None,
) -> SessionRecorded:
    _check_attendance(attendance)
    if patient.status != "active":
        raise SessionError(phrase(N_("patient %(code)s has ended treatment"), code=patient.code))
    if not 5 <= duration_minutes <= 480:
        raise SessionError(phrase(N_("duration must be between 5 and 480 minutes")))
    if not within_session_years(starts_at):
        raise SessionError(phrase(N_("a session's date must be in the years %(first)s to %(last)s"),
                                  first=str(SESSION_YEARS[0]), last=str(SESSION_YEARS[1])))
    session = TherapySession(
        patient=patient,
        therapist_id=patient.therapist_id,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        attendance=attendance,
        number=number or next_session_number(patient),
    )
    db.session.add(session)
    return _save(session, instruments, valid_for, now)


def set_attendance(
    session: TherapySession,
    attendance: str,
    *,
    instruments: Mapping[str, Instrument],
    valid_for: timedelta,
    now: datetime | None = None,
) -> SessionRecorded:
    """Change attendance; becoming `attended` creates the invitations once."""
    _check_attendance(attendance)
    session.attendance = attendance
    return _save(session, instruments, valid_for, now)


def _check_attendance(attendance: str) -> None:
    if attendance not in ATTENDANCE:
        raise SessionError(phrase(N_("attendance must be one of %(choices)s"),
                                  choices=Listed(tuple(ATTENDANCE), sep=", ")))


def _save(
    session: TherapySession, instruments: Mapping[str, Instrument], valid_for: timedelta, now: datetime | None
) -> SessionRecorded:
    """Commit the session (an attended one with its invitations), then announce the change."""
    recorded = SessionRecorded(session)
    if session.attendance == "attended":
        recorded.links = _invite(session, instruments, valid_for, now or utcnow())
    db.session.commit()
    session_changed.send(session)
    return recorded


def _invite(
    session: TherapySession, instruments: Mapping[str, Instrument], valid_for: timedelta, now: datetime
) -> dict[str, IssuedLink]:
    existing = set()
    if session.id is not None:
        existing = set(db.session.scalars(select(Invitation.respondent).where(Invitation.session_id == session.id)))
    return {
        respondent: issue_invitation(
            session, respondent, instrument, valid_for=valid_for, channel=_channel(session, respondent), now=now
        )
        for respondent, instrument in instruments.items()
        if respondent not in existing
    }


def _channel(session: TherapySession, respondent: str) -> str:
    """SMS or e-mail (the preferred one first) for a patient who agreed to it, has the number or
    address and has not opted out; else the link (the therapist sees it to hand over)."""
    patient = session.patient
    if respondent != "patient":
        return "link"
    reasons = {channel: patient_block_reason(patient, channel) for channel in MESSAGE_CHANNELS}
    return first_open_channel(patient.preferred_channel, reasons) or "link"
