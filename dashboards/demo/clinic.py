"""A realistic demo clinic for trying the app on a laptop.

A director, two therapists and eight patients in treatment whose histories have the shapes the
product is about: stable, a slowly weakening bond, a sudden loss, an unresolved rupture, a repaired
rupture, repeated ruptures, a patient who stops answering, and one who is noisy but fine (one gets
links by SMS, one by e-mail, one answers in Spanish: `CONTACT`). Six
earlier treatments have ended (completed, dropped out, transferred), so the director's dropout
panels and the check of the flags against dropout have something to show. The clinic's battery
asks the PHQ-9 and GAD-7 after every alliance form: each treatment has an outcome history
(improving, not improving or deteriorating), and one patient's last PHQ-9 raised the one open
safety alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from dashboards.demo.cohort import generate_patient
from dashboards.demo.outcomes import Course, outcome_answers
from dashboards.demo.seeding import store_history
from dashboards.risk.store import recompute_clinic
from dashboards.setup import operations as setup
from feedback.battery.rules import Entry
from feedback.extensions import db
from feedback.instruments.model import Instrument
from feedback.instruments.registry import registry
from feedback.invitations import link_token
from feedback.links import link_validity, session_instruments, survey_url
from feedback.models import Clinic, Invitation, TherapySession, utcnow
from feedback.sessions import record_session

CLINIC = "Northside Psychotherapy (demo)"
TIMEZONE = "Europe/London"
PASSWORD = "demo-password-2026"  # noqa: S105  (printed for the demo; development only)
DIRECTOR = ("director@northside.example", "Dr Morgan Reyes")
THERAPISTS = [("alex@northside.example", "Alex Chen"), ("sam@northside.example", "Sam Okafor")]

# Fictional UK mobile number for the patient who gets links by SMS (to the console in the demo).
DEMO_MOBILE = "+44 7911 123456"
#: How the patients are reached and in which language, beyond the default (English, links handed over
#: in the session): NS-101 by SMS, NS-106 by e-mail (a reserved example.org address; e-mail goes to the
#: console in the demo), NS-104 reads Spanish, so their questionnaires were shown and answered in Spanish.
CONTACT: dict[str, dict[str, Any]] = {
    "NS-101": {"phone": DEMO_MOBILE, "sms_consent": True},
    "NS-104": {"language": "es"},
    "NS-106": {"email": "ns-106@example.org", "email_consent": True},
}
# code, kind, therapist index, number of sessions, days since the last session, seed
PATIENTS = [
    ("NS-101", "stable_high", 0, 12, 2, 11),
    ("NS-102", "slow_bond_decline", 0, 11, 3, 12),
    ("NS-103", "unresolved_rupture", 0, 10, 1, 13),
    ("NS-104", "rupture_then_repair", 1, 12, 2, 14),
    ("NS-105", "disengagement", 1, 10, 5, 15),
    ("NS-106", "noisy_stable", 1, 14, 4, 16),
    ("NS-107", "sudden_loss", 0, 10, 6, 17),
    ("NS-108", "repeated_ruptures", 1, 10, 3, 18),
]
# The outcome course of each treatment (dashboards/demo/outcomes.py): where the PHQ-9 and GAD-7 go.
# NS-102's bond falls first and its PHQ-9 worsens later; NS-103 answers PHQ-9 item 9 with "Several
# days" at its last session: the demo's one open safety alert.
COURSES = {
    "NS-101": Course("improving", 0.4), "NS-102": Course("deteriorating", -0.8, onset=0.5),
    "NS-103": Course("deteriorating", -0.6, onset=0.2, risk_at_end=True), "NS-104": Course("improving", 0.6),
    "NS-105": Course("not_improving", 0.3), "NS-106": Course("improving", 0.0),
    "NS-107": Course("not_improving", 0.5), "NS-108": Course("not_improving", 0.2),
    "NS-091": Course("deteriorating", -0.5), "NS-092": Course("not_improving", 0.4),
    "NS-093": Course("improving", 0.5), "NS-094": Course("improving", 0.2),
    "NS-095": Course("not_improving", 0.0), "NS-096": Course("improving", -0.2),
}
#: The outcome forms by the scale each is answered for: the PHQ-9 and GAD-7 after every session's
#: alliance form, as NHS Talking Therapies asks them.
MEASURES = (("phq9", "phq-9"), ("gad7", "gad-7"))
BATTERY = [Entry(form, "session").as_json() for _, form in MEASURES]


def battery_measures() -> dict[str, Instrument]:
    """The battery's instruments by the outcome scale each is answered for (`outcome_answers`)."""
    return {scale: registry().get(form) for scale, form in MEASURES}


