"""The harness replays what production does: simulated treatments stored in the database and
re-evaluated by the flag store day by day give the same risk levels and the same notified
events as the harness's in-memory replay."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from dashboards.demo.seeding import store_history
from dashboards.risk.models import PatientRisk, RiskEvent
from dashboards.risk.store import recompute_patients
from dashboards.validity.forms import builtin_forms
from dashboards.validity.replay import replay
from dashboards.validity.simulate import GROUPS, generate_patient
from feedback.extensions import db

FORMS = builtin_forms()


@pytest.mark.parametrize("group", GROUPS)
def test_the_store_notifies_what_the_replay_notifies(app, make_patient, group):
    simulated = generate_patient(group, index=3, seed=7, forms_=FORMS)
    patient = make_patient()
    zone = ZoneInfo(patient.clinic.timezone)
    last = max(s.date for s in simulated.history.sessions)
    store_history(patient, simulated.history, {"patient": FORMS.patient, "therapist": FORMS.therapist},
                  last_session_on=last, start_time=time(10), zone=zone,
                  now=datetime.combine(last, time(23), zone).astimezone(UTC))
    db.session.commit()

    for day in replay(simulated):
        # The caseload is looked at late on the session's day: later sessions are not known yet.
        now = datetime.combine(day.date, time(23, 30), zone).astimezone(UTC)
        recompute_patients([patient.id], as_of=day.date, now=now)
        stored = db.session.get(PatientRisk, patient.id)
        notified = db.session.execute(
            select(RiskEvent.code, RiskEvent.severity)
            .where(RiskEvent.patient_id == patient.id, RiskEvent.news.is_(True), RiskEvent.first_seen_at == now)
        ).all()
        assert (day.session, stored.level) == (day.session, day.risk)
        assert (day.session, sorted(notified)) == (day.session, sorted(day.new))
