"""Build a large synthetic clinic fast, for the benchmarks.

`dashboards.seeding.store_history` writes one history through the ORM, which is right for the
demo and far too slow for 60,000 sessions. This module writes the same rows (sessions, scored
responses, invitations completed or expired as the live app would have left them) with
SQLAlchemy Core `insert()` in batches (executemany), from `generate_cohort` histories, scoring
every answer with the app's own scorer and making real link tokens (nonce + hash).

It also makes a pool of fresh, open patient invitations whose tokens the survey benches use:
one token per POST, since an answered link cannot be answered again.

Run it alone to time the generation (`python -m bench.clinic --help`); `bench/run.py` calls it.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, func, insert, select, text

from dashboards.flags.cohort import generate_cohort
from dashboards.flags.history import PatientHistory
from dashboards.seeding import shift_history
from feedback import tokens
from feedback.extensions import db
from feedback.instruments.model import Instrument
from feedback.instruments.scoring import score
from feedback.invitations import token_key
from feedback.links import session_instruments
from feedback.models import Invitation, Patient, Response, TherapySession, User, utcnow

TIMEZONE = "Europe/London"
#: Share of each kind of treatment: mostly fine, some of every kind the flags are about.
MIX = {
    "noisy_stable": 0.38,
    "stable_high": 0.32,
    "slow_bond_decline": 0.05,
    "sudden_loss": 0.05,
    "unresolved_rupture": 0.05,
    "rupture_then_repair": 0.05,
    "repeated_ruptures": 0.05,
    "disengagement": 0.05,
}
BATCH = 5000
LINK_VALID = timedelta(hours=72)
POOL_HISTORY = 10  # sessions of history before a pool patient's open sessions


@dataclass
class BuiltClinic:
    clinic_id: int
    name: str
    director_id: int
    therapist_ids: list[int]
    patients: int
    sessions: int
    invitations: int
    responses: int
    seconds: float


@dataclass
class SurveyPool:
    clinic_id: int
    tokens: list[str]


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

    ORDER = ("clinics", "users", "patients", "therapy_sessions", "invitations", "responses")

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


def kinds_for(n_patients: int) -> dict[str, int]:
    counts = {kind: int(share * n_patients) for kind, share in MIX.items()}
    counts["noisy_stable"] += n_patients - sum(counts.values())
    return counts


def build_clinic(
    name: str,
    *,
    therapists: int,
    patients: int,
    sessions_per_patient: int = 30,
    seed: int = 2026,
    now: datetime | None = None,
) -> BuiltClinic:
    """A clinic with one director, `therapists` therapists and `patients` patients shared evenly,
    each with a `sessions_per_patient`-session history ending in the last ten days; commits."""
    started = time.perf_counter()
    now = now or utcnow()
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    instruments = session_instruments()
    key = token_key()
    ids, rows = Ids(), Rows()
    tables = db.metadata.tables
    clinic_id = ids.take(tables["clinics"])
    rows.add(tables["clinics"], {"id": clinic_id, "name": name, "timezone": TIMEZONE, "created_at": now})
    slug = name.lower().replace(" ", "-").replace("(", "").replace(")", "").replace(",", "")
    director_id = _user(ids, rows, clinic_id, f"director@{slug}.example", "director", now)
    therapist_ids = [
        _user(ids, rows, clinic_id, f"t{i:03d}@{slug}.example", "therapist", now) for i in range(therapists)
    ]

    histories = generate_cohort(kinds_for(patients), seed, n_sessions=sessions_per_patient)
    rng.shuffle(histories)  # every caseload gets a mix of kinds
    zone = ZoneInfo(TIMEZONE)
    today = now.astimezone(zone).date()
    for index, (_, history) in enumerate(histories):
        patient_id = ids.take(tables["patients"])
        first = today - timedelta(weeks=sessions_per_patient + 1)
        rows.add(
            tables["patients"],
            _patient(patient_id, clinic_id, therapist_ids[index % therapists], f"P{index + 1:05d}", first, zone),
        )
        _history(
            ids,
            rows,
            patient_id,
            therapist_ids[index % therapists],
            history,
            instruments,
            key,
            last_session_on=today - timedelta(days=1 + index % 10),
            start_time=clock(9 + index % 8),
            zone=zone,
            now=now,
        )
    rows.flush()
    _reset_sequences()
    db.session.commit()
    return BuiltClinic(
        clinic_id=clinic_id,
        name=name,
        director_id=director_id,
        therapist_ids=therapist_ids,
        patients=rows.written["patients"],
        sessions=rows.written["therapy_sessions"],
        invitations=rows.written["invitations"],
        responses=rows.written["responses"],
        seconds=time.perf_counter() - started,
    )


def build_survey_pool(
    name: str, *, patients: int, open_per_patient: int, seed: int = 7, now: datetime | None = None
) -> SurveyPool:
    """A clinic whose patients each have a short answered history and then `open_per_patient`
    sessions from the last hours with an open patient invitation, and those invitations' link
    tokens (each can be answered once). Commits."""
    now = now or utcnow()
    built = build_clinic(
        name,
        therapists=max(1, patients // 40),
        patients=patients,
        sessions_per_patient=POOL_HISTORY,
        seed=seed,
        now=now,
    )
    instrument = session_instruments()["patient"]
    key = token_key()
    ids, rows = Ids(), Rows()
    tables = db.metadata.tables
    found = db.session.execute(
        select(Patient.id, Patient.therapist_id).where(Patient.clinic_id == built.clinic_id)
    ).all()
    pool: list[str] = []
    for round_ in range(open_per_patient):
        for patient_id, therapist_id in found:
            session_id = ids.take(tables["therapy_sessions"])
            starts_at = now - timedelta(hours=2) - timedelta(minutes=open_per_patient - round_)
            rows.add(
                tables["therapy_sessions"],
                _session(session_id, patient_id, therapist_id, starts_at, "attended", POOL_HISTORY + round_ + 1, now),
            )
            nonce = tokens.new_nonce()
            token = tokens.token_for(key, nonce)
            rows.add(
                tables["invitations"],
                {
                    **_invitation_row(
                        ids.take(tables["invitations"]),
                        session_id,
                        "patient",
                        instrument,
                        nonce,
                        tokens.hash_token(token),
                    ),
                    "created_at": now,
                    "sent_at": None,
                    "expires_at": now + timedelta(days=7),
                },
            )
            pool.append(token)
    rows.flush()
    _reset_sequences()
    db.session.commit()
    random.Random(seed).shuffle(pool)  # noqa: S311 - spread the POSTs over the patients
    return SurveyPool(built.clinic_id, pool)


def _user(ids: Ids, rows: Rows, clinic_id: int, email: str, role: str, now: datetime) -> int:
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


def _patient(
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


def _session(
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


def _invitation_row(
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


def _history(
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
) -> None:
    """The rows `store_history` would write for one history (same timings and rules)."""
    tables = db.metadata.tables
    dates = dict(shift_history(history, last_session_on))
    for record in sorted(history.sessions, key=lambda s: s.number):
        starts_at = datetime.combine(dates[record.number], start_time, zone)
        ends_at = starts_at + timedelta(minutes=50)
        session_id = ids.take(tables["therapy_sessions"])
        rows.add(
            tables["therapy_sessions"],
            _session(session_id, patient_id, therapist_id, starts_at, record.attendance, record.number, now),
        )
        for respondent, answers in (("patient", record.patient), ("therapist", record.therapist)):
            if answers is None:
                continue
            instrument = instruments[respondent]
            sent_at = ends_at + timedelta(minutes=30 if respondent == "patient" else 0)
            nonce = tokens.new_nonce()
            invitation_id = ids.take(tables["invitations"])
            row = _invitation_row(
                invitation_id,
                session_id,
                respondent,
                instrument,
                nonce,
                tokens.hash_token(tokens.token_for(key, nonce)),
            )
            row.update(created_at=ends_at, sent_at=min(sent_at, now), expires_at=ends_at + LINK_VALID)
            if answers.answered:
                submitted = min(sent_at + timedelta(hours=2), now)
                row.update(opened_at=submitted - timedelta(seconds=70), completed_at=submitted)
                items = dict(answers.items)
                rows.add(tables["invitations"], row)
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
            else:
                rows.add(tables["invitations"], row)


def _reset_sequences() -> None:
    """PostgreSQL's id sequences must move past the ids given here, or the app's next insert collides."""
    if db.engine.dialect.name != "postgresql":
        return
    for name in Rows.ORDER:  # our own table names, not input
        sql = f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT coalesce(max(id), 1) FROM {name}))"  # noqa: S608
        db.session.execute(text(sql))


def settle() -> None:
    """On PostgreSQL, VACUUM ANALYZE after the bulk load: what autovacuum does to a live database
    within minutes. Without planner statistics the fresh tables get poor plans (one patient's flag
    update took 21.6 ms instead of 5.7 ms), which is a property of the bench, not of the app."""
    if db.engine.dialect.name != "postgresql":
        return
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def counts(clinic_id: int) -> dict[str, int]:
    """Rows of the clinic, for the record."""
    sessions = select(TherapySession.id).join(Patient).where(Patient.clinic_id == clinic_id)
    return {
        "therapists": db.session.scalar(
            select(func.count()).where(User.clinic_id == clinic_id, User.role == "therapist")
        ),
        "patients": db.session.scalar(select(func.count()).where(Patient.clinic_id == clinic_id)),
        "sessions": db.session.scalar(select(func.count()).select_from(sessions.subquery())),
        "responses": db.session.scalar(
            select(func.count()).select_from(Response).join(Invitation).where(Invitation.session_id.in_(sessions))
        ),
    }


def main(argv: Iterable[str] | None = None) -> None:
    from flask_migrate import upgrade

    from app import create_app
    from bench.common import ROOT, scratch_postgres

    parser = argparse.ArgumentParser(description="Time building a synthetic clinic.")
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--therapists", type=int, default=50)
    parser.add_argument("--postgres", help="a PostgreSQL URL; a scratch database is made next to it (default: SQLite)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    with tempfile.TemporaryDirectory() as tmp:
        url, drop = scratch_postgres(args.postgres, "clinic") if args.postgres else (f"sqlite:///{tmp}/clinic.db", None)
        try:
            app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
            with app.app_context():
                upgrade(directory=str(ROOT / "migrations"))
                built = build_clinic("Bench Clinic", therapists=args.therapists, patients=args.patients)
                print(f"{built.seconds:.1f} s:", counts(built.clinic_id))
                db.session.remove()
                db.engine.dispose()
        finally:
            if drop:
                drop()


if __name__ == "__main__":
    main()
