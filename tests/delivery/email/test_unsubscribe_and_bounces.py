"""Out of e-mail and back: the one-click unsubscribe link (RFC 8058) and its undo, and the bounce
webhook, with e-mail sent through a real SMTP server on loopback (tests/smtp_sink.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from feedback.delivery import claims, staff
from feedback.delivery import dispatcher as dispatcher_module
from feedback.delivery.dispatcher import Outcomes
from feedback.delivery.rules import Go
from feedback.delivery.unsubscribe import unsubscribe_token
from feedback.extensions import db
from feedback.models import Patient
from tests.conftest import csrf_token_from
from tests.delivery.conftest import DUE, SESSION_START, patient_invitation, rows
from tests.delivery.email.conftest import SECRET, audit_rows, bounce, undo_token_from

# -- one-click unsubscribe -----------------------------------------------------------------------


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_the_get_only_asks_and_the_post_unsubscribes_without_a_session_or_csrf(planned_email, client, csrf_on, sink):
    patient_id = planned_email.session.patient.id
    path = f"/u/{unsubscribe_token(patient_id, 'email')}"
    page = client.get(path)
    assert page.status_code == 200 and "Unsubscribe" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Patient, patient_id).email_opted_out_at is None  # a mail scanner's GET changes nothing
    answer = client.post(path, data={"List-Unsubscribe": "One-Click"})  # RFC 8058: no cookie, no token
    assert answer.status_code == 200 and "You are unsubscribed" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Patient, patient_id).email_opted_out_at is not None
    assert [(r.status, r.last_error) for r in rows()] == [("cancelled", "patient unsubscribed from e-mail")]
    assert client.post(path).status_code == 200
    [event] = audit_rows("email_unsubscribe")
    assert event.patient_id == patient_id and "@" not in event.detail


def test_an_unsubscribe_that_lands_between_the_checks_and_the_send_still_wins(planned_email, client, dispatcher,
                                                                              sink, monkeypatch):
    """The SMS STOP's race (tests/delivery/test_dispatcher_races.py), by e-mail: the send's own
    guarded move to 'sending' sees the unsubscribe committed after the rules said go."""
    [row] = rows()
    claims.claim_due(dispatcher.worker, now=DUE, ttl=timedelta(minutes=2), limit=10)
    path = f"/u/{unsubscribe_token(planned_email.session.patient.id, 'email')}"

    def checks_pass_then_the_patient_unsubscribes(**facts):
        assert client.post(path).status_code == 200  # the one-click POST commits right now
        return Go()

    monkeypatch.setattr(dispatcher_module, "send_verdict", checks_pass_then_the_patient_unsubscribes)
    outcomes = Outcomes()
    dispatcher._deliver(row.id, outcomes)

    assert outcomes.skipped == 1 and sink.received == []
    assert rows()[0].status == "cancelled"


@pytest.mark.parametrize("token", ["e1_" + "A" * 32, "x1_abc", "e1"])
def test_a_forged_or_broken_unsubscribe_link_is_not_found(planned_email, client, token):
    assert client.get(f"/u/{token}").status_code == 404
    assert client.post(f"/u/{token}").status_code == 404
    spanish = client.get(f"/u/{token}", headers={"Accept-Language": "es-ES,es;q=0.9"})  # nobody known: the browser's
    assert '<html lang="es"' in spanish.text and "Página no encontrada" in spanish.text


def test_after_unsubscribing_the_therapist_sees_why_and_hands_the_link_over(planned_email, client):
    patient = planned_email.session.patient
    client.post(f"/u/{unsubscribe_token(patient.id, 'email')}")
    db.session.expire_all()
    assert staff.invitation_delivery(patient_invitation(planned_email)).reason == "patient unsubscribed from e-mail"


def undo_form(page: str) -> dict[str, str]:
    """The fields of the unsubscribe page's "Get the e-mails again" form."""
    return {"csrf_token": csrf_token_from(page), "undo": undo_token_from(page)}


def test_unsubscribed_by_mistake_the_patient_gets_the_emails_again(planned_email, client, csrf_on, clock,
                                                                    make_session, dispatcher, sink):
    patient = planned_email.session.patient
    path = f"/u/{unsubscribe_token(patient.id, 'email')}"
    stopped = client.post(path).get_data(as_text=True)
    assert "Get the e-mails again" in stopped
    assert client.post(f"{path}/resume", data={"undo": undo_form(stopped)["undo"]}).status_code == 400  # no CSRF
    page = client.post(f"{path}/resume", data=undo_form(stopped))
    assert page.status_code == 200 and "You will get questionnaire e-mails again" in page.get_data(as_text=True)
    assert client.post(f"{path}/resume", data=undo_form(stopped)).status_code == 200  # a double tap
    db.session.expire_all()
    assert db.session.get(Patient, patient.id).email_opted_out_at is None
    [event] = audit_rows("email_resubscribe")  # once, though asked twice
    assert event.patient_id == patient.id and "@" not in event.detail
    assert [r.status for r in rows()] == ["cancelled"]  # what was cancelled stays so, as the page says

    clock(DUE + timedelta(days=7))  # the next session's invitation goes by e-mail again
    make_session(db.session.get(Patient, patient.id), starts_at=SESSION_START + timedelta(days=7))
    clock(DUE + timedelta(days=7, minutes=1))
    assert dispatcher.run().sent == 1 and len(sink.received) == 1


