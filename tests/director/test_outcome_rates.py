"""The director's outcome rates of ended treatments in a period (counts, 95% Wilson intervals, England's
rates with their year, dropout by deterioration), per therapist by name; each clinician's own page."""

from __future__ import annotations

from datetime import timedelta

import plotly.graph_objects as go
import pytest
from sqlalchemy import select

from dashboards.audit.models import AuditEvent
from feedback.extensions import db
from feedback.models import utcnow
from tests.dashboards.builders import end_treatment
from tests.outcomes.records import give_outcomes
from tests.therapist.conftest import section, text


@pytest.fixture
def ended(make_clinic, make_user, make_patient):
    """Blake (made first) and Alex; four treatments ended last week, one two years ago, one active, one elsewhere."""
    clinic, elsewhere = make_clinic("Northside"), make_clinic("Southside")
    blake = make_user("therapist", clinic, display_name="Blake Okafor")
    alex = make_user("therapist", clinic, display_name="Alex Moreau")
    director = make_user("director", clinic)
    recently, long_ago = utcnow().date() - timedelta(days=7), utcnow().date() - timedelta(days=800)
    plan = [  # (therapist, PHQ-9, GAD-7, end reason, ended on)
        (alex, [15, 8, 7], [10, 5, 5], "completed", recently),  # reliably recovered
        (alex, [9, 16, 17], [6, 8, 9], "dropped_out", recently),  # reliably deteriorated, not a case at the start
        (alex, [14], [], "completed", recently),  # no paired scores: not counted
        (blake, [12, 9], [9, 7], "completed", recently),  # recovered, not reliably
        (blake, [20, 5], [15, 3], "completed", long_ago),  # outside the period
        (blake, [20, 5], [15, 3], None, None),  # still in treatment
        (make_user("therapist", elsewhere), [20, 5], [15, 3], "completed", recently),  # another clinic
    ]
    for i, (therapist, phq, gad, reason, on) in enumerate(plan):
        patient = make_patient(therapist, f"E-{i}")
        give_outcomes(patient, phq, gad)
        if reason:
            end_treatment(patient, reason, on)
    db.session.commit()
    return director, alex, blake


def test_the_overview_shows_rates_with_counts_intervals_and_englands_rates(ended, as_user):
    director, *_ = ended
    part = text(section(as_user(director).get("/clinic").text, "outcomes"))
    assert "4 treatments ended between" in part and "3 had a first and a last outcome answer" in part
    assert "1 without are not" in part
    assert "Reliable improvement 1 of 3 (33%; 95% interval 6%–79%) 67%" in part
    assert "Recovery 2 of 2 (100%; 95% interval 34%–100%) 50%" in part
    assert "Reliable recovery 1 of 2 (50%; 95% interval 9%–91%) 47%" in part
    assert "Reliable deterioration 1 of 3 (33%; 95% interval 6%–79%) —" in part
    assert "England 2022-23" in part and "for reference only" in part
    assert "Reliably deteriorated by their last answers 1 of 1 (100%" in part
    assert "Not deteriorated 0 of 2 (0%" in part
    assert "Small numbers" in part


def test_per_therapist_counts_are_listed_by_name_never_by_rate(ended, as_user):
    director, alex, blake = ended
    part = section(as_user(director).get("/clinic").text, "outcomes")
    rows = text(part.split("By therapist", 1)[1])
    assert rows.index("Alex Moreau 3 (2)") < rows.index("Blake Okafor 1 (1)")
    assert "Alex Moreau 3 (2) 1 of 2 (50%" in rows


def test_the_period_is_chosen_and_checked_on_the_server(ended, as_user):
    director, *_ = ended
    client = as_user(director)
    long_ago = (utcnow().date() - timedelta(days=800)).isoformat()
    chosen = text(section(client.get(f"/clinic?from={long_ago}&to={long_ago}").text, "outcomes"))
    assert "1 treatment ended between" in chosen
    for query, problem in (("from=2024-13-01", "The period's start must be a date written as YYYY-MM-DD"),
                           ("to=yesterday", "The period's end must be a date written as YYYY-MM-DD"),
                           ("from=2025-02-01&to=2025-01-01", "The period's start is after its end.")):
        response = client.get(f"/clinic?{query}")
        assert response.status_code == 422 and problem in text(response.text), query
        assert "Active treatments by risk level" in response.text  # the rest of the overview stays
    assert client.get("/clinic/outcomes.json?from=2025-02-30").status_code == 422


def test_the_chart_marks_englands_rates_with_their_year(ended, as_user):
    director, *_ = ended
    client = as_user(director)
    figure = client.get("/clinic/outcomes.json").get_json()
    go.Figure(figure)  # plotly's own validation
    clinic, england = figure["data"]
    assert clinic["y"] == ["Reliable improvement", "Recovery", "Reliable recovery", "Reliable deterioration"]
    assert clinic["x"] == [33.3, 100.0, 50.0, 33.3]
    assert england["name"] == "England 2022-23, NHS Talking Therapies"
    assert (england["x"], england["y"]) == ([67.0, 50.0, 47.0], ["Reliable improvement", "Recovery", "Reliable recovery"])
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "view_clinic_outcomes")).all()


def test_each_clinician_sees_only_their_own_without_a_national_comparison(ended, as_user):
    director, alex, blake = ended
    mine = text(as_user(alex).get("/outcomes").text)
    assert "3 treatments ended between" in mine
    assert "Reliable improvement 1 of 2 (50%" in mine and "England" not in mine and "Blake" not in mine
    assert "1 treatment ended between" in text(as_user(blake).get("/outcomes").text)
    assert as_user(alex).get("/outcomes?from=nope").status_code == 422
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "view_own_outcomes")).all()
    assert {r.user_id for r in rows} == {alex.id, blake.id}
