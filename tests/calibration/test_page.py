"""The director's calibration page: dropout by flag kind with Wilson intervals, the clinic's own
norms beside the instrument's, adopting them (audited, dated, reversible) and going back."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from dashboards.audit import AuditEvent
from dashboards.calibration.norms import clinic_estimates
from dashboards.calibration.outcomes import dropout_by_flag, wilson
from dashboards.risk.histories import load_histories
from dashboards.risk.models import ClinicNorm, RiskEvent
from dashboards.risk.store import recompute_clinic
from feedback.extensions import db
from feedback.links import session_instruments
from feedback.models import utcnow
from tests.conftest import csrf_token_from
from tests.dashboards.builders import CALM, NOW, UNRESOLVED, add_weekly, end_treatment


def actions(clinic_id: int) -> list[str]:
    return [e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.clinic_id == clinic_id)
                                                  .order_by(AuditEvent.id))]


@pytest.mark.parametrize(("count", "total", "low", "high"), [
    (5, 10, 0.2366, 0.7634),  # Wilson (1927), the usual worked example
    (0, 10, 0.0, 0.2775),
    (10, 10, 0.7225, 1.0),
])
def test_wilson_intervals(count, total, low, high):
    assert wilson(count, total) == (pytest.approx(low, abs=1e-4), pytest.approx(high, abs=1e-4))
    assert wilson(0, 0) == (0.0, 1.0)


def test_dropout_by_flag_kind_and_never_flagged(app, staff, make_patient, sign_in_as):
    clinic, _, therapist = staff
    stories = {"D1": ([CALM, UNRESOLVED], "dropped_out"), "D2": ([UNRESOLVED], "dropped_out"),
               "C1": ([CALM, UNRESOLVED], "completed"), "C2": ([CALM, CALM], "completed"),
               "D3": ([CALM], "dropped_out"), "ACTIVE": ([UNRESOLVED], None)}
    for code, (forms, reason) in stories.items():
        patient = make_patient(therapist, code)
        add_weekly(patient, [(f, None) for f in forms], first=NOW.replace(month=3))
        if reason:
            end_treatment(patient, reason, date(2024, 5, 1))
    db.session.commit()
    recompute_clinic(clinic.id, now=NOW)
    outcomes = {o.code: (o.dropout.count, o.dropout.total) for o in dropout_by_flag(clinic.id)}
    assert outcomes == {"unresolved_rupture": (2, 3), None: (1, 2)}  # the active treatment is not counted
    assert db.session.scalar(select(RiskEvent.id).where(RiskEvent.code == "unresolved_rupture")) is not None
    client = app.test_client()
    sign_in_as(client, staff[1])
    page = client.get("/clinic/calibration").text
    assert "With an alert: Unresolved rupture" in page and "2 of 3 (67%; 95% interval 21%–94%)" in page
    assert "Never flagged" in page and "1 of 2 (50%; 95% interval 9%–91%)" in page
    assert "Small numbers" in page


def test_the_page_is_for_the_clinics_directors_and_is_audited(app, staff, sign_in_as):
    clinic, director, therapist = staff
    client = app.test_client()
    sign_in_as(client, director)
    page = client.get("/clinic/calibration")
    assert page.status_code == 200
    assert "No treatment has ended yet" in page.text and "not enough history yet" in page.text
    assert "Adopt this clinic" not in page.text  # nothing to adopt yet
    assert "view_calibration" in actions(clinic.id)
    other = app.test_client()
    sign_in_as(other, therapist)
    assert other.get("/clinic/calibration").status_code == 404


def test_adopting_without_enough_history_changes_nothing(app, staff, sign_in_as, give_history):
    clinic, director, therapist = staff
    give_history(therapist, 5)
    client = app.test_client()
    sign_in_as(client, director)
    token = csrf_token_from(client.get("/clinic/calibration").text)
    answer = client.post("/clinic/calibration/norms", data={"csrf_token": token}, follow_redirects=True)
    assert answer.status_code == 200 and "not have enough history yet" in answer.text
    assert db.session.scalars(select(ClinicNorm)).all() == []
    assert "adopt_clinic_norms" not in actions(clinic.id)


def test_adopt_then_go_back(app, staff, sign_in_as, give_history):
    clinic, director, therapist = staff
    patients = give_history(therapist, 40)
    client = app.test_client()
    sign_in_as(client, director)
    page = client.get("/clinic/calibration").text
    assert "40 patients, 200 sessions" in page and "Adopt this clinic" in page

    client.post("/clinic/calibration/norms", data={"csrf_token": csrf_token_from(page)})
    rows = db.session.scalars(select(ClinicNorm).where(ClinicNorm.retired_at.is_(None))).all()
    assert {r.scale for r in rows} == {"alliance", "bond", "task", "goal"}
    assert all(r.adopted_by_id == director.id and r.patients == 40 and 0 < r.reliability < 1 for r in rows)
    assert "adopt_clinic_norms" in actions(clinic.id)
    history = load_histories([patients[0].id], session_instruments()["patient"], utcnow())[patients[0].id]
    alliance = next(r for r in rows if r.scale == "alliance")
    assert (history.norms["alliance"].sd, history.norms["alliance"].reliability) == (alliance.sd, alliance.reliability)
    assert history.norms["alliance"].source.startswith("Adopted from this clinic's data (40 patients, 200 sessions)")
    assert history.norms["alliance"].low_cutoff == 3.0  # a point on the scale, not a property of noise
    page = client.get("/clinic/calibration").text
    assert "adopted" in page and director.display_name in page

    client.post("/clinic/calibration/norms/revert", data={"csrf_token": csrf_token_from(page)})
    assert db.session.scalars(select(ClinicNorm).where(ClinicNorm.retired_at.is_(None))).all() == []
    assert all(r.retired_by_id == director.id for r in db.session.scalars(select(ClinicNorm)))
    assert actions(clinic.id)[-1] == "revert_clinic_norms"
    history = load_histories([patients[0].id], session_instruments()["patient"], utcnow())[patients[0].id]
    assert history.norms["alliance"].source.startswith("Provisional pending validation")


def test_another_clinics_adopted_norms_do_not_apply(app, staff, make_clinic, make_user, give_history):
    clinic, director, therapist = staff
    elsewhere = give_history(make_user(clinic=make_clinic()), 1)[0]
    db.session.add(ClinicNorm(clinic_id=clinic.id, instrument_id="post-session-patient", scale="alliance",
                              sd=0.5, reliability=0.5, patients=40, sessions=200, adopted_at=utcnow(),
                              adopted_by_id=director.id))
    db.session.commit()
    history = load_histories([elsewhere.id], session_instruments()["patient"], utcnow())[elsewhere.id]
    assert history.norms["alliance"].sd == 0.6


def test_estimates_are_kept_until_the_clinics_answers_change(app, staff, give_history):
    clinic, _, therapist = staff
    give_history(therapist, 40)
    instrument = session_instruments()["patient"]
    first = clinic_estimates(clinic.id, instrument)
    assert clinic_estimates(clinic.id, instrument) is first  # no second bootstrap
    give_history(therapist, 1)
    again = clinic_estimates(clinic.id, instrument)
    assert again is not first and again["alliance"].patients == 41