def test_only_the_unsubscribe_itself_can_undo_it_and_only_for_an_hour(planned_email, client, clock, make_email_patient):
    patient_id, other_id = planned_email.session.patient.id, make_email_patient().id
    path, other_path = (f"/u/{unsubscribe_token(pid, 'email')}" for pid in (patient_id, other_id))
    form = undo_form(client.post(path).get_data(as_text=True))
    client.post(other_path)  # another patient, also unsubscribed
    for later in (client.get(path), client.post(path)):  # an old e-mail's link, opened again: no undo
        assert "Get the e-mails again" not in later.get_data(as_text=True)
    forged = client.post(f"{path}/resume", data={**form, "undo": form["undo"][:-2] + "xx"})
    not_theirs = client.post(f"{other_path}/resume", data=form)  # this patient's undo on the other's link
    clock(DUE + timedelta(hours=1, minutes=1))
    expired = client.post(f"{path}/resume", data=form)
    assert (forged.status_code, not_theirs.status_code, expired.status_code) == (400, 400, 400)
    assert "only works for an hour" in expired.get_data(as_text=True)
    db.session.expire_all()
    assert None not in {db.session.get(Patient, pid).email_opted_out_at for pid in (patient_id, other_id)}
    assert audit_rows("email_resubscribe") == []


def test_undoing_leaves_a_bounce_and_says_no_email_can_go(planned_email, client, dispatcher, sink):
    patient_id = planned_email.session.patient.id
    dispatcher.run()
    bounce(client, sink.received[0].message["Message-ID"])
    path = f"/u/{unsubscribe_token(patient_id, 'email')}"
    form = undo_form(client.post(path).get_data(as_text=True))
    assert client.post("/u/e1_" + "A" * 32 + "/resume", data=form).status_code == 404  # a broken link
    db.session.expire_all()
    assert db.session.get(Patient, patient_id).email_opted_out_at is not None  # ... changed nothing
    page = client.post(f"{path}/resume", data=form)
    assert page.status_code == 200 and "cannot send you e-mails" in page.get_data(as_text=True)
    db.session.expire_all()
    patient = db.session.get(Patient, patient_id)
    assert patient.email_opted_out_at is None and patient.email_bounced_at is not None  # only a new address clears it


# -- bounces ------------------------------------------------------------------------------------


def test_a_hard_bounce_stops_email_and_shows_as_a_delivery_problem(planned_email, client, dispatcher, sink):
    dispatcher.run()
    message_id = sink.received[0].message["Message-ID"]
    assert bounce(client, message_id, "soft").status_code == 204
    assert rows()[0].status == "sent"
    assert bounce(client, message_id).status_code == 204
    assert bounce(client, message_id).status_code == 204  # a repeat changes nothing
    patient = db.session.get(Patient, planned_email.session.patient.id)
    assert patient.email_bounced_at is not None
    [problem] = staff.needs_attention(patient.clinic_id)
    assert (problem.channel, problem.status, problem.reason) == ("email", "undelivered", "the e-mail address bounced")
    assert len(audit_rows("email_bounce")) == 1


def test_a_bounce_of_an_uncertain_email_is_found_by_its_message_id(planned_email, client, dispatcher, sink):
    """The connection broke after the content went out: the server may have taken it. Its
    Message-ID was chosen before the send, so a bounce report about it still finds the row."""
    sink.hang_up_after_data = True
    assert dispatcher.run().uncertain == 1
    [received] = sink.received
    assert rows()[0].provider_id == received.message["Message-ID"].strip("<>").partition("@")[0]
    assert bounce(client, received.message["Message-ID"]).status_code == 204
    assert (rows()[0].status, rows()[0].last_error) == ("undelivered", "the e-mail address bounced")
    assert db.session.get(Patient, planned_email.session.patient.id).email_bounced_at is not None


@pytest.mark.parametrize(
    ("secret", "body", "status"),
    [("wrong", {"message_id": "<x@y>", "type": "hard"}, 403), (SECRET, {"message_id": "<x@y>", "type": "odd"}, 400),
     (SECRET, ["not", "an", "object"], 400), (SECRET, {"message_id": "<am1.0@nowhere>", "type": "hard"}, 404)],
)
def test_a_bounce_report_that_is_wrong_is_refused_clearly(planned_email, client, secret, body, status):
    answer = client.post("/email/bounce", json=body, headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == status


def test_without_a_secret_there_is_no_bounce_route(planned_email, app, client):
    app.config["EMAIL_BOUNCE_SECRET"] = ""
    assert bounce(client, "<x@y>").status_code == 404
