"""Who gets which events: the clinics that turned the digest on, and per clinician the news
among the patients the access policy lets them see."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from dashboards.access.models import PatientShare
from dashboards.access.policy import visible_patient_ids
from dashboards.digest.message import Digest
from dashboards.flags.outcome import SEVERITY as OUTCOME_SEVERITY
from dashboards.risk.models import RiskEvent
from dashboards.therapist.wording import event_name  # the names the dashboard's badges use
from feedback.config import setting_on
from feedback.extensions import db
from feedback.i18n import gettext as _
from feedback.i18n import speaking
from feedback.models import Clinic, Patient, User
from feedback.translatable import N_

OUTCOME_CODES = frozenset(OUTCOME_SEVERITY)


def enabled_clinics(config: Mapping[str, Any]) -> tuple[list[Clinic], list[str]]:
    """The clinics that turned the digest on, and configured names that match no clinic."""
    if setting_on(config.get("DIGEST_ENABLED"), "DIGEST_ENABLED"):
        return list(db.session.scalars(select(Clinic).order_by(Clinic.name))), []
    names = [n.strip() for n in str(config.get("DIGEST_CLINICS") or "").split(",") if n.strip()]
    if not names:
        return [], []
    found = list(db.session.scalars(select(Clinic).where(Clinic.name.in_(names)).order_by(Clinic.name)))
    return found, sorted(set(names) - {c.name for c in found})


def pending_digests(clinics: Sequence[Clinic], now: datetime, lookback: timedelta) -> list[Digest]:
    """New high-risk events of active treatments in these clinics, grouped by recipient.

    Recipients are the treating clinician and colleagues the patient is shared with, each only
    for patients the access policy lets them see. Events without any recipient stay unclaimed.
    """
    clinic_names = {c.id: c.name for c in clinics}
    rows = db.session.execute(
        select(RiskEvent.id, RiskEvent.code, Patient.id.label("patient_id"), Patient.code.label("patient_code"),
               Patient.therapist_id)
        .join(Patient, Patient.id == RiskEvent.patient_id)
        .where(
            Patient.clinic_id.in_(clinic_names),
            Patient.status == "active",
            RiskEvent.news.is_(True),
            RiskEvent.notified_at.is_(None),
            RiskEvent.current.is_(True),
            RiskEvent.severity == "high",
            RiskEvent.first_seen_at >= now - lookback,
        )
        .order_by(Patient.code, RiskEvent.session_number, RiskEvent.id)
    ).all()
    if not rows:
        return []
    interested: dict[int, set[int]] = defaultdict(set)  # user id -> patient ids
    for row in rows:
        interested[row.therapist_id].add(row.patient_id)
    shares = select(PatientShare.user_id, PatientShare.patient_id).where(
        PatientShare.patient_id.in_({row.patient_id for row in rows})
    )
    for user_id, patient_id in db.session.execute(shares):
        interested[user_id].add(patient_id)
    users = db.session.scalars(select(User).where(User.id.in_(interested), User.active.is_(True)).order_by(User.email))
    digests = []
    for user in users:
        # The policy has the last word: never name a patient the recipient could not open.
        visible = set(db.session.scalars(visible_patient_ids(user).where(Patient.id.in_(interested[user.id]))))
        with speaking(user) as language:  # the flags' names in the recipient's language
            events = tuple((r.id, r.patient_code, digest_name(r.code)) for r in rows if r.patient_id in visible)
        if events:
            digests.append(Digest(user.email, user.display_name or user.email, clinic_names[user.clinic_id], events,
                                  language))
    return digests


#: An outcome flag's name says how the patient's symptoms went: not for an inbox.
OUTCOME_WORDS = N_("an outcome measure to look at")


def digest_name(code: str) -> str:
    return _(OUTCOME_WORDS) if code in OUTCOME_CODES else event_name(code)
