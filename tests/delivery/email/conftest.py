"""What the e-mail tests share: an app that sends through the real SMTP server on loopback
(tests/smtp_sink.py), e-mail patients, an invitation due now, the bounce webhook (the dispatcher
fixture and the times are tests/delivery/conftest.py's)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from dashboards.audit.models import AuditEvent
from feedback.extensions import db
from feedback.models import Patient
from tests.delivery.conftest import DUE, PUBLIC_BASE_URL, SESSION_START, local

SECRET = "bounce-secret-for-tests"


@pytest.fixture
def app_config(sink) -> dict[str, Any]:
    return {
        "SMTP_HOST": sink.host, "SMTP_PORT": sink.port, "SMTP_STARTTLS": "0", "SMTP_TIMEOUT_SECONDS": 2,
        "SMTP_FROM": "links@clinic.example.org", "SMS_SENDER_NAME": "Northside", "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "EMAIL_BOUNCE_SECRET": SECRET,
    }


@pytest.fixture
def make_email_patient(make_patient):
    counter = iter(range(1, 100_000))

    def make(**kwargs: Any) -> Patient:
        kwargs.setdefault("email", f"patient{next(counter)}@mail.example.net")
        kwargs.setdefault("email_consent", True)
        return make_patient(**kwargs)

    return make


@pytest.fixture
def planned_email(clock, make_email_patient, make_session):
    """An e-mail patient's invitation, planned at 15:00 and due now (15:20); returns the recorded session."""
    clock(local(2026, 1, 14, 15, 0))
    recorded = make_session(make_email_patient(), starts_at=SESSION_START)
    clock(DUE)
    return recorded


def audit_rows(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def bounce(client, message_id: str, kind: str = "hard", secret: str = SECRET):
    return client.post("/email/bounce", json={"message_id": message_id, "type": kind},
                       headers={"Authorization": f"Bearer {secret}"})


def undo_token_from(page: str) -> str:
    """The undo token in an unsubscribe page's "Get the e-mails again" form."""
    return re.search(r'name="undo" value="([^"]+)"', page)[1]
