"""Unacknowledged after the clinic's escalation time, counted in clinic hours, a safety alert goes to
the directors, once. The clock is frozen and moved (time_machine)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from app import create_app
from dashboards.audit import AuditEvent
from dashboards.safety import clinic_hours, notify
from dashboards.safety.message import ESCALATED_SUBJECT
from dashboards.safety.operations import acknowledge
from feedback import mail
from feedback.config import ConfigError
from feedback.extensions import db
from tests.safety.builders import alerts_of, answer_phq9

LONDON = ZoneInfo("Europe/London")
FRIDAY_5PM = "2026-03-06 17:00:00Z"  # London is on GMT: one clinic hour left that day


def cycle_at(moment: str) -> tuple[notify.Cycle, mail.ConsoleMailer]:
    outbox = mail.ConsoleMailer()
    with time_machine.travel(moment, tick=False):
        return notify.run_cycle(mailer=outbox), outbox


def test_after_four_clinic_hours_the_directors_are_told_once(clinics):
    with time_machine.travel(FRIDAY_5PM, tick=False):
        [alert] = answer_phq9(clinics.patient, 1)
    first, outbox = cycle_at("2026-03-06 17:00:30Z")
    assert first.notified == [alert.id] and first.escalated == []
    # Friday evening, the weekend and Monday morning before 11:00 are not four clinic hours.
    for moment in ("2026-03-06 21:00:00Z", "2026-03-07 12:00:00Z", "2026-03-08 23:00:00Z", "2026-03-09 10:59:00Z"):
        assert cycle_at(moment)[0].escalated == [], moment
    due, outbox = cycle_at("2026-03-09 11:00:00Z")  # 1 hour on Friday + 3 from Monday's 08:00
    assert due.escalated == [alert.id]
    [email] = outbox.sent
    assert email["To"] == "dana@north.example" and email["Subject"] == ESCALATED_SUBJECT
    assert "4 clinic hours" in email.get_content() and "P-1" not in email.get_content()
    assert cycle_at("2026-03-09 15:00:00Z")[0].escalated == []
    assert alerts_of(clinics.patient)[0].escalated_at == datetime(2026, 3, 9, 11, tzinfo=UTC)
    [row] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "safety_alert_escalated")).all()
    assert row.patient_id == clinics.patient.id and row.detail == f"safety alert {alert.id}, e-mailed 1 address(es)"


def test_the_clinics_own_escalation_time_counts(clinics):
    clinics.north.safety_escalate_hours = 1
    db.session.commit()
    with time_machine.travel("2026-03-09 09:00:00Z", tick=False):  # Monday, open
        [alert] = answer_phq9(clinics.patient, 2)
    assert cycle_at("2026-03-09 09:59:00Z")[0].escalated == []
    assert cycle_at("2026-03-09 10:00:00Z")[0].escalated == [alert.id]


def test_an_acknowledged_alert_is_never_escalated(clinics):
    with time_machine.travel(FRIDAY_5PM, tick=False):
        [alert] = answer_phq9(clinics.patient, 1)
    cycle_at("2026-03-06 17:00:30Z")
    with time_machine.travel("2026-03-09 09:00:00Z", tick=False):
        acknowledge(alert, clinics.patient, clinics.alex, "contacted", "")
    cycle, outbox = cycle_at("2026-03-10 12:00:00Z")
    assert cycle.escalated == [] and outbox.sent == []


def test_without_a_director_the_on_call_addresses_are_told(clinics):
    clinics.director.active = False
    db.session.commit()
    with time_machine.travel(FRIDAY_5PM, tick=False):
        answer_phq9(clinics.patient, 1)
    cycle_at("2026-03-06 17:00:30Z")
    assert [m["To"] for m in cycle_at("2026-03-09 11:00:00Z")[1].sent] == ["oncall@north.example"]


def test_clinic_hours_follow_summer_time():
    hours = clinic_hours.parse(clinic_hours.DEFAULT)
    # Friday 27 March 2026 17:00 GMT; the clocks go forward on Sunday; Monday opens at 07:00 UTC.
    start = datetime(2026, 3, 27, 17, tzinfo=UTC)
    assert clinic_hours.deadline(start, 4, LONDON, hours) == datetime(2026, 3, 30, 10, tzinfo=UTC)
    # Raised at night: the clock starts at the opening.
    assert clinic_hours.deadline(datetime(2026, 3, 31, 2, tzinfo=UTC), 4, LONDON, hours) == datetime(2026, 3, 31, 11,
                                                                                                      tzinfo=UTC)


def test_clinic_hours_are_a_setting_read_strictly():
    hours = clinic_hours.parse("Sun-Thu 07:30-16:00")
    assert hours.days == {6, 0, 1, 2, 3} and (hours.opens.hour, hours.opens.minute) == (7, 30)
    for wrong in ("weekdays", "Mon-Fri 18:00-08:00", "Mon-Fry 08:00-18:00", "Mon-Fri 25:00-26:00", ""):
        with pytest.raises(ValueError):
            clinic_hours.parse(wrong)


def test_a_wrong_clinic_hours_setting_stops_the_app_at_start_up():
    with pytest.raises(ConfigError, match="SAFETY_CLINIC_HOURS"):
        create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://", "SAFETY_CLINIC_HOURS": "9 to 5"})
