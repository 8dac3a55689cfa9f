"""Replaying a simulated treatment through production's path: stored in the database as the survey
stores it, re-evaluated by the flag store day by day, compared with the harness's in-memory replay."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from dashboards.demo.seeding import store_history
from dashboards.risk.models import PatientRisk, RiskEvent
from dashboards.risk.store import recompute_patients
from dashboards.validity.forms import Forms
from dashboards.validity.replay import Day, replay
from feedback.extensions import db
from feedback.models import Patient


def assert_store_notifies_what_the_replay_notifies(
    patient: Patient, simulated: Any, forms: Forms, outcomes: Mapping[int, Sequence[Any]] | None = None,
) -> list[Day]:
    """Each day's stored risk level and newly notified events equal the replay's; the replay's days."""
    zone = ZoneInfo(patient.clinic.timezone)
    last = max(s.date for s in simulated.history.sessions)
    store_history(patient, simulated.history, {"patient": forms.patient, "therapist": forms.therapist},
                  last_session_on=last, start_time=time(10), zone=zone,
                  now=datetime.combine(last, time(23), zone).astimezone(UTC), outcomes=outcomes)
    db.session.commit()
    days = list(replay(simulated))
    for day in days:
        # The caseload is looked at late on the session's day: later sessions are not known yet.
        now = datetime.combine(day.date, time(23, 30), zone).astimezone(UTC)
        recompute_patients([patient.id], as_of=day.date, now=now)
        stored = db.session.get(PatientRisk, patient.id)
        notified = db.session.execute(
            select(RiskEvent.code, RiskEvent.severity)
            .where(RiskEvent.patient_id == patient.id, RiskEvent.news.is_(True), RiskEvent.first_seen_at == now)
        ).all()
        # (a helper module's asserts are not rewritten by pytest: the message says what differed)
        assert stored.level == day.risk, f"session {day.session}: stored {stored.level}, replay {day.risk}"
        assert sorted(notified) == sorted(day.new), f"session {day.session}: stored {notified}, replay {day.new}"
    return days
