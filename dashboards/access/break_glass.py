"""Break-glass: an admin's deliberate, justified, time-limited access to one patient of their clinic.

Admins see no patient data by default. A grant needs a written reason, lasts BREAK_GLASS_MINUTES
(default 30), is written to the audit trail the clinic's directors read, and every view made under
it is audited like any other.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from dashboards.access.models import BreakGlassGrant
from dashboards.audit import audit
from feedback.extensions import db
from feedback.i18n import gettext as _
from feedback.models import Patient, User, utcnow

MIN_REASON = 20


class BreakGlassError(ValueError):
    pass


def open_grant(admin: User, patient_code: str, reason: str, now: datetime | None = None) -> BreakGlassGrant:
    now = now or utcnow()
    if admin.role != "admin":
        raise BreakGlassError(_("only admins use break-glass access"))
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON:
        raise BreakGlassError(_("give a reason of at least %(n)s characters", n=MIN_REASON))
    patient = db.session.scalar(
        select(Patient).where(Patient.clinic_id == admin.clinic_id, Patient.code == patient_code.strip())
    )
    if patient is None:
        raise BreakGlassError(_("no patient with that code in your clinic"))
    minutes = float(current_app.config.get("BREAK_GLASS_MINUTES", 30))
    grant = BreakGlassGrant(user_id=admin.id, patient=patient, reason=reason[:500], created_at=now)
    grant.expires_at = now + timedelta(minutes=minutes)
    db.session.add(grant)
    db.session.flush()
    audit("break_glass", actor=admin, patient=patient, detail=f"grant {grant.id} for {minutes:g} min")
    db.session.commit()
    return grant


def grants_in_clinic(clinic_id: int, limit: int = 50) -> list[BreakGlassGrant]:
    """Recent grants in a clinic with their reasons, newest first (for directors and admins)."""
    return list(
        db.session.scalars(
            select(BreakGlassGrant)
            .join(Patient)
            .where(Patient.clinic_id == clinic_id)
            .order_by(BreakGlassGrant.created_at.desc())
            .limit(limit)
        )
    )
