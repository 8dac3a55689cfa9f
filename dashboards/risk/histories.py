"""Build the engine's plain-data histories from the database, a few queries for any number
of patients (no query per patient or per session)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select

from dashboards.flags import Answers, PatientHistory, SessionRecord
from dashboards.risk.adopted import adopted, with_adopted
from dashboards.risk.norms import norms_of
from dashboards.risk.outcome_series import load_outcomes
from feedback.extensions import db
from feedback.instruments.model import Instrument
from feedback.models import Clinic, Invitation, Patient, Response, TherapySession

# Built once: the statements are the same for every batch (`ids` expands to the batch's ids), and
# composing them with their cache keys was a visible part of one patient's update after an answer.
_IDS = bindparam("ids", expanding=True)
_PATIENTS = (
    select(Patient.id, Patient.status, Patient.ended_on, Clinic.timezone, Clinic.id)
    .join(Clinic, Clinic.id == Patient.clinic_id)
    .where(Patient.id.in_(_IDS))
)
_SESSIONS = select(
    TherapySession.id,
    TherapySession.patient_id,
    TherapySession.number,
    TherapySession.starts_at,
    TherapySession.attendance,
).where(TherapySession.patient_id.in_(_IDS))
# Whether a form was answered or has expired is decided in the query: converting two timestamps
# for every invitation was a visible part of a whole clinic's load.
_INVITATIONS = (
    select(
        Invitation.session_id,
        Invitation.respondent,
        Invitation.completed_at.is_not(None),
        Invitation.expires_at <= bindparam("now"),
        Response.answers,
        Response.scores,
    )
    .join(TherapySession, TherapySession.id == Invitation.session_id)
    .outerjoin(Response, Response.invitation_id == Invitation.id)
    .where(TherapySession.patient_id.in_(_IDS))
)


def _answers(invitation_row: tuple) -> Answers | None:
    _, _, completed, expired, items, scores = invitation_row
    if completed:
        return Answers(answered=True, scores=scores or {}, items=items or {})
    if expired:
        return Answers(answered=False, scores={}, items={})
    return None  # still open: not (yet) unanswered


def load_histories(
    patient_ids: Iterable[int], patient_instrument: Instrument, now: datetime
) -> dict[int, PatientHistory]:
    return load_histories_and_zones(patient_ids, patient_instrument, now)[0]


def load_histories_and_zones(
    patient_ids: Iterable[int], patient_instrument: Instrument, now: datetime
) -> tuple[dict[int, PatientHistory], dict[int, str]]:
    """The histories, and each patient's clinic time zone (for "today"), from the same queries."""
    ids = list(patient_ids)
    if not ids:
        return {}, {}
    given = {"ids": ids}
    # Read as rows on the session's connection: the ORM's handling of each row was about a tenth of
    # a clinic's recompute (cProfile). The session's pending changes are written first, as its own
    # queries would have.
    db.session.flush()
    connection = db.session.connection()
    patients = connection.execute(_PATIENTS, given).all()
    sessions = connection.execute(_SESSIONS, given).all()
    invitations = connection.execute(_INVITATIONS, {**given, "now": now}).all()

    by_session: dict[int, dict[str, Answers | None]] = defaultdict(dict)
    for row in invitations:
        by_session[row[0]][row[1]] = _answers(row)
    zones = {pid: tz for pid, _, _, tz, _ in patients}
    records: dict[int, list[SessionRecord]] = defaultdict(list)
    zone_cache: dict[str, ZoneInfo] = {}
    for session_id, patient_id, number, starts_at, attendance in sessions:
        zone = zone_cache.setdefault(zones[patient_id], ZoneInfo(zones[patient_id]))
        answers = by_session.get(session_id, {})
        records[patient_id].append(
            SessionRecord(
                number=number,
                date=starts_at.astimezone(zone).date(),
                attendance=attendance,
                patient=answers.get("patient"),
                therapist=answers.get("therapist"),
            )
        )
    # The instrument's norms, or those each clinic adopted from its own data (dashboards/calibration).
    instrument_norms = norms_of(patient_instrument)
    in_force = adopted({clinic_id for *_, clinic_id in patients}, patient_instrument.id)
    clinic_norms = {cid: with_adopted(instrument_norms, rows) for cid, rows in in_force.items()}
    outcomes = load_outcomes(ids, zones)
    histories = {
        pid: PatientHistory(
            sessions=records.get(pid, []), norms=clinic_norms.get(clinic_id, instrument_norms),
            ended_on=ended_on if status == "ended" else None, outcomes=outcomes.get(pid, {}),
        )
        for pid, status, ended_on, _, clinic_id in patients
    }
    return histories, zones