# Ended treatments: the same columns, then how it ended and the days from the last session to the
# end date (a dropout is recorded once the clinic has given up reaching the patient).
ENDED = [
    ("NS-091", "unresolved_rupture", 0, 10, 130, 21, "dropped_out", 21),
    ("NS-092", "sudden_loss", 1, 10, 100, 22, "dropped_out", 14),
    ("NS-093", "stable_high", 0, 16, 85, 23, "completed", 0),
    ("NS-094", "rupture_then_repair", 1, 14, 60, 24, "completed", 0),
    ("NS-095", "disengagement", 0, 10, 50, 25, "dropped_out", 28),
    ("NS-096", "noisy_stable", 1, 12, 35, 26, "transferred", 7),
]


@dataclass
class DemoClinic:
    clinic: Clinic
    accounts: list[tuple[str, str]]  # (email, role)
    survey_link: str | None
    #: The session this run recorded for NS-101 so that there is a questionnaire to open (its last
    #: link had expired), or None when an open one was reused.
    added_session: int | None = None


def seed(now: datetime | None = None) -> DemoClinic:
    """Create the demo clinic once; on later runs return the existing one with a fresh link."""
    now = now or utcnow()
    clinic = db.session.scalar(select(Clinic).where(Clinic.name == CLINIC))
    if clinic is None:
        clinic = _create(now)
    accounts = [(u.email, u.role) for u in sorted(clinic.users, key=lambda u: (u.role != "director", u.email))]
    link, added = _open_survey_link(clinic, now)
    return DemoClinic(clinic, accounts, link, added)


def _create(now: datetime) -> Clinic:
    clinic = setup.add_clinic(CLINIC, TIMEZONE)
    clinic.outcome_battery = BATTERY
    setup.add_user(DIRECTOR[0], clinic, "director", PASSWORD, DIRECTOR[1])
    therapists = [setup.add_user(email, clinic, "therapist", PASSWORD, name) for email, name in THERAPISTS]
    instruments = session_instruments()
    measures = battery_measures()
    local_today = now.astimezone(clinic.zone).date()
    treatments = [(*row, None, 0) for row in PATIENTS] + ENDED
    for code, kind, who, n_sessions, days_ago, seed_value, end_reason, days_to_end in treatments:
        patient = setup.add_patient(code, clinic, therapists[who], now=now, **CONTACT.get(code, {}))
        history = generate_patient(kind, seed=seed_value, n_sessions=n_sessions)
        answered = [s.number for s in sorted(history.sessions, key=lambda s: s.number)
                    if s.patient is not None and s.patient.answered]
        outcomes = outcome_answers(COURSES[code], answered, measures, seed=seed_value)
        last_session_on = local_today - timedelta(days=days_ago)
        store_history(
            patient,
            history,
            instruments,
            last_session_on=last_session_on,
            start_time=time(9 + seed_value % 8, 0),
            zone=clinic.zone,
            now=now,
            outcomes=outcomes,
        )
        if end_reason:
            patient.status, patient.end_reason = "ended", end_reason
            patient.ended_on = last_session_on + timedelta(days=days_to_end)
    db.session.commit()
    recompute_clinic(clinic.id, now=now)
    return clinic


def _open_survey_link(clinic: Clinic, now: datetime) -> tuple[str | None, int | None]:
    """A questionnaire to open: the stable patient's open one, or a session recorded for them
    now (returned as the second value) when their last link has expired."""
    patient = setup.find_patient(PATIENTS[0][0], clinic)
    open_invitation = db.session.scalar(
        select(Invitation)
        .join(TherapySession)
        .where(
            TherapySession.patient_id == patient.id,
            Invitation.respondent == "patient",
            Invitation.completed_at.is_(None),
            Invitation.expires_at > now,
        )
        .order_by(Invitation.created_at.desc())
        .limit(1)
    )
    if open_invitation is not None:
        return survey_url(link_token(open_invitation)), None
    recorded = record_session(
        patient,
        starts_at=now - timedelta(minutes=90),  # ended 40 min ago: its SMS is due
        attendance="attended",
        instruments=session_instruments(),
        valid_for=link_validity(),
        now=now,
    )
    link = recorded.links.get("patient")
    return (survey_url(link.token) if link else None), recorded.session.number
