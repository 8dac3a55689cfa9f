"""Many due SMS at once, for the multi-process tests and the bench (`bench/delivery.py`).

Builds real rows the quick way: one clinic, one therapist, `n` SMS patients each with an
attended session, a patient invitation (with a real link nonce) and a pending outbox row. No
quiet hours or caps apply to what it creates when used with `NO_LIMITS`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from feedback.delivery.rendering import invitation_link
from feedback.delivery.settings import delivery
from feedback.extensions import db
from feedback.invitations import issue_invitation
from feedback.links import session_instruments
from feedback.models import Clinic, Invitation, Patient, TherapySession, User, utcnow
from feedback.models.outbox import OutboxMessage

#: A schedule without quiet hours and with caps no test reaches (whatever the wall clock says).
NO_LIMITS = {"quiet_start": "00:00", "quiet_end": "00:00", "max_per_day": 1000, "max_per_week": 1000}


def number(index: int) -> str:
    return f"+447400{index:06d}"


def make_due_messages(count: int, *, due_at: datetime | None = None, clinic_name: str = "Bulk Clinic") -> list[int]:
    """Create `count` pending SMS (due at `due_at`, default: far in the future); their ids."""
    now = utcnow()
    due_at = due_at or now + timedelta(days=365)
    cipher = delivery().cipher
    clinic = Clinic(name=clinic_name, timezone="UTC")
    therapist = User(clinic=clinic, email=f"bulk@{clinic_name.lower().replace(' ', '-')}.example", role="therapist")
    db.session.add_all([clinic, therapist])
    instrument = session_instruments()["patient"]
    patients = []
    for index in range(count):
        e164 = number(index)
        patient = Patient(
            clinic=clinic,
            therapist=therapist,
            code=f"B-{index:05d}",
            phone_encrypted=cipher.encrypt(e164),
            phone_lookup=cipher.lookup_hash(e164),
            sms_consent=True,
            sms_consent_at=now,
            preferred_channel="sms",
        )
        session = TherapySession(
            patient=patient, therapist=therapist, starts_at=now - timedelta(hours=1), attendance="attended", number=1
        )
        issued = issue_invitation(session, "patient", instrument, valid_for=timedelta(hours=72), channel="sms", now=now)
        patients.append((patient, issued.invitation))
    db.session.flush()
    rows = [
        OutboxMessage(
            invitation_id=invitation.id, patient_id=patient.id, kind="invitation", due_at=due_at, created_at=now
        )
        for patient, invitation in patients
    ]
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def make_due_now(ids: list[int]) -> None:
    """Everything in `ids` becomes due at this moment, in one commit."""
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(due_at=utcnow()))
    db.session.commit()


def links_by_row() -> dict[int, str]:
    """Each outbox row's current link, to match the fake's requests against."""
    found = db.session.execute(
        select(OutboxMessage.id, Invitation).join(Invitation, Invitation.id == OutboxMessage.invitation_id)
    ).all()
    return {row_id: invitation_link(invitation) for row_id, invitation in found}


def statuses() -> dict[int, str]:
    db.session.expire_all()
    return dict(db.session.execute(select(OutboxMessage.id, OutboxMessage.status)).all())
