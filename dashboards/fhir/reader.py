"""Read an import Bundle into the CSV importer's rows, each remembering the resource and the paths
its cells came from. No database: the clinic's side of the matching comes in as a `Target`.

The reader checks what only FHIR can get wrong (resource types, references, the session extension,
linkIds, answer types, nesting); what a value means (a code's shape, a date, a range, an option,
an item's condition, a required item, agreement with the database) is the CSV importer's to check,
so a bundle and a file are judged by the same rules. Nothing here recurses: a deeply nested item is
one problem, never a deep walk.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dashboards.fhir import systems
from dashboards.fhir.problems import FhirProblem, Origin, shown
from dashboards.fhir.responses import ATTENDANCE_WORDS
from feedback.models import END_REASONS
from feedback.phrases import Listed, Phrase, phrase
from feedback.translatable import N_

IMPORTED = ("EpisodeOfCare", "Encounter", "QuestionnaireResponse")
#: An export's other entries: definitions, references, and scores and flags this app computes again.
READ_OVER = ("Questionnaire", "CodeSystem", "Observation", "Patient", "Practitioner")
BUNDLE_TYPES = ("collection", "transaction", "batch", "searchset")
CONTEXT = phrase(N_("see docs/fhir.md, Import"))
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class Target:
    """The importing clinic, as the reader needs it."""

    #: Identifier systems whose values are this clinic's patient codes (its own, and any accepted).
    patient_systems: frozenset[str]
    own_patient_system: str | None
    #: (system, value) -> account e-mail: the clinic's own accounts and the mapping given.
    practitioners: Mapping[tuple[str, str], str] = field(default_factory=dict)
    #: Patients already in the clinic: code -> their therapist's e-mail.
    therapist_of: Mapping[str, str] = field(default_factory=dict)

    def practitioner(self, system: str, value: str) -> str | None:
        if system == systems.EMAIL_SYSTEM:
            return value.strip().lower()
        return self.practitioners.get((system, value))


@dataclass
class Row:
    origin: Origin
    cells: dict[str, str]


@dataclass(frozen=True)
class Practitioner:
    email: str | None  # None: named, but not one of this clinic's accounts
    path: str
    origin: Origin


@dataclass(frozen=True)
class End:
    """A finished treatment: recorded on the patient as ending it on the page would."""

    code: str
    reason: str
    ended_on: str  # YYYY-MM-DD, or YYYY-MM-DDThh:mm… whose date counts
    origin: Origin


@dataclass
class Reading:
    rows: list[Row] = field(default_factory=list)
    problems: list[FhirProblem] = field(default_factory=list)
    planned: int = 0  # planned sessions, not imported
    ends: list[End] = field(default_factory=list)
    read_over: int = 0


class Resource:
    """One entry's resource, with the helpers that read it and file its problems."""

    def __init__(self, index: int, full_url: str | None, data: dict[str, Any], reading: Reading, target: Target):
        self.type = data["resourceType"]
        self.origin = Origin(index, full_url, self.type)
        self.data, self.reading, self.target = data, reading, target

    def problem(self, path: str, message: Phrase) -> None:
        self.reading.problems.append(self.origin.problem(f"{self.type}.{path}" if path else self.type, message))

    def identifier_of(self, value: Any, path: str, kind: str) -> tuple[str, str] | None:
        """A reference's (system, value): references are logical, by identifier."""
        if not isinstance(value, dict):
            self.problem(path, phrase(N_("is not a reference to a %(kind)s"), kind=kind))
            return None
        if value.get("type") not in (None, kind):
            self.problem(f"{path}.type", phrase(N_("is %(value)s, not %(kind)s"), value=shown(str(value.get("type"))),
                                               kind=kind))
            return None
        identifier = value.get("identifier")
        if not (isinstance(identifier, dict) and isinstance(identifier.get("system"), str)
                and isinstance(identifier.get("value"), str)):
            self.problem(f"{path}.identifier",
                         phrase(N_("a %(kind)s is referenced by its identifier, system and value (%(context)s)"),
                                kind=kind, context=CONTEXT))
            return None
        return identifier["system"], identifier["value"]

    def patient_code(self, name: str) -> str | None:
        found = self.identifier_of(self.data.get(name), name, "Patient")
        if found is None:
            return None
        system, value = found
        if system not in self.target.patient_systems:
            own = self.target.own_patient_system or phrase(N_("none yet: the clinic is new"))
            self.problem(f"{name}.identifier.system",
                         phrase(N_("%(system)s is not this clinic's patient system (%(own)s): a patient of another "
                                   "clinic is not imported (if these codes are this clinic's own, accept the system: "
                                   "--accept-system)"), system=shown(system), own=own))
            return None
        self.origin.paths["patient_code"] = f"{self.type}.{name}.identifier.value"
        return value

    def practitioner(self, value: Any, path: str) -> Practitioner | None:
        found = self.identifier_of(value, path, "Practitioner")
        if found is None:
            return None
        return Practitioner(self.target.practitioner(*found), f"{self.type}.{path}", self.origin)

    def extension(self, url: str) -> tuple[int, dict[str, Any]] | None:
        extensions = self.data.get("extension", [])
        if not isinstance(extensions, list):
            self.problem("extension", phrase(N_("is not a list")))
            return None
        return next(((k, e) for k, e in enumerate(extensions) if isinstance(e, dict) and e.get("url") == url), None)

    def session(self, cells: dict[str, str]) -> bool:
        """The session extension's number and date into `cells`; False when the extension is missing."""
        found = self.extension(systems.SESSION)
        if found is None:
            return False
        k, extension = found
        parts = extension.get("extension")
        parts = parts if isinstance(parts, list) else []
        for column, url, key, kind in (("session_number", "number", "valueInteger", int),
                                       ("session_date", "date", "valueDate", str)):
            j, part = next(((j, p) for j, p in enumerate(parts) if isinstance(p, dict) and p.get("url") == url),
                           (None, None))
            if part is None:
                self.problem(f"extension[{k}]", phrase(N_("the session extension has no %(part)s (%(context)s)"),
                                                       part=url, context=CONTEXT))
                continue
            value, path = part.get(key), f"extension[{k}].extension[{j}].{key}"
            if not isinstance(value, kind) or isinstance(value, bool):
                self.problem(path, phrase(N_("the session's %(part)s is missing or not a %(kind)s"), part=url,
                                          kind=key[5:].lower()))
                continue
            cells[column] = str(value)
            self.origin.paths[column] = f"{self.type}.{path}"
        return True


