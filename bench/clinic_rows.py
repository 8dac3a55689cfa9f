"""The rows of a bulk-built benchmark clinic: ids handed out before the insert, batches written
parents first, and one row per user, patient, session, invitation and response, shaped as the
live app would have left them (`bench/clinic.py` drives it)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Table, func, insert, select, text

from dashboards.demo.seeding import shift_history
from dashboards.flags.history import PatientHistory
from feedback import tokens
from feedback.extensions import db
from feedback.instruments.model import Instrument
from feedback.instruments.scoring import score

BATCH = 5000
LINK_VALID = timedelta(hours=72)


class Ids:
    """Primary keys handed out here, so child rows can point at parents before the insert."""

    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    def take(self, table: Table) -> int:
        if table.name not in self.next:
            self.next[table.name] = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
        value = self.next[table.name]
        self.next[table.name] += 1
        return value


class Rows:
    """Rows waiting to be inserted, per table, written parents first in batches."""

    ORDER = ("clinics", "users", "patients", "therapy_sessions", "invitations", "responses", "outcome_responses",
             "safety_alerts", "outbox_messages", "login_sessions", "patient_shares", "guidance_notes")

    def __init__(self) -> None:
        self.pending: dict[str, list[dict[str, Any]]] = {name: [] for name in self.ORDER}
        self.written: dict[str, int] = dict.fromkeys(self.ORDER, 0)

    def add(self, table: Table, row: dict[str, Any]) -> None:
        self.pending[table.name].append(row)
        if len(self.pending["responses"]) >= BATCH:
            self.flush()

    def flush(self) -> None:
        tables = db.metadata.tables
        for name in self.ORDER:
            rows = self.pending[name]
            for start in range(0, len(rows), BATCH):
                db.session.execute(insert(tables[name]), rows[start : start + BATCH])
            self.written[name] += len(rows)
            rows.clear()



def user_row(ids: Ids, rows: Rows, clinic_id: int, email: str, role: str, now: datetime) -> int:
    table = db.metadata.tables["users"]
    user_id = ids.take(table)
    rows.add(
        table,
        {
            "id": user_id,
            "clinic_id": clinic_id,
            "email": email,
            "password_hash": None,
            "role": role,
            "display_name": email.split("@")[0].title(),
            "active": True,
            "created_at": now,
        },
    )
    return user_id


def patient_row(
    patient_id: int, clinic_id: int, therapist_id: int, code: str, first: date, zone: ZoneInfo
) -> dict[str, Any]:
    return {
        "id": patient_id,
        "clinic_id": clinic_id,
        "therapist_id": therapist_id,
        "code": code,
        "phone_encrypted": None,
        "phone_lookup": None,
        "sms_consent": False,
        "sms_consent_at": None,
        "sms_opted_out_at": None,
        "preferred_channel": "link",
        "language": "en",
        "status": "active",
        "end_reason": None,
        "ended_on": None,
        "created_at": datetime.combine(first, clock(9), zone),
    }


def session_row(
    session_id: int,
    patient_id: int,
    therapist_id: int,
    starts_at: datetime,
    attendance: str,
    number: int,
    now: datetime,
) -> dict[str, Any]:
    return {
        "id": session_id,
        "patient_id": patient_id,
        "therapist_id": therapist_id,
        "starts_at": starts_at,
        "duration_minutes": 50,
        "attendance": attendance,
        "number": number,
        "created_at": min(starts_at, now),
    }


def invitation_row(
    invitation_id: int, session_id: int, respondent: str, instrument: Instrument, nonce: str, token_hash: str
) -> dict[str, Any]:
    return {
        "id": invitation_id,
        "session_id": session_id,
        "respondent": respondent,
        "instrument_id": instrument.id,
        "instrument_version": instrument.version,
        "token_hash": token_hash,
        "token_nonce": nonce,
        "channel": "link",
        "opened_at": None,
        "completed_at": None,
    }


class LinkActivity(Protocol):
    """What a patient's links leave besides the answers (`bench/clinic_activity.PatientActivity`)."""

    by_sms: bool

    def messages(self, invitation: dict[str, Any]) -> None: ...

    def outcome_rows(self, invitation: dict[str, Any], number: int) -> None: ...


def history_rows(
    ids: Ids,
    rows: Rows,
    patient_id: int,
    therapist_id: int,
    history: PatientHistory,
    instruments: dict[str, Instrument],
    key: bytes,
    *,
    last_session_on: date,
    start_time: clock,
    zone: ZoneInfo,
    now: datetime,
    activity: LinkActivity | None = None,
) -> None:
    """The rows `store_history` would write for one history (same timings and rules); with
    `activity`, the patient's links also went by SMS when so chosen and their outcome measures
    were answered (`bench/clinic_activity.py`)."""
    tables = db.metadata.tables
    dates = dict(shift_history(history, last_session_on))
    for record in sorted(history.sessions, key=lambda s: s.number):
        starts_at = datetime.combine(dates[record.number], start_time, zone)
        ends_at = starts_at + timedelta(minutes=50)
        session_id = ids.take(tables["therapy_sessions"])
        rows.add(
            tables["therapy_sessions"],
            session_row(session_id, patient_id, therapist_id, starts_at, record.attendance, record.number, now),
        )
        for respondent, answers in (("patient", record.patient), ("therapist", record.therapist)):
            if answers is None:
                continue
            instrument = instruments[respondent]
            sent_at = ends_at + timedelta(minutes=30 if respondent == "patient" else 0)
            nonce = tokens.new_nonce()
            invitation_id = ids.take(tables["invitations"])
            row = invitation_row(
                invitation_id,
                session_id,
                respondent,
                instrument,
                nonce,
                tokens.hash_token(tokens.token_for(key, nonce)),
            )
            row.update(created_at=ends_at, sent_at=min(sent_at, now), expires_at=ends_at + LINK_VALID)
            by_sms = activity is not None and activity.by_sms and respondent == "patient"
            if by_sms:
                row["channel"] = "sms"
            if answers.answered:
                submitted = min(sent_at + timedelta(hours=2), now)
                row.update(opened_at=submitted - timedelta(seconds=70), completed_at=submitted)
            # Parents before children: a batch may be written at any add.
            rows.add(tables["invitations"], row)
            if answers.answered:
                items = dict(answers.items)
                rows.add(
                    tables["responses"],
                    {
                        "id": ids.take(tables["responses"]),
                        "invitation_id": invitation_id,
                        "answers": items,
                        "scores": score(instrument, items),
                        "submitted_at": submitted,
                        "seconds_taken": 55,
                    },
                )
            if by_sms:
                activity.messages(row)
            if activity is not None and answers.answered and respondent == "patient":
                activity.outcome_rows(row, record.number)


def reset_sequences() -> None:
    """PostgreSQL's id sequences must move past the ids given here, or the app's next insert collides."""
    if db.engine.dialect.name != "postgresql":
        return
    for name in Rows.ORDER:  # our own table names, not input
        sql = f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT coalesce(max(id), 1) FROM {name}))"  # noqa: S608
        db.session.execute(text(sql))


