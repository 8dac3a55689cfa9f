"""Who may see which patient and manage which account: the one policy, as query filters.

Each rule is a SQL condition, so lists, charts, exports and single-object checks all use the same
definition and a page can never show more than a query would return:

- a therapist sees their own patients and patients explicitly shared with them;
- a director sees every patient of their clinic;
- an admin sees no patient data, except a patient they hold a live break-glass grant for;
- nobody ever sees another clinic; disabled or anonymous users see nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, select
from sqlalchemy.orm import aliased

from dashboards.access.models import BreakGlassGrant, PatientShare
from dashboards.audit.models import AuditEvent
from feedback.extensions import db
from feedback.models import Patient, User, utcnow

#: Roles a manager may create or manage, by the manager's role.
MANAGED_ROLES = {"director": ("therapist",), "admin": ("therapist", "director", "admin")}
#: Roles that can treat patients (and so have patients shared with them).
TREATING_ROLES = ("therapist", "director")


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "active", False))


def patient_filter(user: Any, *, now: datetime | None = None) -> ColumnElement[bool]:
    """The condition on `Patient` rows that `user` may see."""
    if not _signed_in(user):
        return false()
    same_clinic = Patient.clinic_id == user.clinic_id
    if user.role == "director":
        return same_clinic
    if user.role == "therapist":
        # Led by the therapist: their own patients by patients.therapist_id, the shared ones by
        # patient_shares.user_id, each kept to the clinic inside. As `clinic AND (therapist_id = …
        # OR id IN (shared))` PostgreSQL could use neither index and read the whole clinic, then
        # joined patient_risks by reading it whole (tests/risk/test_query_plans.py).
        mine = aliased(Patient)
        own = select(mine.id).where(mine.therapist_id == user.id, mine.clinic_id == user.clinic_id)
        shared = (select(PatientShare.patient_id).join(mine, mine.id == PatientShare.patient_id)
                  .where(PatientShare.user_id == user.id, mine.clinic_id == user.clinic_id))
        return Patient.id.in_(own.union_all(shared))
    if user.role == "admin":
        granted = select(BreakGlassGrant.patient_id).where(
            BreakGlassGrant.user_id == user.id, BreakGlassGrant.expires_at > (now or utcnow())
        )
        return and_(same_clinic, Patient.id.in_(granted))
    return false()


def visible_patients(user: Any, *, now: datetime | None = None) -> Select[tuple[Patient]]:
    """`select(Patient)` narrowed to what `user` may see; add ordering and filters as needed.

    To narrow other tables: `TherapySession.patient_id.in_(visible_patient_ids(user))`.
    """
    return select(Patient).where(patient_filter(user, now=now))


def visible_patient_ids(user: Any, *, now: datetime | None = None) -> Select[tuple[int]]:
    return select(Patient.id).where(patient_filter(user, now=now))


def can_view_patient(user: Any, patient: Patient, *, now: datetime | None = None) -> bool:
    """The same rule for one patient (one small query, so it can never disagree with the lists)."""
    found = db.session.scalar(visible_patient_ids(user, now=now).where(Patient.id == patient.id))
    return found is not None


def can_share_patient(user: Any, patient: Patient) -> bool:
    """The treating therapist and the clinic's directors decide who else sees a patient."""
    if not _signed_in(user) or user.clinic_id != patient.clinic_id:
        return False
    return user.role == "director" or user.id == patient.therapist_id


def share_candidates(patient: Patient) -> Select[tuple[User]]:
    """Active therapists of the patient's clinic other than the treating one."""
    return select(User).where(
        User.clinic_id == patient.clinic_id,
        User.role == "therapist",
        User.active.is_(True),
        User.id != patient.therapist_id,
    )


def user_filter(manager: Any) -> ColumnElement[bool]:
    """The condition on `User` rows that `manager` may manage (never themselves, never another clinic)."""
    if not _signed_in(manager) or manager.role not in MANAGED_ROLES:
        return false()
    return and_(
        User.clinic_id == manager.clinic_id,
        User.id != manager.id,
        User.role.in_(MANAGED_ROLES[manager.role]),
    )


def manageable_users(manager: Any) -> Select[tuple[User]]:
    return select(User).where(user_filter(manager))


def assignable_roles(manager: Any) -> tuple[str, ...]:
    return MANAGED_ROLES.get(getattr(manager, "role", ""), ()) if _signed_in(manager) else ()


#: Roles that read their clinic's audit trail.
AUDIT_READERS = ("director", "admin")
#: Rows whose mere existence is clinical: that a patient gave a risk answer. An admin sees no
#: patient data, so these rows are for directors only.
CLINICAL_AUDIT_ACTIONS = (
    "safety_alert_raised", "safety_alert_notified", "safety_alert_escalated", "safety_alert_acknowledged",
)


def visible_audit_events(user: Any) -> Select[tuple[AuditEvent]]:
    """A clinic's trail, for its directors and admins only; nobody reads another clinic's."""
    if not _signed_in(user) or user.role not in AUDIT_READERS:
        return select(AuditEvent).where(false())
    query = select(AuditEvent).where(AuditEvent.clinic_id == user.clinic_id)
    if user.role != "director":
        query = query.where(AuditEvent.action.not_in(CLINICAL_AUDIT_ACTIONS))
    return query