def read_bundle(raw: Any, target: Target, read_response) -> Reading:
    """The rows of every imported resource, and every problem found (with its entry and path)."""
    reading = Reading()

    def whole(path: str, message: Phrase) -> Reading:
        reading.problems.append(FhirProblem(None, None, path, message))
        return reading

    if not isinstance(raw, dict) or raw.get("resourceType") != "Bundle":
        return whole("Bundle", phrase(N_("the file is not a FHIR Bundle (resourceType \"Bundle\")")))
    if raw.get("type") not in BUNDLE_TYPES:
        return whole("Bundle.type", phrase(N_("is %(value)s; one of %(types)s is imported"),
                                           value=shown(str(raw.get("type"))), types=Listed(BUNDLE_TYPES, ", ")))
    entries = raw.get("entry", [])
    if not isinstance(entries, list):
        return whole("Bundle.entry", phrase(N_("is not a list")))
    by_type: dict[str, list[Resource]] = {kind: [] for kind in IMPORTED}
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        full_url = entry.get("fullUrl") if isinstance(entry, dict) and isinstance(entry.get("fullUrl"), str) else None
        if kind in IMPORTED:
            by_type[kind].append(Resource(index, full_url, resource, reading, target))
        elif kind in READ_OVER:
            reading.read_over += 1
        else:
            what = (phrase(N_("a %(kind)s"), kind=shown(kind)) if isinstance(kind, str)
                    else phrase(N_("an entry without a resource")))
            message = phrase(N_("%(what)s is not imported: a bundle for import holds %(types)s resources "
                                "(%(context)s)"), what=what, types=Listed(IMPORTED, ", "), context=CONTEXT)
            reading.problems.append(FhirProblem(index, full_url, "resource.resourceType" if kind else "resource",
                                                message))
    treating = {code: p for code, p in map(_episode, by_type["EpisodeOfCare"]) if code is not None}
    sessions: dict[str, tuple[dict[str, str], Practitioner | None]] = {}  # by fullUrl and by (code, number)
    for resource in by_type["Encounter"]:
        _encounter(resource, treating, sessions)
    for resource in by_type["QuestionnaireResponse"]:
        cells = read_response(resource, sessions)
        if cells is not None:
            _add_row(resource, cells, sessions.get(f"{cells['patient_code']}/{cells.get('session_number')}"), treating)
    return reading


