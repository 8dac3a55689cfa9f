"""Write a synthetic treatment history into the database (demo clinic, benchmarks).

Sessions, invitations and responses are created as the live app would have left them: answered
invitations completed with a scored response (and any outcome measures answered after it, with the
safety alerts they raise), unanswered ones expired, no invitation for missed sessions. Scores come
from the app's own scorer, not the generator's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dashboards.flags.history import Answers, PatientHistory
from feedback import tokens
from feedback.extensions import db
from feedback.instruments.model import Instrument
from feedback.instruments.scoring import score
from feedback.invitations import token_key
from feedback.models import Invitation, OutcomeResponse, Patient, Response, TherapySession
from feedback.safety import raise_alerts


def shift_history(history: PatientHistory, last_session_on: date) -> list[tuple[int, date]]:
    """Session numbers with dates moved so the last session falls on `last_session_on`."""
    sessions = sorted(history.sessions, key=lambda s: s.number)
    offset = last_session_on - sessions[-1].date
    return [(s.number, s.date + offset) for s in sessions]


def store_history(
    patient: Patient,
    history: PatientHistory,
    instruments: dict[str, Instrument],
    *,
    last_session_on: date,
    start_time: time,
    zone: ZoneInfo,
    now: datetime,
    link_valid_for: timedelta = timedelta(hours=72),
    outcomes: Mapping[int, Sequence[tuple[Instrument, dict[str, Any]]]] | None = None,
) -> None:
    """`outcomes`: per session number, the outcome measures answered after that session's patient
    form (as `dashboards/demo/outcomes.py` makes them); stored as the survey stores them, with the
    safety alerts they raise."""
    key = token_key()
    dates = dict(shift_history(history, last_session_on))
    for record in sorted(history.sessions, key=lambda s: s.number):
        starts_at = datetime.combine(dates[record.number], start_time, zone)
        session = TherapySession(
            patient=patient,
            therapist_id=patient.therapist_id,
            starts_at=starts_at,
            duration_minutes=50,
            attendance=record.attendance,
            number=record.number,
        )
        db.session.add(session)
        for respondent, answers in (("patient", record.patient), ("therapist", record.therapist)):
            if answers is not None:
                invitation = _invitation(session, respondent, answers, instruments[respondent], key, now,
                                         link_valid_for)
                if respondent == "patient" and invitation.completed_at is not None:
                    _outcomes(invitation, patient, (outcomes or {}).get(record.number, ()))
    db.session.flush()


def _outcomes(invitation: Invitation, patient: Patient,
              measures: Sequence[tuple[Instrument, dict[str, Any]]]) -> None:
    assert invitation.completed_at is not None
    for minutes, (instrument, items) in enumerate(measures, start=1):
        response = OutcomeResponse(invitation=invitation, instrument_id=instrument.id,
                                   instrument_version=instrument.version, language=patient.language, answers=items,
                                   scores=score(instrument, items),
                                   submitted_at=invitation.completed_at + timedelta(minutes=minutes))
        db.session.add(response)
        db.session.flush()
        raise_alerts(response, instrument, patient.id)


def _invitation(
    session: TherapySession,
    respondent: str,
    answers: Answers,
    instrument: Instrument,
    key: bytes,
    now: datetime,
    valid_for: timedelta,
) -> Invitation:
    sent_at = session.ends_at + timedelta(minutes=30 if respondent == "patient" else 0)
    nonce = tokens.new_nonce()
    invitation = Invitation(
        session=session,
        respondent=respondent,
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        token_hash=tokens.hash_token(tokens.token_for(key, nonce)),
        token_nonce=nonce,
        channel="link",
        created_at=session.ends_at,
        sent_at=min(sent_at, now),
        expires_at=session.ends_at + valid_for,
    )
    db.session.add(invitation)
    if answers.answered:
        submitted = min(sent_at + timedelta(hours=2), now)
        invitation.opened_at = submitted - timedelta(seconds=70)
        invitation.completed_at = submitted
        items = dict(answers.items)
        db.session.add(
            Response(
                invitation=invitation,
                answers=items,
                scores=score(instrument, items),
                submitted_at=submitted,
                seconds_taken=55,
                # The patient's form in their language; the therapist's own in the clinic's default.
                language=session.patient.language if respondent == "patient" else session.patient.clinic.language,
            )
        )
    return invitation
