"""The import use case: check the whole file, then write all of it or nothing. The one commit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dashboards.importer.consistency import check_consistency
from dashboards.importer.csvfile import Table
from dashboards.importer.existing import load_existing
from dashboards.importer.plan import Plan, plan_import
from dashboards.importer.problems import Problem, sorted_problems
from dashboards.importer.rows import parse_rows
from dashboards.importer.writer import write_plan
from feedback.extensions import db
from feedback.instruments.registry import registry
from feedback.links import link_validity
from feedback.models import Clinic, utcnow
from feedback.phrases import phrase
from feedback.translatable import N_


@dataclass(frozen=True)
class ImportOutcome:
    #: Every problem found; when there is any, nothing was written.
    problems: list[Problem]
    #: What was written (or, in a dry run, would be); None when there are problems.
    plan: Plan | None = None
    written: bool = False
    #: Patients whose history changed: their risk flags need recomputing.
    affected_patient_ids: frozenset[int] = field(default_factory=frozenset)


def import_table(
    table: Table,
    *,
    clinic_name: str,
    create_missing: bool = False,
    timezone: str = "UTC",
    dry_run: bool = False,
    now: datetime | None = None,
    also_write: Callable[[], set[int]] | None = None,
) -> ImportOutcome:
    """Validate everything before writing anything; on any problem the transaction is rolled back.

    `also_write` adds what another format carries beyond the file's columns to the same transaction
    (the FHIR import's treatment ends), after the plan is written; it returns the patients it changed."""
    clinic_name = clinic_name.strip()
    clinic = db.session.scalar(select(Clinic).where(Clinic.name == clinic_name))
    problems = [] if clinic else _new_clinic_problems(clinic_name, timezone)
    zone = clinic.zone if clinic else _zone(timezone) or ZoneInfo("UTC")
    today = (now or utcnow()).astimezone(zone).date()

    rows, found = parse_rows(table, registry().get, today=today)
    problems += found + check_consistency(rows)
    existing = load_existing(clinic, {row.therapist_email for row in rows})
    plan, conflicts = plan_import(rows, existing, clinic_name=clinic_name, create_missing=create_missing)
    problems += conflicts
    if problems or dry_run:
        db.session.rollback()
        return ImportOutcome(sorted_problems(problems), None if problems else plan)

    try:
        patient_ids = write_plan(plan, existing, timezone=timezone, valid_for=link_validity())
        if also_write is not None:
            patient_ids |= also_write()
        db.session.commit()
    except IntegrityError:
        # Someone changed the same records between our checks and the write.
        db.session.rollback()
        message = N_("the database changed while the file was being imported; nothing was written, run it again")
        return ImportOutcome([Problem(None, "database", phrase(message))])
    return ImportOutcome([], plan, written=True, affected_patient_ids=frozenset(patient_ids))


def _new_clinic_problems(name: str, timezone: str) -> list[Problem]:
    # The same rules as dashboards.setup.operations.add_clinic, which commits and so cannot be part of this transaction.
    problems = []
    if not 2 <= len(name) <= 200:
        problems.append(Problem(None, "--clinic", phrase(N_("clinic name must be 2 to 200 characters"))))
    if _zone(timezone) is None:
        message = phrase(N_("unknown time zone %(zone)s (use an IANA name such as Europe/Berlin)"), zone=repr(timezone))
        problems.append(Problem(None, "--timezone", message))
    return problems


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
