"""The FHIR import use case: every string of the bundle under the input rule first (`hygiene`), then
the bundle read into import rows (an outcome measure's response as an outcome row, as a CSV file has
it) and handed to the CSV import, which checks them against each other and the database and writes
all or nothing (its one commit). So a bundle is stored exactly as a file would be, and re-importing
it changes nothing: responses are matched by patient code, session number and respondent (and an
outcome measure's by its instrument), which QuestionnaireResponse.identifier spells. Afterwards the
changed patients' flags are evaluated over their whole history."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from dashboards.audit import audit
from dashboards.fhir import systems
from dashboards.fhir.hygiene import hostile_strings
from dashboards.fhir.items import read_response
from dashboards.fhir.problems import FhirProblem, Origin, readdressed
from dashboards.fhir.reader import Row, Target, read_bundle
from dashboards.fhir.treatments import check_ends, writer
from dashboards.importer.csvfile import Table
from dashboards.importer.operations import ImportOutcome, import_table
from dashboards.importer.rows import SESSION_COLUMNS
from dashboards.risk.store import recompute_patients
from feedback.config import ConfigError
from feedback.extensions import db
from feedback.i18n import gettext
from feedback.instruments.registry import registry
from feedback.models import Clinic, Patient, User, utcnow
from feedback.phrases import Num, Phrase, phrase
from feedback.translatable import N_

DEFAULT_LIMIT_MB = 20
MB = 1024 * 1024


@dataclass(frozen=True)
class FhirImport:
    #: Every problem found; when there is any, nothing was written.
    problems: list[FhirProblem]
    #: The CSV import's outcome (its plan says what was written); None when the bundle had problems.
    outcome: ImportOutcome | None = None
    planned: int = 0  # planned sessions left out: the import is for sessions that took place
    read_over: int = 0  # Questionnaire, CodeSystem, Observation, Patient, Practitioner entries

    @property
    def written(self) -> bool:
        return self.outcome is not None and self.outcome.written


@dataclass(frozen=True)
class Matching:
    """How the bundle's identifiers meet this clinic: systems whose values are its patient codes,
    and practitioners (system, value) -> account e-mail."""

    accept_systems: tuple[str, ...] = ()
    practitioners: Mapping[tuple[str, str], str] = field(default_factory=dict)


def import_limit(config: Mapping[str, object]) -> int:
    """FHIR_IMPORT_MAX_MB in bytes; a bad setting stops the app at start-up with the reason."""
    raw = config.get("FHIR_IMPORT_MAX_MB") or DEFAULT_LIMIT_MB
    try:
        megabytes = float(str(raw))
    except ValueError:
        megabytes = 0
    if not 0 < megabytes <= 1024:
        raise ConfigError(f"FHIR_IMPORT_MAX_MB must be a number of megabytes from 1 to 1024, not {raw!r}")
    return int(megabytes * MB)


def size_problem(size: int, limit: int) -> Phrase | None:
    if size <= limit:
        return None
    return phrase(N_("the bundle is %(size)s MB; an import takes at most %(limit)s MB (FHIR_IMPORT_MAX_MB): "
                     "export it per patient or per date range and import the parts"), size=Num(size / MB, 1),
                  limit=round(limit / MB))


def parse_practitioners(lines: Iterable[str]) -> tuple[dict[tuple[str, str], str], list[str]]:
    """`system|value=e-mail` lines (blank ones skipped) -> the mapping, and what was wrong with any."""
    found: dict[tuple[str, str], str] = {}
    problems = []
    for line in (line.strip() for line in lines):
        if not line:
            continue
        token, _, email = line.rpartition("=")
        system, bar, value = token.partition("|")
        if not (bar and system.strip() and value.strip() and "@" in email):
            problems.append(gettext("%(line)r is not system|value=e-mail", line=line[:80]))
            continue
        found[(system.strip(), value.strip())] = email.strip().lower()
    return found, problems


def import_bundle(
    data: bytes,
    *,
    clinic_name: str,
    matching: Matching = Matching(),
    create_missing: bool = False,
    timezone: str = "UTC",
    dry_run: bool = False,
    actor: User | None = None,
    now: datetime | None = None,
) -> FhirImport:
    too_big = size_problem(len(data), import_limit(current_app.config))
    if too_big:
        return _refused(too_big)
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except RecursionError:
        return _refused(phrase(N_("the JSON is nested too deeply to be a FHIR Bundle")))
    except (UnicodeDecodeError, ValueError) as exc:
        return _refused(phrase(N_("the file is not JSON text (%(reason)s)"), reason=str(exc)[:120]))
    hostile = hostile_strings(raw)
    if hostile:  # the input rule first, as for a file's cells: nothing of such a bundle is read
        return _audited(FhirImport(hostile), actor, dry_run)
    clinic = db.session.scalar(select(Clinic).where(Clinic.name == clinic_name.strip()))
    reading = read_bundle(raw, _target(clinic, matching), functools.partial(read_response, instruments=registry().get))
    table, origins = _table(reading.rows)
    today = (now or utcnow()).astimezone(clinic.zone if clinic else ZoneInfo("UTC")).date()
    ends, end_problems = check_ends(reading.ends, clinic, {row.cells["patient_code"] for row in reading.rows}, today)
    reading.problems += end_problems
    outcome = import_table(table, clinic_name=clinic_name, create_missing=create_missing, timezone=timezone,
                           dry_run=dry_run or bool(reading.problems), now=now,
                           also_write=writer(clinic_name, ends) if ends else None)
    problems = reading.problems + [readdressed(problem, origins) for problem in outcome.problems]
    problems.sort(key=lambda p: (p.entry is not None, p.entry or 0))
    result = FhirImport(problems, None if problems else outcome, reading.planned, reading.read_over)
    if result.written:
        # The whole history arrived at once: evaluate it as of every session, not just today.
        recompute_patients(outcome.affected_patient_ids, full_history=True)
    return _audited(result, actor, dry_run)


def _audited(result: FhirImport, actor: User | None, dry_run: bool) -> FhirImport:
    if actor is not None:  # the web page; a command's run is recorded by dashboards/audit/commands.py
        audit("import_fhir", actor=actor, detail=_detail(result, dry_run))
        db.session.commit()
    return result


def _refused(message: Phrase) -> FhirImport:
    return FhirImport([FhirProblem(None, None, "Bundle", message)])


def _target(clinic: Clinic | None, matching: Matching) -> Target:
    if clinic is None:
        return Target(frozenset(matching.accept_systems), None, dict(matching.practitioners))
    own = systems.ClinicSystems.of(systems.installation(current_app.config), clinic.id)
    practitioners = dict(matching.practitioners)
    for user_id, email in db.session.execute(select(User.id, User.email).where(User.clinic_id == clinic.id)):
        practitioners[(own.practitioner, str(user_id))] = email
    therapists = select(Patient.code, User.email).join(User, User.id == Patient.therapist_id)
    therapist_of = {code: email for code, email in db.session.execute(therapists.where(Patient.clinic_id == clinic.id))}
    return Target(frozenset({own.patient, *matching.accept_systems}), own.patient, practitioners, therapist_of)


def _table(rows: Sequence[Row]) -> tuple[Table, dict[int, Origin]]:
    """The rows as the CSV importer's table: the session columns, then every item answered."""
    items = dict.fromkeys(column for row in rows for column in row.cells if column not in SESSION_COLUMNS)
    header = [*SESSION_COLUMNS, *items]
    numbered = list(enumerate(rows, start=2))  # row 1 is the header, as in a spreadsheet
    table = Table(header, [(number, [row.cells.get(column, "") for column in header]) for number, row in numbered])
    return table, {number: row.origin for number, row in numbered}


def _detail(result: FhirImport, dry_run: bool) -> str:
    if result.problems:
        return f"FHIR bundle refused: {len(result.problems)} problems, nothing written"
    plan = result.outcome.plan if result.outcome else None
    counts = f"{plan.rows} rows, {plan.responses} responses" if plan else ""
    return f"FHIR bundle {'checked (dry run)' if dry_run else 'imported'}: {counts}"
