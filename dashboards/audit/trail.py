"""Reading a clinic's audit trail: the filters a director or admin may apply, and its CSV export.

Filters come from the query string, so each is checked here against what the clinic has (its
accounts, its patients, the kinds of event in its trail): a bad one is a message for a 422, never
a query with a value the database would refuse, and never a way to name another clinic's account.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from dashboards.access.policy import visible_audit_events
from dashboards.audit.models import AuditEvent
from dashboards.csv_cells import safe_text
from feedback.extensions import db
from feedback.i18n import gettext as _
from feedback.models import Patient, User

#: The `person` value for events nobody signed in did: commands, sign-in attempts for unknown e-mails, SMS.
NOBODY = "none"
#: Longer query values are refused before anything is looked up (a code is at most 32 characters).
VALUE_MAX = 64
COLUMNS = ("When (UTC)", "Who", "Action", "Patient", "Account", "Detail", "Address")


@dataclass(frozen=True)
class TrailFilter:
    person: str = ""  # a user id of the clinic, NOBODY, or "" for anyone
    action: str = ""
    patient: Patient | None = None

    def url_args(self) -> dict[str, str]:
        """The filter as query arguments (the empty ones left out), for links that keep it."""
        args = {"person": self.person, "action": self.action, "patient": self.patient.code if self.patient else ""}
        return {key: value for key, value in args.items() if value}

    def describe(self) -> str:
        """For the export's own audit row: what was asked for, by id and code only."""
        return ", ".join(f"{key} {value}" for key, value in self.url_args().items()) or "everything"


@dataclass(frozen=True)
class Choices:
    """What a reader of this clinic's trail may filter by."""

    people: list[User] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)


def choices(reader: User) -> Choices:
    """The clinic's people, and the kinds of event this reader may see (an admin is not offered
    the clinical ones, which would say that some patient gave a risk answer)."""
    people = db.session.scalars(select(User).where(User.clinic_id == reader.clinic_id).order_by(User.email)).all()
    visible = visible_audit_events(reader).subquery()
    actions = db.session.scalars(select(visible.c.action).distinct().order_by(visible.c.action)).all()
    return Choices(list(people), list(actions))


def read_filter(args: Mapping[str, str], clinic_id: int, offered: Choices) -> tuple[TrailFilter, list[str]]:
    """The filter asked for, and what was wrong with it (nothing: an empty list)."""
    person, action, code = (args.get(key, "").strip() for key in ("person", "action", "patient"))
    problems = []
    if any(len(value) > VALUE_MAX or not value.isprintable() for value in (person, action, code)):
        return TrailFilter(), [_("A filter value is too long or holds characters that cannot be typed.")]
    if person and person != NOBODY and person not in {str(user.id) for user in offered.people}:
        problems.append(_("There is no such person in this clinic."))
    if action and action not in offered.actions:
        problems.append(_("Nothing of the kind “%(action)s” is recorded in this clinic.", action=action))
    patient = None
    if code:
        patient = db.session.scalar(select(Patient).where(Patient.clinic_id == clinic_id, Patient.code == code))
        if patient is None:
            problems.append(_("There is no patient “%(code)s” in this clinic.", code=code))
    return TrailFilter(person, action, patient), problems


def events(reader: Any, trail_filter: TrailFilter) -> Select[tuple[AuditEvent]]:
    """The reader's clinic's events that match, newest first, with the people and patient they name."""
    query = visible_audit_events(reader)
    if trail_filter.person == NOBODY:
        query = query.where(AuditEvent.user_id.is_(None))
    elif trail_filter.person:
        query = query.where(AuditEvent.user_id == int(trail_filter.person))
    if trail_filter.action:
        query = query.where(AuditEvent.action == trail_filter.action)
    if trail_filter.patient is not None:
        query = query.where(AuditEvent.patient_id == trail_filter.patient.id)
    return query.order_by(AuditEvent.id.desc()).options(
        selectinload(AuditEvent.user), selectinload(AuditEvent.subject_user), selectinload(AuditEvent.patient)
    )


def to_csv(rows: Iterable[AuditEvent]) -> str:
    """The events as CSV; every text cell is safe from spreadsheet formulas (details hold typed text)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for event in rows:
        cells = (
            event.at.isoformat(timespec="seconds"),
            event.user.email if event.user else "",
            event.action,
            event.patient.code if event.patient else "",
            event.subject_user.email if event.subject_user else "",
            event.detail,
            event.ip or "",
        )
        writer.writerow([safe_text(cell) for cell in cells])
    return buffer.getvalue()
