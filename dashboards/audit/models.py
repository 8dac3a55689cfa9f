"""The audit trail: who did what to which patient or account, when (UTC) and from where.

Append-only from the application: the ORM refuses to update or delete rows (below), and the
migration adds database triggers that refuse it too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from feedback.extensions import db
from feedback.models import Patient, User
from feedback.models.types import UTCDateTime, utcnow


class AuditTrailError(RuntimeError):
    """Something tried to change or remove an audit row."""


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: Who acted; None = the command line or an unknown e-mail at sign-in.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: The clinic the event belongs to, so a director can read exactly their clinic's trail.
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"), index=True)
    #: The account an account-management event acted on (disabled, 2FA reset, ...).
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: What happened, e.g. view_patient, export_patient, sign_in, disable_user, break_glass.
    action: Mapped[str] = mapped_column(String(40))
    #: Short context with no clinical content and no secrets.
    detail: Mapped[str] = mapped_column(String(200), default="")
    ip: Mapped[str | None] = mapped_column(String(45))

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    subject_user: Mapped[User | None] = relationship(foreign_keys=[subject_user_id])
    patient: Mapped[Patient | None] = relationship()


@event.listens_for(Session, "before_flush")
def _refuse_changes(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise AuditTrailError("audit events cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj):
            raise AuditTrailError("audit events cannot be changed")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state: Any) -> None:
    if (state.is_update or state.is_delete) and any(m.class_ is AuditEvent for m in state.all_mappers):
        raise AuditTrailError("audit events cannot be changed or deleted")
