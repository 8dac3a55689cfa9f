"""The patient page's outcome trend beside the alliance, and the review of progress with the patient:
plain words, only the patient's own answers, audited at every opening."""

from __future__ import annotations

from sqlalchemy import select

from dashboards.audit.models import AuditEvent
from dashboards.risk.store import recompute_patients
from dashboards.therapist.models import GuidanceNote
from feedback.extensions import db
from tests.dashboards.builders import CALM, NOW, THERAPIST_CALM, add_session
from tests.outcomes.records import give_outcomes

from .conftest import section, text

#: The patient's alliance weakens (bond 3) before the PHQ-9 rises: the pattern the page should show.
STRAINED = {**CALM, "bond_understood": 3, "bond_trust": 3}
NOTE = "A note only the therapist sees"


def with_outcomes(world):
    give_outcomes(world.patient, [9, 10, 15, 16], [6, 7, 7, 8], alliance=[CALM, STRAINED, STRAINED, STRAINED])
    recompute_patients([world.patient.id], now=NOW)


def test_the_patient_page_shows_the_outcome_section_with_its_table_and_chart_hook(world, as_user):
    with_outcomes(world)
    page = as_user(world.own).get("/patients/P-A1").text
    part = section(page, "outcomes-heading")
    assert 'data-chart-key="outcomes"' in part and 'data-chart-src="/patients/P-A1/charts.json"' in part
    words = text(part)
    assert "Show as a table" in words and "15 (Moderately severe)" in words
    assert ("PHQ-9: first score 9 (session 1); a change of 6 points or more — 3 or below, or 15 or above — is beyond "
            "measurement error (a reliable change); a later score from 4 to 14 is within it") in words
    assert 'href="/patients/P-A1/review"' in part
    assert "Reliable deterioration" in text(page)  # the flag, among the others


def test_the_charts_data_carries_the_outcome_figure_once_there_are_answers(world, as_user):
    client = as_user(world.own)
    assert "outcomes" not in client.get("/patients/P-A1/charts.json").get_json()
    with_outcomes(world)
    figure = client.get("/patients/P-A1/charts.json").get_json()["outcomes"]
    names = [t.get("name") for t in figure["data"]]
    assert "PHQ-9" in names and "GAD-7" in names and "Alliance (patient)" in names


def test_without_outcome_answers_a_sentence_says_what_is_needed(world, as_user):
    add_session(world.patient, 1, starts_at=NOW, patient_form=CALM)
    db.session.commit()
    part = section(as_user(world.own).get("/patients/P-A1").text, "outcomes-heading")
    assert 'data-chart-key="outcomes"' not in part
    assert "No outcome questionnaire (PHQ-9, GAD-7) has been answered yet" in text(part)


def test_the_review_speaks_plainly_of_the_patients_own_answers_only(world, as_user):
    with_outcomes(world)
    add_session(world.patient, 5, starts_at=NOW, patient_form=CALM, therapist_form=THERAPIST_CALM)
    db.session.add(GuidanceNote(patient_id=world.patient.id, author_id=world.own.id, text=NOTE))
    db.session.commit()
    response = as_user(world.own).get("/patients/P-A1/review")
    assert response.status_code == 200
    words = text(response.text)
    assert "Your progress so far" in words
    assert "Mood (PHQ-9)" in words and "Worry and anxiety (GAD-7)" in words
    assert "Your first score was 9 (mild), after session 1. Your latest score is 16 (moderately severe)" in words
    assert "Your score has gone up by 6 points or more, more than ordinary ups and downs explain." in words
    assert "You rated session 1 4.7 out of 5, and your latest rating, after session 5, was 4.7." in words
    for hidden in (NOTE, "Reliable deterioration", "reliable_deterioration", "Therapist", "therapist", "Caseload",
                   "High risk", "P-B1", "Watch"):
        assert hidden not in words, hidden
    assert 'data-chart-src="/patients/P-A1/review.json"' in response.text
    assert "Your scores by session; a lower questionnaire score means fewer difficulties" in words  # PHQ-9, GAD-7


def test_the_review_chart_is_in_the_patients_words_with_nothing_of_the_therapists(world, as_user):
    with_outcomes(world)
    figure = as_user(world.own).get("/patients/P-A1/review.json").get_json()
    names = [t.get("name") for t in figure["data"] if t.get("name")]
    assert "Working together (your rating)" in names
    assert "PHQ-9: within ordinary ups and downs of your first score" in names
    assert "therapist" not in str(figure).lower()


def test_every_opening_of_the_review_is_audited(world, as_user):
    client = as_user(world.director)
    for _ in range(2):
        assert client.get("/patients/P-A1/review").status_code == 200
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "review_with_patient")).all()
    assert [(r.user_id, r.patient_id) for r in rows] == [(world.director.id, world.patient.id)] * 2


def test_a_colleague_or_another_clinic_gets_404(world, as_user):
    assert as_user(world.other).get("/patients/P-A1/review").status_code == 404
    assert as_user(world.director_b).get("/patients/P-A1/review.json").status_code == 404
