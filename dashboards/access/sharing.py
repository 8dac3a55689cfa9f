"""Sharing a patient with a colleague of the same clinic, and taking it back (audited)."""

from __future__ import annotations

from sqlalchemy import delete, select

from dashboards.access.models import PatientShare
from dashboards.access.policy import share_candidates
from dashboards.audit import audit
from feedback.extensions import db
from feedback.i18n import gettext as _
from feedback.models import Patient, User


class SharingError(ValueError):
    pass


def share(patient: Patient, colleague_id: int, granted_by: User) -> PatientShare:
    colleague = db.session.scalar(share_candidates(patient).where(User.id == colleague_id))
    if colleague is None:
        raise SharingError(_("choose a therapist of this clinic"))
    existing = db.session.scalar(
        select(PatientShare).where(PatientShare.patient_id == patient.id, PatientShare.user_id == colleague.id)
    )
    if existing is not None:
        return existing
    share = PatientShare(patient=patient, user=colleague, granted_by_id=granted_by.id)
    db.session.add(share)
    audit("share_patient", actor=granted_by, patient=patient, subject=colleague)
    db.session.commit()
    return share


def unshare(patient: Patient, colleague_id: int, revoked_by: User) -> bool:
    colleague = db.session.get(User, colleague_id)
    removed = db.session.execute(
        delete(PatientShare).where(PatientShare.patient_id == patient.id, PatientShare.user_id == colleague_id)
    ).rowcount
    if removed:
        audit("unshare_patient", actor=revoked_by, patient=patient, subject=colleague)
    db.session.commit()
    return bool(removed)
