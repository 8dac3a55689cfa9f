"""A survey link as its pages read it: the invitation, its session, the patient, the clinic and the
therapist, from one row of one statement, in plain frozen objects.

The survey's page and answer are the app's busiest requests. Built as ORM objects, the rows cost
about twice what the statement itself does (instance state, the identity map, the session's
bookkeeping); read as a row, a survey page takes a fifth to a quarter less of the app's time
(bench/RESULTS.md, 2026-12-04). The objects here carry the models' own attribute names
(`link.session.patient.clinic.timezone`), so the survey's functions read a model's objects the same
way: the tests' and the clinic tablet's.

Read-only by design: what the survey changes is written with statements of its own
(`feedback/invitations.py`), and what needs the ORM (the patient's language, an outcome measure's
safety alert) loads its model by id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select

from feedback import alone
from feedback.models import Clinic, Invitation, Patient, TherapySession, User


# eq=False: compared and hashed as objects; their lists and dicts could not be hashed.
@dataclass(frozen=True, slots=True, eq=False)
class LinkClinic:
    id: int
    timezone: str
    language: str
    outcome_battery: list[dict[str, Any]] | None
    crisis_text: dict[str, str] | None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True, eq=False)
class LinkPatient:
    id: int
    clinic_id: int
    language: str
    outcome_battery: list[dict[str, Any]] | None
    clinic: LinkClinic


@dataclass(frozen=True, slots=True, eq=False)
class LinkTherapist:
    id: int
    language: str | None


@dataclass(frozen=True, slots=True, eq=False)
class LinkSession:
    id: int
    patient_id: int
    therapist_id: int
    starts_at: datetime
    number: int
    patient: LinkPatient
    therapist: LinkTherapist


@dataclass(frozen=True, slots=True, eq=False)
class SurveyLink:
    id: int
    session_id: int
    respondent: str
    instrument_id: str
    instrument_version: str
    token_hash: str
    opened_at: datetime | None
    completed_at: datetime | None
    expires_at: datetime
    session: LinkSession


_i, _s, _p, _c, _u = (m.__table__ for m in (Invitation, TherapySession, Patient, Clinic, User))
_COLUMNS = (
    _i.c.id, _i.c.session_id, _i.c.respondent, _i.c.instrument_id, _i.c.instrument_version, _i.c.token_hash,
    _i.c.opened_at, _i.c.completed_at, _i.c.expires_at,
    _s.c.patient_id, _s.c.therapist_id, _s.c.starts_at, _s.c.number,
    _p.c.clinic_id, _p.c.language.label("patient_language"), _p.c.outcome_battery.label("patient_battery"),
    _c.c.timezone, _c.c.language.label("clinic_language"), _c.c.outcome_battery.label("clinic_battery"),
    _c.c.crisis_text,
    _u.c.language.label("therapist_language"),
)


# One statement, built once: each request skips composing it and its cache key.
_BY_TOKEN_HASH = (
    select(*_COLUMNS)
    .join_from(_i, _s, _s.c.id == _i.c.session_id)
    .join(_p, _p.c.id == _s.c.patient_id)
    .join(_c, _c.c.id == _p.c.clinic_id)
    .join(_u, _u.c.id == _s.c.therapist_id)
    .where(_i.c.token_hash == bindparam("digest"))
)


def by_token_hash(digest: str) -> SurveyLink | None:
    """The link whose token hashes to `digest`: a statement of its own, or in the session's transaction
    if it holds one (`feedback/alone.py`)."""
    return _built(alone.read(_BY_TOKEN_HASH, {"digest": digest}))


def _built(row: Any) -> SurveyLink | None:
    if row is None:
        return None
    clinic = LinkClinic(row.clinic_id, row.timezone, row.clinic_language, row.clinic_battery, row.crisis_text)
    patient = LinkPatient(row.patient_id, row.clinic_id, row.patient_language, row.patient_battery, clinic)
    session = LinkSession(row.session_id, row.patient_id, row.therapist_id, row.starts_at, row.number, patient,
                          LinkTherapist(row.therapist_id, row.therapist_language))
    return SurveyLink(row.id, row.session_id, row.respondent, row.instrument_id, row.instrument_version,
                      row.token_hash, row.opened_at, row.completed_at, row.expires_at, session)
