"""The demo clinic: realistic, varied, and safe to build twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from dashboards.demo import clinic as demo
from feedback.extensions import db
from feedback.instruments.outcomes import DETERIORATION, IMPROVEMENT, reliable_change
from feedback.instruments.registry import registry
from feedback.models import Invitation, OutcomeResponse, Patient, Response, SafetyAlert, TherapySession, User, utcnow


def test_demo_clinic_has_the_promised_people_and_shapes(client):
    seeded = demo.seed()
    roles = sorted(role for _, role in seeded.accounts)
    assert roles == ["director", "therapist", "therapist"]
    patients = db.session.scalars(select(Patient).where(Patient.clinic_id == seeded.clinic.id)).all()
    assert len(patients) == 14 and len({p.therapist_id for p in patients}) == 2
    ended = {p.code: p.end_reason for p in patients if p.status == "ended"}
    assert len(ended) == 6 and set(ended.values()) == {"completed", "dropped_out", "transferred"}
    for patient in (p for p in patients if p.status == "ended"):
        last = db.session.scalar(select(func.max(TherapySession.starts_at)).where(TherapySession.patient_id == patient.id))
        assert patient.ended_on >= last.date()
    assert db.session.scalar(select(func.count()).select_from(TherapySession)) >= 80
    assert db.session.scalar(select(func.count()).select_from(Response)) >= 120
    attendance = set(db.session.scalars(select(TherapySession.attendance)))
    assert {"attended", "no_show"} <= attendance or {"attended", "cancelled"} <= attendance
    # One patient reported an unresolved rupture (high tension, low resolution).
    answers = [r.answers for r in db.session.scalars(select(Response))]
    assert any(a.get("rupture") and a.get("rupture_tension", 0) >= 3 and a.get("rupture_resolved", 5) <= 2
               for a in answers)
    # The open questionnaire link works.
    assert client.get(seeded.survey_link.removeprefix("http://127.0.0.1:5000")).status_code == 200


def test_seeding_twice_keeps_the_data_and_the_link(app):
    first = demo.seed()
    counts = db.session.scalar(select(func.count()).select_from(TherapySession))
    second = demo.seed()
    assert second.survey_link == first.survey_link
    assert db.session.scalar(select(func.count()).select_from(TherapySession)) == counts
    assert db.session.scalar(select(func.count()).select_from(User)) == 3


def test_seeding_after_the_link_expired_adds_one_later_session_and_says_so(app):
    def ns101_sessions():
        return db.session.scalars(select(TherapySession).join(Patient).where(Patient.code == demo.PATIENTS[0][0])
                                  .order_by(TherapySession.number)).all()

    demo.seed()
    before = ns101_sessions()
    later = utcnow() + timedelta(days=4)  # past the 72-hour link
    second = demo.seed(now=later)
    after = ns101_sessions()
    assert len(after) == len(before) + 1 and second.added_session == after[-1].number
    assert after[-1].starts_at > before[-1].starts_at  # the newest session is also the latest
    third = demo.seed(now=later + timedelta(minutes=5))
    assert third.added_session is None and third.survey_link == second.survey_link
    assert len(ns101_sessions()) == len(after)


def test_demo_command_refuses_outside_development(runner):
    result = runner.invoke(args=["demo", "--no-serve"])
    assert result.exit_code == 1 and "only with APP_ENV=development" in result.output


def test_demo_clinic_has_a_battery_outcome_histories_of_each_course_and_one_open_safety_alert(app):
    seeded = demo.seed()
    assert [e["instrument"] for e in seeded.clinic.outcome_battery] == ["phq-9", "gad-7"]
    first_and_last: dict[str, list[float]] = {}
    for code, scores in db.session.execute(
        select(Patient.code, OutcomeResponse.scores).join(Invitation, Invitation.id == OutcomeResponse.invitation_id)
        .join(TherapySession).join(Patient).where(OutcomeResponse.instrument_id == "phq-9")
        .order_by(Patient.code, TherapySession.number)
    ):
        first_and_last.setdefault(code, []).append(scores["phq9"])
    assert set(first_and_last) == set(demo.COURSES)
    rules = registry().get("phq-9").scales["phq9"].outcome
    change = {code: reliable_change(rules, totals[0], totals[-1]) for code, totals in first_and_last.items()}
    assert {change[c] for c, course in demo.COURSES.items() if course.kind == "deteriorating"} == {DETERIORATION}
    assert IMPROVEMENT in {change[c] for c, course in demo.COURSES.items() if course.kind == "improving"}
    assert {change[c] for c, course in demo.COURSES.items() if course.kind == "not_improving"} == {None}
    # Outcome measures come only after an answered patient form, as in the survey.
    assert db.session.scalar(select(func.count()).select_from(OutcomeResponse).join(Invitation).where(
        (Invitation.respondent != "patient") | Invitation.completed_at.is_(None))) == 0
    alert = db.session.scalars(select(SafetyAlert)).one()
    assert alert.acknowledged_at is None and alert.item_id == "phq9_9" and alert.patient.code == "NS-103"
    counts = (db.session.scalar(select(func.count()).select_from(OutcomeResponse)),
              db.session.scalar(select(func.count()).select_from(SafetyAlert)))
    demo.seed()
    assert (db.session.scalar(select(func.count()).select_from(OutcomeResponse)),
            db.session.scalar(select(func.count()).select_from(SafetyAlert))) == counts


def test_demo_clinic_reaches_patients_by_sms_and_e_mail_and_one_answers_in_spanish(app):
    seeded = demo.seed()
    patients = {p.code: p for p in db.session.scalars(select(Patient).where(Patient.clinic_id == seeded.clinic.id))}
    by_email = patients["NS-106"]
    assert by_email.has_email and by_email.email_consent and by_email.preferred_channel == "email"
    assert b"example.org" not in by_email.email_encrypted  # encrypted like every address
    assert patients["NS-101"].preferred_channel == "sms"
    assert {code for code, p in patients.items() if p.language != "en"} == {"NS-104"}
    # The Spanish-speaking patient's forms were shown, and so answered, in Spanish; everyone else's in English.
    given_in: dict[int, set[str]] = {}
    for patient_id, language in db.session.execute(
        select(TherapySession.patient_id, Response.language).select_from(Response).join(Invitation).join(TherapySession)
        .where(Invitation.respondent == "patient")
    ):
        given_in.setdefault(patient_id, set()).add(language)
    assert given_in[patients["NS-104"].id] == {"es"} and given_in[patients["NS-101"].id] == {"en"}
    outcome_languages = set(db.session.scalars(
        select(OutcomeResponse.language).join(Invitation).join(TherapySession)
        .where(TherapySession.patient_id == patients["NS-104"].id)))
    assert outcome_languages == {"es"}
