"""The digest never says how a patient's symptoms went: an outcome flag is named neutrally."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dashboards.digest import run as digest_run
from dashboards.digest.recipients import OUTCOME_WORDS
from dashboards.risk.models import RiskEvent
from feedback import mail
from feedback.extensions import db
from feedback.models import utcnow


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"DIGEST_CLINICS": "Northside", "PUBLIC_BASE_URL": "https://clinic.example.org"}


def test_a_reliable_deterioration_reaches_the_digest_without_its_name(clinics):
    patient = clinics.patients["A-CALM"]
    db.session.add(RiskEvent(
        patient_id=patient.id, key="reliable_deterioration:phq9:6", code="reliable_deterioration", subject="phq9",
        severity="high", session_number=6, current=True, reason="PHQ-9 rose from 8 to 15.", numbers={"first": 8},
        first_seen_at=utcnow() - timedelta(minutes=5), news=True))
    db.session.commit()
    mailer = mail.ConsoleMailer()
    digest_run.send_digests(mailer=mailer)
    body = next(m.get_content() for m in mailer.sent if "A-CALM" in m.get_content())
    assert f"A-CALM: {OUTCOME_WORDS}" in body
    assert "deterioration" not in body.lower() and "PHQ" not in body