def _episode(resource: Resource) -> tuple[str | None, Practitioner | None]:
    """The treatment names its therapist (careManager) and, once finished, when and why it ended."""
    code = resource.patient_code("patient")
    manager = resource.data.get("careManager")
    status = resource.data.get("status")
    if status not in ("active", "finished"):
        resource.problem("status", phrase(N_("is %(value)s; an active or finished treatment is imported"),
                                          value=shown(str(status))))
    elif status == "finished" and code is not None:
        _end(resource, code)
    return code, resource.practitioner(manager, "careManager") if manager is not None else None


def _end(resource: Resource, code: str) -> None:
    found = resource.extension(systems.END_REASON)
    coding = found[1].get("valueCoding") if found else None
    reason = coding.get("code") if isinstance(coding, dict) else None
    period = resource.data.get("period")
    ended = period.get("end") if isinstance(period, dict) else None
    if reason not in END_REASONS:
        where = f"extension[{found[0]}].valueCoding.code" if found else "extension"
        resource.problem(where, phrase(N_("a finished treatment says why it ended (%(reasons)s) in the end-reason "
                                          "extension"), reasons=Listed(tuple(END_REASONS), ", ")))
    elif not (isinstance(ended, str) and DATE.match(ended)):
        resource.problem("period.end", phrase(N_("a finished treatment has the date it ended (YYYY-MM-DD)")))
    else:
        resource.reading.ends.append(End(code, reason, ended, resource.origin))


def _encounter(resource: Resource, treating: Mapping[str, Practitioner | None],
               sessions: dict[str, tuple[dict[str, str], Practitioner | None]]) -> None:
    cells: dict[str, str] = {}
    code = resource.patient_code("subject")
    if not resource.session(cells):
        resource.problem("extension", phrase(N_("the session's number and date are in the session extension "
                                                 "(%(context)s)"), context=CONTEXT))
    found = resource.extension(systems.ATTENDANCE)
    status = resource.data.get("status")
    if found is not None:
        k, extension = found
        coding = extension.get("valueCoding")
        word = coding.get("code") if isinstance(coding, dict) else None
        if word not in ATTENDANCE_WORDS.values():
            words = Listed(tuple(ATTENDANCE_WORDS.values()), ", ")
            resource.problem(f"extension[{k}].valueCoding", phrase(N_("attendance is one of %(words)s"), words=words))
            return
        cells["attendance"] = word
        resource.origin.paths["attendance"] = f"Encounter.extension[{k}].valueCoding.code"
    elif status == "finished":
        cells["attendance"], resource.origin.paths["attendance"] = "attended", "Encounter.status"
    elif status != "planned":
        resource.problem("status", phrase(N_("a session that did not take place says how (the attendance extension)")))
        return
    if status == "planned" or cells.get("attendance") == "scheduled":
        resource.reading.planned += 1  # the import is for sessions that took place
        return
    participants = resource.data.get("participant", [])
    first = participants[0] if isinstance(participants, list) and participants else None
    therapist = (resource.practitioner(first.get("individual"), "participant[0].individual")
                 if isinstance(first, dict) else None)
    if code is None or "session_number" not in cells:
        return
    cells["patient_code"] = code
    sessions[f"{code}/{cells['session_number']}"] = (cells, therapist)
    if resource.origin.full_url:
        sessions[resource.origin.full_url] = (cells, therapist)
    _add_row(resource, cells, (cells, therapist), treating)


def _add_row(resource: Resource, cells: dict[str, str], session: tuple[dict[str, str], Practitioner | None] | None,
             treating: Mapping[str, Practitioner | None]) -> None:
    """The row, with the therapist of its session, else of the treatment, else the one the clinic has."""
    code = cells["patient_code"]
    named = [p for p in ((session[1] if session else None), treating.get(code)) if p is not None]
    email = next((p.email for p in named if p.email), None) or resource.target.therapist_of.get(code)
    if email is None:
        if named:
            path, origin = named[0].path, named[0].origin
            message = phrase(N_("is not an account of this clinic: map the practitioner to one "
                                "(--practitioner 'system|value=e-mail')"))
        else:
            path, origin = f"{resource.type}.subject", resource.origin
            message = phrase(N_("patient %(patient)s is new to this clinic and the bundle names no therapist for "
                                "them (EpisodeOfCare.careManager or Encounter.participant)"), patient=shown(code))
        problem = origin.problem(path, message)
        if problem not in resource.reading.problems:  # once per practitioner reference, not per row
            resource.reading.problems.append(problem)
        return
    cells["therapist_email"] = email
    resource.origin.paths.setdefault("therapist_email", named[0].path if named else f"{resource.type}.subject")
    resource.reading.rows.append(Row(resource.origin, cells))
