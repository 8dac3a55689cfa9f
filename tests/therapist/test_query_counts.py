"""The home page takes the same number of SQL statements for 10 patients as for 100 (no N+1)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from dashboards.risk.store import recompute_patients
from feedback.extensions import db
from feedback.models import Invitation, Patient, TherapySession, utcnow
from feedback.models.outbox import OutboxMessage
from tests.dashboards.builders import CALM, OPEN, THERAPIST_CALM, UNANSWERED, UNRESOLVED, add_weekly
from tests.therapist.conftest import text

PATTERNS = [  # cycled over the patients, so every size has every kind of row: flags, open forms, ended
    [(CALM, THERAPIST_CALM), (CALM, THERAPIST_CALM), (OPEN, OPEN)],
    [(CALM, THERAPIST_CALM), (UNRESOLVED, THERAPIST_CALM)],
    [(CALM, None), (UNANSWERED, None), (UNANSWERED, None), (UNANSWERED, None)],
    [(CALM, THERAPIST_CALM)],
]


def add_patients(world, start: int, stop: int) -> None:
    """Patients Q-<start>…Q-<stop - 1> of world.own: sessions, answers, open forms, flags; every fifth
    ended, and every fifth with an SMS that failed."""
    now = utcnow()
    patients = [Patient(clinic=world.clinic_a, therapist=world.own, code=f"Q-{i:03d}") for i in range(start, stop)]
    db.session.add_all(patients)
    for i, patient in enumerate(patients, start):
        add_weekly(patient, PATTERNS[i % len(PATTERNS)], first=now - timedelta(weeks=3), now=now)
        if i % 5 == 4:
            patient.status, patient.end_reason, patient.ended_on = "ended", "dropped_out", now.date()
    db.session.flush()
    for patient in patients[::5]:
        invitation = db.session.scalars(
            select(Invitation).join(TherapySession).where(TherapySession.patient_id == patient.id)
        ).first()
        db.session.add(OutboxMessage(invitation=invitation, patient_id=patient.id, kind="invitation", due_at=now,
                                     status="failed", last_error="carrier refused", last_attempt_at=now))
    db.session.commit()
    recompute_patients([p.id for p in patients], now=now)


def test_home_page_statements_do_not_grow_with_patients(world, as_user, count_statements):
    counts = {}
    for start, stop in ((0, 10), (10, 100)):
        add_patients(world, start, stop)
        client = as_user(world.own)
        db.session.expire_all()  # nothing cached: every row must come from a query
        with count_statements() as seen:
            page = client.get("/?status=all")
        assert page.status_code == 200
        shown = page.text[page.text.index('class="caseload-table'):]
        assert shown.count('class="patient-code"') == stop + 1  # every patient, and P-A1
        assert "Messages that may not have reached a patient" in text(page.text)
        assert "Your forms to fill in" in text(page.text)
        counts[stop] = len(seen)
    assert counts[10] == counts[100], counts
    assert counts[100] <= 20, counts  # 15 when written: sign-in, caseload, forms, SMS, names, audit, visit
