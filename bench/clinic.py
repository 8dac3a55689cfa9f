"""Build a large synthetic clinic fast, for the benchmarks.

`dashboards.demo.seeding.store_history` writes one history through the ORM, which is right for the
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
from datetime import datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select, text

from bench.clinic_activity import Activity
from bench.clinic_rows import (
    Ids,
    Rows,
    history_rows,
    invitation_row,
    patient_row,
    reset_sequences,
    session_row,
    user_row,
)
from dashboards.demo.clinic import BATTERY
from dashboards.demo.cohort import generate_cohort
from feedback import tokens
from feedback.extensions import db
from feedback.invitations import token_key
from feedback.links import session_instruments
from feedback.models import Invitation, Patient, Response, TherapySession, User, utcnow
from feedback.phones import PhoneCipher

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
    activity: bool = True,
) -> BuiltClinic:
    """A clinic with one director, `therapists` therapists and `patients` patients shared evenly,
    each with a `sessions_per_patient`-session history ending in the last ten days; with
    `activity`, also the SMS, outcome measures, safety alerts, sign-ins and shares such a clinic
    has (`bench/clinic_activity.py`). Commits."""
    started = time.perf_counter()
    now = now or utcnow()
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    instruments = session_instruments()
    key = token_key()
    ids, rows = Ids(), Rows()
    tables = db.metadata.tables
    extra = None
    if activity:
        cipher = PhoneCipher(current_app.config["PHONE_ENCRYPTION_KEY"])
        extra = Activity(ids, rows, cipher, now, random.Random(f"activity:{seed}"))  # noqa: S311 - as above
    zone = ZoneInfo(TIMEZONE)
    today = now.astimezone(zone).date()
    first = today - timedelta(weeks=sessions_per_patient + 1)
    opened = datetime.combine(first, clock(8), zone)  # the clinic and its accounts, before any session
    clinic_id = ids.take(tables["clinics"])
    rows.add(tables["clinics"], {"id": clinic_id, "name": name, "timezone": TIMEZONE, "created_at": opened,
                                 "outcome_battery": BATTERY if extra else []})
    slug = name.lower().replace(" ", "-").replace("(", "").replace(")", "").replace(",", "")
    director_id = user_row(ids, rows, clinic_id, f"director@{slug}.example", "director", opened)
    therapist_ids = [
        user_row(ids, rows, clinic_id, f"t{i:03d}@{slug}.example", "therapist", opened) for i in range(therapists)
    ]

    histories = generate_cohort(kinds_for(patients), seed, n_sessions=sessions_per_patient)
    rng.shuffle(histories)  # every caseload gets a mix of kinds
    caseloads: list[list[int]] = [[] for _ in therapist_ids]
    for index, (kind, history) in enumerate(histories):
        patient_id = ids.take(tables["patients"])
        therapist_id = therapist_ids[index % therapists]
        caseloads[index % therapists].append(patient_id)
        row = patient_row(patient_id, clinic_id, therapist_id, f"P{index + 1:05d}", first, zone)
        contact, links = extra.patient(patient_id, therapist_id, kind, history, seed * 100_003 + index,
                                       row["created_at"]) if extra else ({}, None)
        rows.add(tables["patients"], {**row, **contact})
        history_rows(
            ids,
            rows,
            patient_id,
            therapist_id,
            history,
            instruments,
            key,
            last_session_on=today - timedelta(days=1 + index % 10),
            start_time=clock(9 + index % 8),
            zone=zone,
            now=now,
            activity=links,
        )
    if extra:
        extra.sign_ins([director_id, *therapist_ids], first, zone)
        extra.shares(caseloads, therapist_ids, director_id)
    rows.flush()
    reset_sequences()
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
        activity=False,  # the alliance form alone: each POST is one form, the survey bench's subject
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
                session_row(
                    session_id, patient_id, therapist_id, starts_at, "attended", POOL_HISTORY + round_ + 1, now
                ),
            )
            nonce = tokens.new_nonce()
            token = tokens.token_for(key, nonce)
            rows.add(
                tables["invitations"],
                {
                    **invitation_row(
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
    reset_sequences()
    db.session.commit()
    random.Random(seed).shuffle(pool)  # noqa: S311 - spread the POSTs over the patients
    return SurveyPool(built.clinic_id, pool)


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
