"""A risk answer raises a safety alert, in the transaction that stores the answer."""

from __future__ import annotations

from sqlalchemy import func, select

from dashboards.audit import AuditEvent
from feedback.extensions import db
from feedback.instruments.registry import registry
from feedback.models import OutcomeResponse, SafetyAlert
from feedback.safety import raise_alerts
from tests.safety.builders import alerts_of, answer_phq9


def test_an_item_9_answer_of_1_raises_a_safety_alert(clinics):
    [alert] = answer_phq9(clinics.patient, 1)
    [stored] = alerts_of(clinics.patient)
    assert (stored.id, stored.item_id, stored.value) == (alert.id, "phq9_9", 1)
    assert stored.patient_id == clinics.patient.id and stored.response.instrument_id == "phq-9"
    assert stored.notified_at is None and stored.escalated_at is None and stored.acknowledged_at is None


def test_every_answer_above_the_minimum_raises_one(clinics):
    for value in (2, 3):
        answer_phq9(clinics.patient, value)
    assert [a.value for a in alerts_of(clinics.patient)] == [2, 3]


def test_an_item_9_answer_of_0_raises_nothing(clinics):
    assert answer_phq9(clinics.patient, 0) == []
    assert alerts_of(clinics.patient) == []
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "safety_alert_raised")) == 0


def test_an_instrument_without_a_risk_item_raises_nothing(clinics):
    gad7 = registry().get("gad-7")
    assert gad7.risk_items == ()
    [alert] = answer_phq9(clinics.patient, 1)  # an invitation to hang the GAD-7 on
    response = OutcomeResponse(invitation_id=alert.response.invitation_id, instrument_id=gad7.id,
                               instrument_version=gad7.version, answers={f"gad7_{n}": 3 for n in range(1, 8)},
                               scores={})
    db.session.add(response)
    assert raise_alerts(response, gad7, clinics.patient.id) == []


def test_the_alert_is_recorded_in_the_audit_trail_with_it(clinics):
    [alert] = answer_phq9(clinics.patient, 1)
    [row] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "safety_alert_raised")).all()
    assert (row.patient_id, row.clinic_id, row.detail) == (clinics.patient.id, clinics.north.id, f"safety alert {alert.id}")
    assert "phq9" not in row.detail and "1" not in row.detail.replace(str(alert.id), "")


def test_the_alert_lives_and_dies_with_the_answer(clinics):
    """One transaction: committed, the alert exists before any thank-you page is asked for (the
    patient may close the phone then); rolled back, neither the answer nor the alert nor its audit row is left."""
    answer_phq9(clinics.patient, 2, commit=False)
    db.session.rollback()
    assert alerts_of(clinics.patient) == []
    assert db.session.scalar(select(func.count()).select_from(OutcomeResponse)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "safety_alert_raised")) == 0
    answer_phq9(clinics.patient, 2)
    with db.engine.connect() as other:  # another connection: what a worker would see next
        assert other.scalar(select(func.count()).select_from(SafetyAlert)) == 1
