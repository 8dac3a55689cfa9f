"""The worker e-mails a new safety alert within one cycle, to the therapist and the on-call
addresses, through a real SMTP server on loopback; with no clinical content; exactly once, even
with two workers at once."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import select, update

from dashboards.audit import AuditEvent
from dashboards.safety import notify
from dashboards.safety.claims import claim as real_claim
from dashboards.safety.message import WAITING_SUBJECT
from dashboards.safety.operations import acknowledge
from feedback import mail
from feedback.delivery.worker import JOBS
from feedback.extensions import db
from feedback.models import SafetyAlert
from tests import smtp_sink
from tests.safety.builders import alerts_of, answer_phq9
from tests.safety.conftest import BASE, ON_CALL
from tests.threads import run_at_once


def audit_rows(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_the_job_runs_within_one_worker_cycle(app):
    spec, job = app.extensions["worker_jobs"]["safety_alerts"]
    assert job is notify.run_cycle and float(app.config[spec.config_key]) <= 60
    assert spec.id not in {j.id for j in JOBS}  # its own job: the digest or SMS never stand in for it


def test_the_therapist_and_on_call_get_one_email_with_only_a_link(clinics, sink):
    [alert] = answer_phq9(clinics.patient, 2)
    cycle = notify.run_cycle()
    assert cycle.notified == [alert.id] and cycle.failed == []
    [received] = sink.received
    assert sorted(received.recipients) == sorted(["alex@north.example", ON_CALL])
    email = received.message
    body = email.get_content().replace("\r\n", "\n")  # as it came over the wire
    assert email["Subject"] == WAITING_SUBJECT and email["Auto-Submitted"] == "auto-generated"
    assert f"\n{BASE}/\n" in body and "safety alert is waiting" in body
    # No patient code, no question, no answer, no instrument, no number at all.
    assert not re.search(r"\d", body.replace(BASE, "")) and not re.search(r"\d", email["Subject"])
    assert "P-1" not in body and not re.search(r"phq|better off dead|several days|hurting", body, re.I)
    assert alerts_of(clinics.patient)[0].notified_at is not None


def test_each_alert_is_emailed_once_across_cycles(clinics, sink):
    answer_phq9(clinics.patient, 1)
    notify.run_cycle()
    assert notify.run_cycle().notified == []
    assert len(sink.received) == 1
    answer_phq9(clinics.patient, 3)  # a later alert is news again
    notify.run_cycle()
    assert len(sink.received) == 2


def test_notifying_is_audited_without_addresses(clinics, sink):
    [alert] = answer_phq9(clinics.patient, 1)
    notify.run_cycle()
    [row] = audit_rows("safety_alert_notified")
    assert (row.patient_id, row.user_id, row.clinic_id) == (clinics.patient.id, None, clinics.north.id)
    assert row.detail == f"safety alert {alert.id}, e-mailed 2 address(es)" and "@" not in row.detail


def test_an_email_that_cannot_be_sent_is_tried_again_next_cycle(app, clinics):
    with smtp_sink.serve() as closed:
        port = closed.port  # a port nobody listens on once the server is gone
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_FROM="monitor@clinic.example.org",
                      SMTP_STARTTLS="0", SMTP_TIMEOUT_SECONDS=2)
    [alert] = answer_phq9(clinics.patient, 1)
    cycle = notify.run_cycle()
    assert cycle.failed == [alert.id] and alerts_of(clinics.patient)[0].notified_at is None
    assert audit_rows("safety_alert_notified") == []
    with smtp_sink.serve() as sink:
        app.config.update(SMTP_PORT=sink.port)
        assert notify.run_cycle().notified == [alert.id]
    assert len(sink.received) == 1


def test_without_an_active_therapist_or_on_call_address_the_directors_are_told(clinics):
    clinics.alex.active = False
    clinics.north.on_call_emails = []
    db.session.commit()
    answer_phq9(clinics.patient, 1)
    outbox = mail.ConsoleMailer()
    notify.run_cycle(mailer=outbox)
    assert [m["To"] for m in outbox.sent] == ["dana@north.example"]


def test_two_workers_at_once_send_one_email(app, clinics, sink, monkeypatch):
    """Both workers read the same new alert before either claims it: the guarded UPDATE gives it to one."""
    [alert] = answer_phq9(clinics.patient, 1)
    barrier = threading.Barrier(2, timeout=30)

    def claim_together(step, ids, now, *still):
        ids = list(ids)
        if step is notify.SafetyAlert.notified_at:
            barrier.wait()
        return real_claim(step, ids, now, *still)

    monkeypatch.setattr(notify, "claim", claim_together)
    cycles = run_at_once(app, notify.run_cycle)
    assert sorted(c.notified for c in cycles) == [[], [alert.id]]
    assert len(sink.received) == 1 and len(audit_rows("safety_alert_notified")) == 1


def test_without_a_mailer_the_alert_is_left_unclaimed_and_the_cycle_fails_loudly(app, clinics):
    app.config.update(APP_ENV="production", SMTP_HOST="")
    assert notify.run_cycle() == notify.Cycle()  # nothing waits: nothing to complain about
    answer_phq9(clinics.patient, 1)
    with pytest.raises(mail.MailConfigError):
        notify.run_cycle()
    assert alerts_of(clinics.patient)[0].notified_at is None  # taken by the first cycle that can send it


def test_an_alert_acknowledged_before_the_cycle_is_not_emailed(clinics, sink):
    """Acknowledged before the worker's cycle (or during a worker outage): nobody is told it waits."""
    [alert] = answer_phq9(clinics.patient, 2)
    acknowledge(alert, clinics.patient, clinics.alex, "contacted", "")
    cycle = notify.run_cycle()
    assert (cycle.notified, cycle.failed) == ([], [])
    assert sink.received == [] and audit_rows("safety_alert_notified") == []
    assert alerts_of(clinics.patient)[0].notified_at is None
    later = answer_phq9(clinics.patient, 1)  # a new, unacknowledged alert is still e-mailed
    assert notify.run_cycle().notified == [a.id for a in later] and len(sink.received) == 1


def test_an_alert_acknowledged_between_reading_and_claiming_is_not_emailed(app, clinics, sink, monkeypatch):
    """The claim re-checks the acknowledgement: read as waiting, acknowledged before the UPDATE."""
    [alert] = answer_phq9(clinics.patient, 2)

    def acknowledged_first(step, ids, now, *still):
        ids = list(ids)
        if step is notify.SafetyAlert.notified_at:
            with app.app_context():  # another request, its own session
                db.session.execute(update(SafetyAlert).where(SafetyAlert.id == alert.id)
                                   .values(acknowledged_at=now, acknowledged_by_id=clinics.alex.id, action="contacted"))
                db.session.commit()
        return real_claim(step, ids, now, *still)

    monkeypatch.setattr(notify, "claim", acknowledged_first)
    cycle = notify.run_cycle()
    assert (cycle.notified, cycle.failed) == ([], [])
    assert sink.received == [] and audit_rows("safety_alert_notified") == []
