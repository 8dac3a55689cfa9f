"""The writes of the safety pathway's pages, each with its audit row, each committing:
acknowledging a safety alert, and a director's safety settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update

from dashboards.audit import audit
from feedback.extensions import db
from feedback.models import SAFETY_ACTIONS, Clinic, Patient, SafetyAlert, User, utcnow


class AlreadyAcknowledged(Exception):
    """Someone acknowledged the alert first (a second tab, a colleague): nothing was changed."""


def acknowledge(alert: SafetyAlert, patient: Patient, user: User, action: str, note: str,
                *, now: datetime | None = None) -> None:
    """Record who acknowledged the alert, when, what was done and the note; the banner clears.

    A guarded UPDATE: of two clinicians acknowledging at once, one is recorded and the other
    told so. The alert row keeps what was done; the audit row says only that it happened."""
    if action not in SAFETY_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    now = now or utcnow()
    done = db.session.execute(
        update(SafetyAlert)
        .where(SafetyAlert.id == alert.id, SafetyAlert.patient_id == patient.id, SafetyAlert.acknowledged_at.is_(None))
        .values(acknowledged_at=now, acknowledged_by_id=user.id, action=action, note=note)
    ).rowcount
    if done != 1:
        db.session.rollback()
        raise AlreadyAcknowledged()
    audit("safety_alert_acknowledged", patient=patient, actor=user, detail=f"safety alert {alert.id}")
    db.session.commit()


@dataclass(frozen=True)
class SafetySettings:
    crisis_text: dict[str, str]  # language -> text; a language left out gets the default
    on_call_emails: list[str]
    escalate_hours: float


def save_settings(clinic: Clinic, settings: SafetySettings, user: User) -> list[str]:
    """Store the clinic's crisis text, on-call addresses and escalation time; the names of what changed."""
    changed = [
        name for name, old, new in (
            ("crisis text", clinic.crisis_text or {}, settings.crisis_text),
            ("on-call addresses", list(clinic.on_call_emails or []), settings.on_call_emails),
            ("escalation hours", clinic.safety_escalate_hours, settings.escalate_hours),
        ) if old != new
    ]
    if changed:
        clinic.crisis_text = dict(settings.crisis_text)
        clinic.on_call_emails = list(settings.on_call_emails)
        clinic.safety_escalate_hours = settings.escalate_hours
        # Which settings, and how many addresses: never the text or the addresses themselves.
        audit("change_safety_settings", actor=user,
              detail=f"{', '.join(changed)}; {len(settings.on_call_emails)} on-call address(es)")
        db.session.commit()
    return changed
