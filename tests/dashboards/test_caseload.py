"""The therapist's home: caseload ordered by risk, flags with reasons, new since last visit, own open forms."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dashboards.access.policy import patient_filter
from dashboards.caseload import caseload, pending_therapist_forms
from dashboards.risk.store import recompute_patients
from feedback.extensions import db
from feedback.models import Patient, utcnow
from tests.dashboards.builders import (
    CALM,
    NOW,
    OPEN,
    THERAPIST_CALM,
    UNANSWERED,
    UNRESOLVED,
    add_session,
    add_weekly,
    end_treatment,
)

FIRST = NOW - timedelta(weeks=6)


@pytest.fixture
def practice(make_clinic, make_user, make_patient):
    """Therapist Alex with five patients of known risk, and a colleague with one high-risk patient."""
    clinic = make_clinic()
    alex, sam = make_user(clinic=clinic), make_user(clinic=clinic)
    p = {code: make_patient(alex, code) for code in ("CALM", "RUPT-OLD", "RUPT-NEW", "QUIET", "ENDED")}
    other = make_patient(sam, "OTHER")
    add_weekly(p["CALM"], [(CALM, THERAPIST_CALM)] * 3 + [(OPEN, OPEN)], first=FIRST)
    add_weekly(p["RUPT-OLD"], [(CALM, THERAPIST_CALM), (UNRESOLVED, THERAPIST_CALM)], first=FIRST)
    add_weekly(p["RUPT-NEW"], [(CALM, None)] * 3 + [(UNRESOLVED, None)], first=FIRST)
    add_weekly(p["QUIET"], [(CALM, None)] + [(UNANSWERED, None)] * 3, first=FIRST + timedelta(weeks=2))
    add_weekly(p["ENDED"], [(CALM, None)] * 2, first=FIRST)
    add_weekly(other, [(UNRESOLVED, None)], first=FIRST)
    add_session(p["CALM"], 5, starts_at=NOW + timedelta(days=2), attendance="scheduled")  # future
    end_treatment(p["ENDED"], "completed", (FIRST + timedelta(weeks=2)).date())
    db.session.commit()
    recompute_patients([x.id for x in (*p.values(), other)], now=NOW)
    return alex, p


def own(therapist):
    return Patient.therapist_id == therapist.id


def test_highest_risk_first_then_most_recent_event(practice):
    alex, _ = practice
    rows = caseload(own(alex), NOW, None)
    assert [r.code for r in rows] == ["RUPT-NEW", "RUPT-OLD", "QUIET", "CALM", "ENDED"]
    assert [r.risk for r in rows] == ["high", "high", "watch", "none", "none"]
    assert "OTHER" not in {r.code for r in rows}  # the visibility condition decides


def test_figures_per_patient(practice):
    alex, p = practice
    rows = {r.code: r for r in caseload(own(alex), NOW, None)}
    calm = rows["CALM"]
    assert calm.sessions_so_far == 4  # attended up to now; the future session is not counted
    assert calm.last_session_at == FIRST + timedelta(weeks=3)
    assert calm.last_answer_at == FIRST + timedelta(weeks=2, days=1)
    assert (calm.answered, calm.due, calm.response_rate) == (3, 3, 1.0)  # the open form is not due yet
    quiet = rows["QUIET"]
    assert (quiet.answered, quiet.due) == (1, 4) and quiet.response_rate == pytest.approx(1 / 4)
    assert rows["ENDED"].status == "ended" and rows["ENDED"].end_reason == "completed"


def test_current_flags_with_reasons(practice):
    alex, _ = practice
    rupture = next(r for r in caseload(own(alex), NOW, None) if r.code == "RUPT-OLD")
    flag = next(f for f in rupture.flags if f.code == "unresolved_rupture")
    assert flag.severity == "high" and flag.session_number == 2
    assert "not resolved" in flag.reason
    assert rupture.flags[0].severity == "high"  # most severe first
    quiet = next(r for r in caseload(own(alex), NOW, None) if r.code == "QUIET")
    assert {(f.code, f.subject) for f in quiet.flags} >= {("disengagement", "unanswered")}


def test_new_since_the_last_visit(practice):
    alex, _ = practice
    before = {r.code: r.is_new for r in caseload(own(alex), NOW, NOW - timedelta(days=1))}
    assert before["RUPT-NEW"] and before["QUIET"] and not before["CALM"]
    after = caseload(own(alex), NOW, NOW + timedelta(seconds=1))
    assert not any(r.is_new for r in after)
    assert not any(r.is_new for r in caseload(own(alex), NOW, None))


def test_filters_by_risk_and_status(practice):
    alex, _ = practice
    assert [r.code for r in caseload(own(alex), NOW, None, risk_levels=["high"])] == ["RUPT-NEW", "RUPT-OLD"]
    assert [r.code for r in caseload(own(alex), NOW, None, risk_levels=["none"], status="active")] == ["CALM"]
    assert [r.code for r in caseload(own(alex), NOW, None, status="ended")] == ["ENDED"]
    with pytest.raises(ValueError):
        caseload(own(alex), NOW, None, status="paused")


def test_patient_never_evaluated_is_listed_as_none(make_patient):
    patient = make_patient()
    rows = caseload(Patient.id == patient.id, NOW, None)
    assert [(r.code, r.risk, r.sessions_so_far, r.response_rate, r.flags) for r in rows] == [
        (patient.code, "none", 0, None, ())]


def test_pending_forms_are_the_therapists_own_open_ones(make_user, make_patient, make_session):
    alex = make_user()
    mine, theirs = make_patient(alex), make_patient()
    open_one = make_session(mine, starts_at=utcnow() - timedelta(hours=2))
    make_session(theirs)  # another therapist's
    done = make_session(mine, starts_at=utcnow() - timedelta(hours=1))
    done.links["therapist"].invitation.completed_at = utcnow()
    expired = make_session(mine, starts_at=utcnow() - timedelta(days=10))
    expired.links["therapist"].invitation.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()

    forms = pending_therapist_forms(alex.id, utcnow())
    assert [(f.patient_code, f.session_number) for f in forms] == [(mine.code, 1)]
    assert forms[0].token == open_one.links["therapist"].token  # the link opens the survey
    assert forms[0].session_at == open_one.session.starts_at


def test_takes_the_access_policys_condition(practice, make_user):
    alex, p = practice
    director = make_user(role="director", clinic=alex.clinic)
    assert {r.code for r in caseload(patient_filter(director), NOW, None)} == {*p, "OTHER"}
    assert {r.code for r in caseload(patient_filter(alex), NOW, None)} == set(p)
