"""Scale scores and flags as Observations, and the project's CodeSystem that names them.
Plain functions: no database, no request.

A score is an Observation of the scale (code: the scale id, as the CSV export's `score_<scale>`
column) derived from its QuestionnaireResponse. A flag is an Observation of the flag kind (the
flag engine's event code) whose value is its severity, with the reason as its note; `current`
says whether the latest evaluation still raises it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from dashboards.fhir import systems
from dashboards.fhir.responses import (
    ATTENDANCE_WORDS,
    Answered,
    Clinic,
    patient_ref,
    practitioner_ref,
    response_url,
    session_key,
    utc,
)
from dashboards.therapist.wording import (
    ATTENDANCE_WORDS as ATTENDANCE_NAMES,
)
from dashboards.therapist.wording import (
    END_REASON_WORDS,
    EVENT_NAMES,
    SEVERITY_WORDS,
)
from feedback.instruments.model import Instrument

SURVEY = {"coding": [{"system": systems.OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
FLAG = {"coding": [{"system": systems.CODE_SYSTEM, "code": "flag", "display": "Flag"}]}


@dataclass(frozen=True)
class FlagRow:
    code: str  # the patient's
    event: str
    subject: str | None
    severity: str
    session_number: int | None
    session_day: date | None
    current: bool
    reason: str
    first_seen_at: datetime


def _coded(code: str, display: str | None = None) -> dict[str, Any]:
    coding = {"system": systems.CODE_SYSTEM, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


def score_observations(clinic: Clinic, answered: Answered) -> list[tuple[str, dict[str, Any]]]:
    """One Observation per scored scale of an answered questionnaire (an unscored scale has none)."""
    from_response = response_url(clinic, answered)
    session = answered.session
    performer = (patient_ref(clinic, session.code) if answered.respondent == "patient"
                 else practitioner_ref(clinic, session.therapist_id))
    scores = score_values(answered)
    out = []
    for scale_id, value in scores.items():
        key = f"{answered.key}/{scale_id}"
        scale = answered.instrument.scales[scale_id]
        resource = {
            "resourceType": "Observation",
            "identifier": [{"system": clinic.systems.observation, "value": key}],
            "status": "final",
            "category": [SURVEY],
            "code": _coded(scale_id, answered.instrument.text(scale.label, answered.instrument.languages[0])),
            "subject": patient_ref(clinic, session.code),
            "encounter": {"identifier": {"system": clinic.systems.session, "value": session_key(session)}},
            "effectiveDateTime": utc(answered.submitted_at or session.starts_at),
            "performer": [performer],
            "valueQuantity": {"value": value, "unit": "score", "system": systems.UCUM, "code": "{score}"},
            "derivedFrom": [{"reference": from_response}],
        }
        out.append((systems.full_url(clinic.systems.observation, key), resource))
    return out


def score_values(answered: Answered) -> dict[str, float]:
    stored: Mapping[str, Any] = answered.scores or {}
    return {scale: float(value) for scale, value in stored.items()
            if scale in answered.instrument.scales and isinstance(value, int | float) and not isinstance(value, bool)}


def flag_observation(clinic: Clinic, flag: FlagRow) -> tuple[str, dict[str, Any]]:
    key = f"{flag.code}/flag/{flag.event}/{flag.subject or '-'}/{flag.session_number or '-'}"
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "identifier": [{"system": clinic.systems.observation, "value": key}],
        "status": "final",
        "category": [FLAG],
        "code": _coded(flag.event, EVENT_NAMES.get(flag.event)),
        "subject": patient_ref(clinic, flag.code),
    }
    if flag.session_number is not None:
        resource["encounter"] = {"identifier": {"system": clinic.systems.session,
                                                "value": f"{flag.code}/{flag.session_number}"}}
    if flag.session_day is not None:
        resource["effectiveDateTime"] = flag.session_day.isoformat()
    resource["issued"] = utc(flag.first_seen_at)
    resource["valueCodeableConcept"] = _coded(flag.severity, SEVERITY_WORDS.get(flag.severity))
    resource["note"] = [{"text": flag.reason}]
    resource["component"] = [
        {"code": _coded("flag-current"), "valueBoolean": flag.current},
        *([{"code": _coded("flag-subject"), "valueString": flag.subject}] if flag.subject else []),
    ]
    return systems.full_url(clinic.systems.observation, key), resource


def code_system(instruments: Iterable[Instrument], version: str) -> dict[str, Any]:
    """The project's codes: scales (of every instrument known here), flags, severities, attendance,
    treatment end reasons, and the two flag components."""
    scales: dict[str, str] = {}
    for instrument in instruments:
        for scale_id, scale in instrument.scales.items():
            scales.setdefault(scale_id, instrument.text(scale.label, instrument.languages[0]))
    groups = [
        ("scale", "Scale scores", scales),
        ("flag", "Flags", EVENT_NAMES),
        ("severity", "Flag severities", SEVERITY_WORDS),
        ("attendance", "Session attendance",
         {word: ATTENDANCE_NAMES[stored] for stored, word in ATTENDANCE_WORDS.items()}),
        ("end-reason", "Treatment end reasons", END_REASON_WORDS),
        ("flag-component", "Parts of a flag", {"flag-current": "Raised by the latest evaluation",
                                               "flag-subject": "The scale or signal the flag is about"}),
    ]
    return {
        "resourceType": "CodeSystem",
        "id": "alliance-monitor",
        "url": systems.CODE_SYSTEM,
        "version": version,
        "name": "AllianceMonitor",
        "title": "Alliance Monitor codes",
        "status": "active",
        "caseSensitive": True,
        "hierarchyMeaning": "grouped-by",
        "content": "complete",
        "concept": [
            {"code": code, "display": display,
             "concept": [{"code": c, "display": d} for c, d in members.items()]}
            for code, display, members in groups
        ],
    }
