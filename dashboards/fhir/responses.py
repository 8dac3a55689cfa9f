"""Sessions, questionnaires and treatments as Encounter, QuestionnaireResponse and EpisodeOfCare.
Plain functions: no database, no request.

A patient is referenced only by the clinic's pseudonymous code, a practitioner only by a
clinic-scoped identifier (their account number, or their e-mail when the clinic opts in); no
Patient or Practitioner resource is written, the references are logical (by identifier).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dashboards.fhir import systems
from dashboards.fhir.questionnaire import ANSWER_KEYS, canonical, coding
from dashboards.fhir.systems import ClinicSystems
from dashboards.importer.session_cells import FILE_WORD
from feedback.instruments.model import Instrument

ENCOUNTER_STATUS = {"attended": "finished", "scheduled": "planned"}  # any kind of cancellation: cancelled
ATTENDANCE_WORDS = {**FILE_WORD, "scheduled": "scheduled"}  # the import file's spellings, one word per concept
AMBULATORY = {"system": systems.ACT_CODE, "code": "AMB", "display": "ambulatory"}


@dataclass(frozen=True)
class Clinic:
    """What every resource of one clinic's export needs."""

    systems: ClinicSystems
    zone: ZoneInfo
    #: account id -> (identifier system, value): the account number, or the e-mail when opted in.
    practitioners: Mapping[int, tuple[str, str]]


@dataclass(frozen=True)
class Session:
    code: str
    number: int
    starts_at: datetime
    duration_minutes: int
    attendance: str
    therapist_id: int

    def day(self, zone: ZoneInfo) -> date:
        return self.starts_at.astimezone(zone).date()


@dataclass(frozen=True)
class Answered:
    """One questionnaire of a session; `answers` None while it is not answered. An outcome measure
    (PHQ-9, ...) is answered on the session's patient invitation beside its alliance form, so its
    key names the instrument too: one per (session, respondent, instrument)."""

    session: Session
    respondent: str
    instrument: Instrument
    answers: Mapping[str, Any] | None
    submitted_at: datetime | None
    open: bool  # the link still works
    scores: Mapping[str, Any] | None = None
    outcome_measure: bool = False
    language: str | None = None  # the language it was answered in (None: not answered)

    @property
    def key(self) -> str:
        key = f"{self.session.code}/{self.session.number}/{self.respondent}"
        return f"{key}/{self.instrument.id}" if self.outcome_measure else key


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def patient_ref(clinic: Clinic, code: str) -> dict[str, Any]:
    return {"type": "Patient", "identifier": {"system": clinic.systems.patient, "value": code}}


def practitioner_ref(clinic: Clinic, user_id: int) -> dict[str, Any]:
    system, value = clinic.practitioners[user_id]
    return {"type": "Practitioner", "identifier": {"system": system, "value": value}}


def session_key(session: Session) -> str:
    return f"{session.code}/{session.number}"


def session_extension(clinic: Clinic, session: Session) -> dict[str, Any]:
    return {"url": systems.SESSION, "extension": [
        {"url": "number", "valueInteger": session.number},
        {"url": "date", "valueDate": session.day(clinic.zone).isoformat()},
    ]}


def encounter_url(clinic: Clinic, session: Session) -> str:
    return systems.full_url(clinic.systems.session, session_key(session))


def encounter(clinic: Clinic, session: Session) -> tuple[str, dict[str, Any]]:
    identifier = {"system": clinic.systems.session, "value": session_key(session)}
    resource = {
        "resourceType": "Encounter",
        "extension": [
            session_extension(clinic, session),
            {"url": systems.ATTENDANCE, "valueCoding": attendance_coding(session.attendance)},
        ],
        "identifier": [identifier],
        "status": ENCOUNTER_STATUS.get(session.attendance, "cancelled"),
        "class": AMBULATORY,
        "subject": patient_ref(clinic, session.code),
        "participant": [{"individual": practitioner_ref(clinic, session.therapist_id)}],
        "period": {"start": utc(session.starts_at),
                   "end": utc(session.starts_at + timedelta(minutes=session.duration_minutes))},
    }
    return encounter_url(clinic, session), resource


def attendance_coding(attendance: str) -> dict[str, str]:
    return {"system": systems.CODE_SYSTEM, "code": ATTENDANCE_WORDS[attendance]}


def response_url(clinic: Clinic, answered: Answered) -> str:
    return systems.full_url(clinic.systems.response, answered.key)


def questionnaire_response(clinic: Clinic, answered: Answered) -> tuple[str, dict[str, Any]]:
    """Answered: `completed`; sent and never answered: `stopped` (`in-progress` while the link works)."""
    session = answered.session
    if answered.respondent == "patient":
        author = patient_ref(clinic, session.code)
    else:
        author = practitioner_ref(clinic, session.therapist_id)
    status = "completed" if answered.answers is not None else "in-progress" if answered.open else "stopped"
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "extension": [session_extension(clinic, session)],
        "identifier": {"system": clinic.systems.response, "value": answered.key},
        "questionnaire": canonical(answered.instrument),
        "status": status,
        "subject": patient_ref(clinic, session.code),
        "encounter": {"reference": encounter_url(clinic, session),
                      "identifier": {"system": clinic.systems.session, "value": session_key(session)}},
    }
    if answered.submitted_at is not None:
        resource["authored"] = utc(answered.submitted_at)
    resource["author"] = author
    if answered.answers is not None and answered.language:
        resource["language"] = answered.language  # the questions' text below is in it too
    items = response_items(answered.instrument, answered.answers or {}, answered.language)
    if items:
        resource["item"] = items
    return response_url(clinic, answered), resource


def response_items(
    instrument: Instrument, answers: Mapping[str, Any], language: str | None = None
) -> list[dict[str, Any]]:
    """The answered items in the instrument's order, each with its question as the respondent read
    it; an item without an answer is left out."""
    items = []
    for item in instrument.items:
        value = answers.get(item.id)
        if value is None or value == "" or value == []:
            continue
        key = ANSWER_KEYS[item.type]
        values = value if isinstance(value, list) else [value]
        if key == "valueCoding":
            answer = [{key: coding(instrument, item, option_id)} for option_id in values]
        else:
            answer = [{key: v} for v in values]
        items.append({"linkId": item.id, "text": instrument.text(item.text, instrument.language_for(language)),
                      "answer": answer})
    return items


def episode(
    clinic: Clinic, code: str, therapist_id: int, status: str, end_reason: str | None, ended_on: date | None
) -> tuple[str, dict[str, Any]]:
    """The treatment: who treats the patient and, once it ended, when and why."""
    resource: dict[str, Any] = {"resourceType": "EpisodeOfCare"}
    if end_reason:
        resource["extension"] = [{"url": systems.END_REASON,
                                  "valueCoding": {"system": systems.CODE_SYSTEM, "code": end_reason}}]
    resource.update({
        "identifier": [{"system": clinic.systems.episode, "value": code}],
        "status": "finished" if status == "ended" else "active",
        "patient": patient_ref(clinic, code),
        "careManager": practitioner_ref(clinic, therapist_id),
    })
    if ended_on is not None:
        resource["period"] = {"end": ended_on.isoformat()}
    return systems.full_url(clinic.systems.episode, code), resource
