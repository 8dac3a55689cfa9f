"""Changing a battery: the clinic's or one patient's. Checked by the battery's own rules, audited
with what it now asks, committed here. A change applies to forms opened from then on; answers
already given are never touched."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dashboards.audit import audit
from feedback.battery.due import outcome_measures
from feedback.battery.rules import Entry, parse_battery
from feedback.extensions import db
from feedback.models import Clinic, Patient, User


def set_clinic_battery(clinic: Clinic, raw: Sequence[dict[str, Any]], actor: User) -> list[Entry]:
    """BatteryError (with every problem) when the battery is not valid; nothing is changed then."""
    entries = parse_battery(list(raw), outcome_measures())
    clinic.outcome_battery = [entry.as_json() for entry in entries]
    audit("set_clinic_battery", actor=actor, clinic_id=clinic.id, detail=describe(entries))
    db.session.commit()
    return entries


def set_patient_battery(patient: Patient, raw: Sequence[dict[str, Any]] | None, actor: User) -> list[Entry] | None:
    """`raw` None: the patient follows the clinic's battery again; [] asks this patient for none."""
    entries = None if raw is None else parse_battery(list(raw), outcome_measures())
    patient.outcome_battery = None if entries is None else [entry.as_json() for entry in entries]
    audit("set_patient_battery", patient=patient, actor=actor,
          detail="the clinic's battery" if entries is None else "own: " + describe(entries))
    db.session.commit()
    return entries


def describe(entries: Sequence[Entry]) -> str:
    """The battery in a line, for the audit trail and the pages: ids and schedules, no answers."""
    return "; ".join(f"{e.instrument} {e.describe()}" for e in entries) or "no outcome measures"
