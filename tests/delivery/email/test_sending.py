"""Invitations by e-mail: the same outbox, rules and quiet hours as SMS, through a real SMTP server
on loopback (tests/smtp_sink.py) that records what it receives. Unsubscribing and bounces:
test_unsubscribe_and_bounces.py."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from flask_babel import force_locale

from feedback.delivery import staff
from feedback.delivery.dispatcher import Dispatcher
from feedback.delivery.emails import compose
from feedback.delivery.messages import DEFAULT_SENDER_NAME
from feedback.delivery.optout import record_opt_out
from feedback.delivery.planner import cancel_stale, fresh_link_timing, plan_reminders, send_fresh_link
from feedback.delivery.settings import delivery
from feedback.delivery.unsubscribe import unsubscribe_token
from tests.delivery.conftest import DUE, PUBLIC_BASE_URL, SESSION_START, link_of, local, patient_invitation, rows
from tests.delivery.email.conftest import bounce
from tests.threads import run_at_once


def received_links(sink) -> list[str]:
    return [re.search(r"https://\S+/s/\S+", m.message.get_body(("plain",)).get_content())[0] for m in sink.received]


# -- timing: the SMS rules ---------------------------------------------------------------------


def test_an_invitation_goes_by_email_when_an_sms_would_with_unsubscribe_headers(planned_email, clock, dispatcher, sink):
    [row] = rows()
    assert (row.channel, row.kind, row.due_at) == ("email", "invitation", DUE)
    clock(DUE - timedelta(minutes=1))
    dispatcher.run()
    assert sink.received == []
    clock(DUE)
    assert dispatcher.run().sent == 1
    [got] = sink.received
    message = got.message
    assert got.recipients == ["patient1@mail.example.net"]
    assert message["From"] == "Northside <links@clinic.example.org>"
    unsubscribe = f"{PUBLIC_BASE_URL}/u/{unsubscribe_token(planned_email.session.patient.id, 'email')}"
    assert message["List-Unsubscribe"].strip() == f"<{unsubscribe}>"  # the header may be folded
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    plain, html = message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()
    link = link_of(patient_invitation(planned_email))
    assert link in plain and f'href="{link}"' in html and unsubscribe in plain and unsubscribe in html
    assert '<html lang="en" dir="ltr">' in html
    [sent] = rows()
    assert sent.status == "sent" and message["Message-ID"] == f"<{sent.provider_id}@clinic.example.org>"
    assert dispatcher.run().total == 0 and len(sink.received) == 1  # never twice


def test_quiet_hours_hold_an_email_until_the_morning(clock, make_email_patient, make_session, dispatcher, sink):
    clock(local(2026, 1, 14, 21, 0))
    make_session(make_email_patient(), starts_at=local(2026, 1, 14, 20, 0))  # would be due 21:20
    [row] = rows()
    assert row.due_at == local(2026, 1, 15, 8, 0)
    clock(local(2026, 1, 14, 23, 0))
    dispatcher.run()
    assert sink.received == []
    clock(local(2026, 1, 15, 8, 0))
    assert dispatcher.run().sent == 1


def test_a_reminder_goes_by_email_and_an_expired_link_sends_nothing_more(planned_email, clock, dispatcher, sink):
    dispatcher.run()
    policy = delivery().settings.policy
    clock(DUE + timedelta(hours=policy.reminder_after_hours))
    assert plan_reminders() == 1
    [_, reminder] = rows()
    assert (reminder.channel, reminder.kind) == ("email", "reminder")
    dispatcher.run()
    assert [m.message["Subject"] for m in sink.received] == [
        "A 1-minute questionnaire for you", "Reminder: your questionnaire is open"]
    assert len(set(received_links(sink))) == 1
    assert fresh_link_timing(patient_invitation(planned_email)).channel == "email"  # the therapist's page says so
    # A fresh link after expiry goes by e-mail too; once its link expires, whatever is queued is cancelled.
    clock(patient_invitation(planned_email).expires_at + timedelta(hours=1))
    fresh = send_fresh_link(patient_invitation(planned_email))
    assert fresh.message is not None and fresh.message.channel == "email"
    clock(fresh.message.due_at + timedelta(hours=policy.expires_after_hours + 1))
    assert cancel_stale() == 1
    dispatcher.run()
    assert len(sink.received) == 2


def test_two_dispatchers_racing_send_each_email_once(app, clock, make_email_patient, make_session, sink):
    clock(local(2026, 1, 14, 15, 0))
    for _ in range(12):
        make_session(make_email_patient(), starts_at=SESSION_START)
    clock(DUE)
    found = delivery()
    run_at_once(app, lambda: Dispatcher(found.sender, found.cipher).run())
    assert len(sink.received) == 12
    assert len({m.recipients[0] for m in sink.received}) == 12
    assert {row.status for row in rows()} == {"sent"}


def test_a_spanish_patient_gets_a_spanish_email(planned_email, make_email_patient, make_session, clock, dispatcher,
                                                 sink):
    clock(local(2026, 1, 14, 15, 0))
    make_session(make_email_patient(language="es"), starts_at=SESSION_START)
    clock(DUE)
    dispatcher.run()
    spanish = next(m.message for m in sink.received if m.recipients == ["patient2@mail.example.net"])
    assert spanish["Subject"] == "Un cuestionario de 1 minuto para usted"
    html = spanish.get_body(("html",)).get_content()
    assert '<html lang="es" dir="ltr">' in html and "Abrir el cuestionario" in html
    assert "darse de baja" in spanish.get_body(("plain",)).get_content()


def test_the_default_sender_name_is_said_in_the_patients_language(app):
    with app.app_context(), force_locale("es"):
        message = compose("invitation", "p@mail.example.net", "https://x/s/t", "https://x/u/t", DEFAULT_SENDER_NAME, "es")
    assert message["From"].startswith("Su clínica <")
    assert "Su clínica" in message.get_body(("plain",)).get_content() and "Your clinic" not in message.as_string()


def test_an_sms_stop_leaves_the_emails_be_and_an_unsubscribe_the_sms(planned_email, client, make_patient, make_session,
                                                                    clock):
    record_opt_out([planned_email.session.patient.id])  # STOP by SMS: a patient's e-mails are another consent
    assert [r.status for r in rows()] == ["pending"]
    clock(local(2026, 1, 14, 15, 0))
    both = make_patient(phone="+447400000001", sms_consent=True, email="both@mail.example.net", email_consent=True)
    make_session(both, starts_at=SESSION_START)  # prefers SMS: its invitation goes by SMS
    client.post(f"/u/{unsubscribe_token(both.id, 'email')}")
    assert [(r.channel, r.status) for r in rows(patient_id=both.id)] == [("sms", "pending")]


def test_logs_name_the_patient_code_never_the_address_or_the_link(planned_email, client, dispatcher, sink, caplog):
    with caplog.at_level(logging.DEBUG):
        dispatcher.run()
        bounce(client, sink.received[0].message["Message-ID"])
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert planned_email.session.patient.code in logged
    assert "mail.example.net" not in logged and link_of(patient_invitation(planned_email)) not in logged


# -- what the SMTP server answers ---------------------------------------------------------------


def test_an_address_the_server_refuses_fails_and_the_therapist_sees_it(planned_email, dispatcher, sink):
    sink.refuse.add("patient1@mail.example.net")
    assert dispatcher.run().failed == 1
    [problem] = staff.needs_attention(planned_email.session.patient.clinic_id)
    assert (problem.status, problem.error_code) == ("failed", 550)


def test_a_server_that_is_down_is_retried_later(planned_email, app, dispatcher, sink):
    app.config["SMTP_PORT"] = 9  # nothing listens there
    assert dispatcher.run().retried == 1
    assert rows()[0].status == "pending"


def test_a_connection_lost_after_the_message_is_uncertain_and_never_resent(planned_email, clock, dispatcher, sink):
    sink.hang_up_after_data = True
    assert dispatcher.run().uncertain == 1
    clock(DUE + timedelta(hours=1))
    dispatcher.run()
    assert len(sink.received) == 1 and rows()[0].status == "uncertain"
    assert [p.status for p in staff.needs_attention(planned_email.session.patient.clinic_id)] == ["uncertain"]
