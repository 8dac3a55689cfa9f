"""The read-only FHIR API's pieces that need no request: the CapabilityStatement, OperationOutcomes
and the QuestionnaireResponse search parameters: plain functions."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from dashboards.fhir.bundle import MEDIA_TYPE
from dashboards.fhir.responses import utc
from feedback.models import SESSION_YEARS, within_session_years

RESPONSE_PARAMETERS = ("subject", "subject:identifier", "authored")
MOMENT = re.compile(
    r"^(?P<prefix>[a-z]{2})?(?P<value>[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9:.]+(Z|[+-][0-9]{2}:[0-9]{2}))?)$"
)


class SearchError(ValueError):
    """A search the API cannot answer; the message says why (an OperationOutcome, 400)."""


@dataclass(frozen=True)
class ResponseSearch:
    subject_code: str | None = None
    subject_system: str | None = None
    #: (operator, moment): authored must be `>=`, `>`, `<=` or `<` the moment.
    authored: list[tuple[str, datetime]] = field(default_factory=list)


def parse_response_search(args: Mapping[str, Sequence[str]]) -> ResponseSearch:
    unknown = sorted(set(args) - set(RESPONSE_PARAMETERS))
    if unknown:
        raise SearchError(f"unknown search parameter {unknown[0][:40]!r}; this server supports "
                          f"{', '.join(RESPONSE_PARAMETERS)}")
    subjects = [*args.get("subject", []), *args.get("subject:identifier", [])]
    if len(subjects) > 1:
        raise SearchError("one subject per search")
    code = system = None
    if args.get("subject"):
        code = args["subject"][0].removeprefix("Patient/")
    elif args.get("subject:identifier"):
        system, bar, code = args["subject:identifier"][0].rpartition("|")
        system = system if bar else None
    authored: list[tuple[str, datetime]] = []
    for value in args.get("authored", []):
        authored += _authored(value)
    return ResponseSearch(code or None, system, authored)


def _authored(text: str) -> list[tuple[str, datetime]]:
    """A date search value as bounds: a date stands for its whole (UTC) day, a dateTime for itself."""
    found = MOMENT.match(text.strip())
    if not found or (found["prefix"] or "eq") not in ("eq", "gt", "lt", "ge", "le"):
        raise SearchError(f"authored={text[:40]!r} is not [eq|gt|ge|lt|le]YYYY-MM-DD or a dateTime with its zone")
    prefix, value = found["prefix"] or "eq", found["value"]
    try:
        start = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if start.tzinfo is not None:
            start = start.astimezone(UTC)
    except (ValueError, OverflowError):
        raise SearchError(f"authored={text[:40]!r} is not a real date") from None
    if not within_session_years(start):  # the years a session may have
        raise SearchError(f"authored={text[:40]!r}: search within the years {SESSION_YEARS[0]} to {SESSION_YEARS[1]}")
    if start.tzinfo is None:  # a date: its day in UTC
        start = start.replace(tzinfo=UTC)
        end = start + timedelta(days=1)
        return {"eq": [(">=", start), ("<", end)], "ge": [(">=", start)], "gt": [(">=", end)],
                "lt": [("<", start)], "le": [("<", end)]}[prefix]
    return {"eq": [(">=", start), ("<=", start)], "ge": [(">=", start)], "gt": [(">", start)],
            "lt": [("<", start)], "le": [("<=", start)]}[prefix]


def outcome(severity: str, code: str, message: str) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": severity, "code": code, "diagnostics": message}]}


def capability_statement(now: datetime, software_version: str, base_url: str) -> dict[str, Any]:
    security = ("The dashboards' own sign-in: a signed-in clinician's session cookie (password and second factor). "
                "Each clinician sees what the dashboards show them: a therapist their patients, a director the "
                "clinic. Every read of patient data is recorded in the audit trail.")
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": utc(now),
        "publisher": "Alliance Monitor",
        "kind": "instance",
        "software": {"name": "Alliance Monitor", "version": software_version},
        "implementation": {"description": "Post-session alliance questionnaires and outcome measures, read-only",
                           "url": base_url},
        "fhirVersion": "4.0.1",
        "format": [MEDIA_TYPE, "json"],
        "rest": [{
            "mode": "server",
            "security": {"description": security},
            "resource": [
                {"type": "Questionnaire", "interaction": [{"code": "read"}, {"code": "search-type"}],
                 "searchParam": [{"name": "url", "type": "uri"}, {"name": "version", "type": "token"}]},
                {"type": "QuestionnaireResponse", "interaction": [{"code": "search-type"}],
                 "searchParam": [
                     {"name": "subject", "type": "reference",
                      "documentation": "The patient's code, or subject:identifier=system|code"},
                     {"name": "authored", "type": "date"},
                 ]},
            ],
        }],
    }
