"""The home and director pages' data take a fixed number of SQL statements, for 10 or 100 patients."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dashboards.caseload import caseload, pending_therapist_forms
from dashboards.clinic_stats import clinic_overview
from dashboards.risk.store import recompute_patients
from feedback.extensions import db
from feedback.models import Patient
from tests.dashboards.builders import (
    CALM,
    NOW,
    OPEN,
    THERAPIST_CALM,
    UNANSWERED,
    UNRESOLVED,
    add_weekly,
    end_treatment,
)

PATTERNS = [  # cycled over the patients, so every size has every kind of row
    [(CALM, THERAPIST_CALM), (CALM, THERAPIST_CALM), (OPEN, OPEN)],
    [(CALM, THERAPIST_CALM), (UNRESOLVED, THERAPIST_CALM)],
    [(CALM, None), (UNANSWERED, None), (UNANSWERED, None), (UNANSWERED, None)],
    [(CALM, THERAPIST_CALM)],
]


@pytest.fixture
def clinic_of(make_clinic, make_user):
    def build(n: int):
        clinic = make_clinic()
        therapists = [make_user(clinic=clinic) for _ in range(3)]
        patients = []
        for i in range(n):
            patient = Patient(clinic=clinic, therapist=therapists[i % 3], code=f"P-{i:03d}")
            db.session.add(patient)
            add_weekly(patient, PATTERNS[i % len(PATTERNS)], first=NOW - timedelta(weeks=3))
            if i % 5 == 4:
                end_treatment(patient, "dropped_out" if i % 2 else "completed", (NOW - timedelta(days=i)).date())
            patients.append(patient)
        db.session.commit()
        recompute_patients([p.id for p in patients], now=NOW)
        ids = clinic.id, therapists[0].id
        db.session.expire_all()  # nothing cached in the session: every row must come from a query
        return ids

    return build


def statements(count_statements, clinic_id: int, therapist_id: int) -> dict[str, int]:
    """SQL statements each page's data takes."""
    home = Patient.therapist_id == therapist_id
    work = {
        "caseload": lambda: caseload(home, NOW, NOW - timedelta(days=1)),
        "pending forms": lambda: pending_therapist_forms(therapist_id, NOW),
        "director overview": lambda: clinic_overview(clinic_id, NOW),  # response rates computed and stored
        "director overview, rates stored": lambda: clinic_overview(clinic_id, NOW),  # read from their row
    }
    counts = {}
    for name, call in work.items():
        with count_statements() as seen:
            call()
        counts[name] = len(seen)
    return counts


def test_statement_counts_do_not_grow_with_patients(clinic_of, count_statements):
    counts = {}
    for n in (10, 100):
        clinic_id, therapist_id = clinic_of(n)
        counts[n] = statements(count_statements, clinic_id, therapist_id)
        rows = caseload(Patient.therapist_id == therapist_id, NOW, NOW - timedelta(days=1))
        assert len(rows) == len(range(0, n, 3))  # every third patient is this therapist's
        assert clinic_overview(clinic_id, NOW).active == n - n // 5
    assert counts[10] == counts[100]
    assert counts[100]["caseload"] <= 3 and counts[100]["pending forms"] == 1
    assert counts[100]["director overview"] == 9 and counts[100]["director overview, rates stored"] == 7
