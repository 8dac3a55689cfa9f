"""The outcome series of many patients from the database in one query: each patient's outcome answers
(PHQ-9, GAD-7, ...) as `dashboards.outcomes` measures, read by the rules of the instrument version
each was answered with."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select

from dashboards.outcomes import Measure, build_measures
from feedback.extensions import db
from feedback.instruments.model import Instrument
from feedback.instruments.registry import registry
from feedback.models import Invitation, OutcomeResponse, TherapySession

_OUTCOMES = (
    select(TherapySession.patient_id, TherapySession.number, TherapySession.starts_at,
           OutcomeResponse.instrument_id, OutcomeResponse.instrument_version, OutcomeResponse.scores)
    .join(Invitation, Invitation.id == OutcomeResponse.invitation_id)
    .join(TherapySession, TherapySession.id == Invitation.session_id)
    .where(TherapySession.patient_id.in_(bindparam("ids", expanding=True)), Invitation.respondent == "patient")
)

Row = tuple[int, datetime.date, Instrument, Mapping[str, object]]


def load_outcomes(patient_ids: Iterable[int], zones: Mapping[int, str]) -> dict[int, dict[str, Measure]]:
    """Per patient id, their measures by scale id (patients without outcome answers are left out).
    `zones`: each patient's clinic time zone, for the session's day."""
    ids = list(patient_ids)
    if not ids:
        return {}
    instruments: dict[tuple[str, str], Instrument | None] = {}
    rows: dict[int, list[Row]] = defaultdict(list)
    db.session.flush()  # then read as rows on its connection, as the histories are (dashboards/risk/histories.py)
    found = db.session.connection().execute(_OUTCOMES, {"ids": ids})
    for patient_id, number, starts_at, instrument_id, version, scores in found:
        key = (instrument_id, version)
        if key not in instruments:
            instruments[key] = _instrument(*key)
        instrument = instruments[key]
        if instrument is None:
            continue
        day = starts_at.astimezone(ZoneInfo(zones[patient_id])).date()
        rows[patient_id].append((number, day, instrument, scores or {}))
    return {pid: build_measures(found) for pid, found in rows.items()}


def _instrument(instrument_id: str, version: str) -> Instrument | None:
    try:
        return registry().get(instrument_id, version)
    except LookupError:  # an instrument file the clinic has since removed: its answers cannot be read
        return None
