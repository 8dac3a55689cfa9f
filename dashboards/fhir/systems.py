"""Names in the FHIR output: the project's canonical URLs and the clinic-scoped identifier systems.

Canonical URLs name the project's definitions (Questionnaires, the CodeSystem, its extensions); they
are the same on every installation, so any installation recognises the questionnaires of another.
They are names only: nothing is ever fetched from them. Identifier systems name a clinic's own
patients, sessions, responses and practitioners, so they carry the installation's address
(FHIR_IDENTIFIER_BASE, else PUBLIC_BASE_URL) and the clinic's id: two clinics' "P-01" never meet.
Every `fullUrl` is a UUID derived from the resource's identifier, so it is stable across exports.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

CANONICAL = "http://alliance-monitor.org/fhir"
CODE_SYSTEM = f"{CANONICAL}/CodeSystem/alliance-monitor"
#: The one system an exported e-mail address is given in, only when the clinic opts in.
EMAIL_SYSTEM = f"{CANONICAL}/identifier/practitioner-email"
DEFAULT_INSTALLATION = "http://127.0.0.1:5000"  # PUBLIC_BASE_URL's development default

# The FHIR core and SDC extensions and code systems used.
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_CODES = "http://hl7.org/fhir/questionnaire-item-control"
SLIDER_STEP = "http://hl7.org/fhir/StructureDefinition/questionnaire-sliderStepValue"
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
UCUM = "http://unitsofmeasure.org"


def extension_url(name: str) -> str:
    """The project's own extensions (docs/fhir.md lists them)."""
    return f"{CANONICAL}/StructureDefinition/{name}"


SESSION = extension_url("session")  # on Encounter and QuestionnaireResponse: number and local date
ATTENDANCE = extension_url("attendance")  # on Encounter: the attendance code
SCALE = extension_url("scale")  # on Questionnaire: one scale's items and scoring
ANCHOR = extension_url("anchor")  # on a Likert item: one labelled point
END_REASON = extension_url("end-reason")  # on EpisodeOfCare


def questionnaire_url(instrument_id: str) -> str:
    return f"{CANONICAL}/Questionnaire/{instrument_id}"


def option_system(instrument_id: str, item_id: str) -> str:
    """The codes of one choice item are its option ids, in a system of their own."""
    return f"{CANONICAL}/CodeSystem/{instrument_id}/{item_id}"


def full_url(system: str, value: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{system}|{value}')}"


@dataclass(frozen=True)
class ClinicSystems:
    """The identifier systems of one clinic of one installation."""

    base: str  # e.g. https://feedback.example.org/fhir/clinics/3

    @classmethod
    def of(cls, installation: str, clinic_id: int) -> ClinicSystems:
        return cls(f"{installation.rstrip('/')}/fhir/clinics/{clinic_id}")

    @property
    def patient(self) -> str:
        return f"{self.base}/patients"

    @property
    def practitioner(self) -> str:
        return f"{self.base}/practitioners"

    @property
    def session(self) -> str:
        return f"{self.base}/sessions"

    @property
    def response(self) -> str:
        return f"{self.base}/questionnaire-responses"

    @property
    def episode(self) -> str:
        return f"{self.base}/treatments"

    @property
    def observation(self) -> str:
        return f"{self.base}/observations"


def installation(config: dict) -> str:
    """The installation's address in identifier systems: stable, so never the request's host."""
    return str(config.get("FHIR_IDENTIFIER_BASE") or config.get("PUBLIC_BASE_URL") or DEFAULT_INSTALLATION)
