"""A patient's SMS on the patient page: when a queued one goes and why, and a fresh link that says
exactly when it will go, may go now when only the daily cap holds it, replaces what was queued,
and is sent once however often the button is pressed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from dashboards.audit import AuditEvent
from feedback.extensions import db
from feedback.invitations import link_token
from feedback.models import Invitation
from feedback.models.outbox import OutboxMessage
from tests.therapist.conftest import local, text

CAPPED = "the limit of one message a day and quiet hours (21:00–08:00)"


@pytest.fixture
def by_sms(world, make_patient, make_session, clock):
    """P-S1, who gets SMS, after a session 14:00–14:50 recorded at 15:00; returns its patient invitation."""
    patient = make_patient(world.own, "P-S1", phone="+447400000001", sms_consent=True)
    return make_session(patient, starts_at=local(2026, 1, 14, 14, 0)).links["patient"].invitation


def outbox() -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(r.kind, r.status) for r in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def session_1(page: str) -> str:
    return text(page[page.index('id="session-1"'):])


def fresh_link_form(page: str) -> dict[str, str]:
    form = page[page.index('/sessions/1/fresh-link"'):]
    form = form[:form.index("</form>")]
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))


def sent_earlier_today(invitation: Invitation) -> None:
    row = db.session.scalars(select(OutboxMessage).where(OutboxMessage.invitation_id == invitation.id)).one()
    row.status, row.sent_at = "sent", row.due_at
    db.session.commit()


def test_a_queued_sms_says_when_it_goes_and_why(by_sms, world, as_user):
    page = as_user(world.own).get("/patients/P-S1").text

    assert ("By SMS, not sent yet: it goes today at 15:20, because of the 30-minute wait after the session."
            in session_1(page))
    assert "Sent by SMS: pending" not in text(page)


def test_a_fresh_link_says_when_it_will_go_and_may_go_now_when_only_the_daily_cap_holds_it(
        by_sms, world, as_user, clock):
    sent_earlier_today(by_sms)
    clock(local(2026, 1, 14, 16, 0))
    client = as_user(world.own)
    page = client.get("/patients/P-S1").text
    assert f"By SMS it would go tomorrow at 08:00, because of {CAPPED}." in session_1(page)
    assert 'name="when" value="now"' in page and "Send a fresh link by SMS tomorrow at 08:00" in session_1(page)

    response = client.post("/patients/P-S1/sessions/1/fresh-link", data={**fresh_link_form(page), "when": "next"})
    assert response.status_code == 303
    page = client.get("/patients/P-S1").text
    assert (f"A fresh link for session 1 will go to the patient by SMS tomorrow at 08:00, because of {CAPPED}. "
            "The old link no longer works.") in text(page)
    assert f"By SMS, not sent yet: it goes tomorrow at 08:00, because of {CAPPED}." in session_1(page)

    client.post("/patients/P-S1/sessions/1/fresh-link", data={**fresh_link_form(page), "when": "now"})
    assert "A fresh link for session 1 will go to the patient by SMS now. The old link no longer works." in text(
        client.get("/patients/P-S1").text)
    # The one queued for tomorrow is cancelled: the patient gets one link.
    assert outbox() == [("invitation", "sent"), ("fresh_link", "cancelled"), ("fresh_link", "pending")]


def test_a_fresh_link_replaces_the_queued_invitation_and_goes_now(by_sms, world, as_user, clock):
    clock(local(2026, 1, 14, 15, 5))
    client = as_user(world.own)
    page = client.get("/patients/P-S1").text
    assert "By SMS it would go" not in page  # nothing holds it back: one button, for now

    client.post("/patients/P-S1/sessions/1/fresh-link", data={**fresh_link_form(page), "when": "now"})

    assert outbox() == [("invitation", "cancelled"), ("fresh_link", "pending")]
    assert "will go to the patient by SMS now" in text(client.get("/patients/P-S1").text)


def test_in_quiet_hours_now_is_not_offered_and_is_refused(by_sms, world, as_user, clock):
    clock(local(2026, 1, 14, 21, 30))
    client = as_user(world.own)
    page = client.get("/patients/P-S1").text
    assert "By SMS it would go tomorrow at 08:00, because of quiet hours (21:00–08:00)." in session_1(page)
    assert 'value="now"' not in page
    token = link_token(by_sms)

    response = client.post("/patients/P-S1/sessions/1/fresh-link", data={**fresh_link_form(page), "when": "now"})

    assert response.status_code == 303
    assert ("The SMS cannot go now, because of quiet hours (21:00–08:00); nothing was changed."
            in text(client.get("/patients/P-S1").text))
    db.session.expire_all()
    assert link_token(by_sms) == token and outbox() == [("invitation", "pending")]
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "fresh_link")).all() == []


@pytest.mark.parametrize(("field", "value", "message"), [
    ("when", "yesterday", "Choose to send the SMS now or at the next allowed time."),
    ("when", "2026-01-15T08:00", "Choose to send the SMS now or at the next allowed time."),
    ("link_expires", "soon", "The link this form replaces is not named correctly; reload the page."),
    ("link_expires", "2026-01-17T15:00:00", "The link this form replaces is not named correctly; reload the page."),
    # at the ends of the calendar, converting to UTC overflows (it answered 500)
    ("link_expires", "0001-01-01T00:00:00+01:00", "The link this form replaces is not named correctly; reload the page."),
    ("link_expires", "9999-12-31T23:59:59-05:00", "The link this form replaces is not named correctly; reload the page."),
])
def test_forged_fresh_link_input_is_refused_with_422(by_sms, world, as_user, field, value, message):
    client = as_user(world.own)
    page = client.get("/patients/P-S1").text
    token = link_token(by_sms)

    response = client.post("/patients/P-S1/sessions/1/fresh-link", data={**fresh_link_form(page), field: value})

    assert response.status_code == 422 and message in text(response.text)
    db.session.expire_all()
    assert link_token(by_sms) == token and outbox() == [("invitation", "pending")]
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "fresh_link")).all() == []


def test_a_second_click_from_the_same_page_sends_nothing_more(by_sms, world, as_user, clock):
    clock(local(2026, 1, 14, 15, 30))
    client = as_user(world.own)
    form = {**fresh_link_form(client.get("/patients/P-S1").text), "when": "now"}  # with its CSRF token

    client.post("/patients/P-S1/sessions/1/fresh-link", data=form)
    db.session.expire_all()
    token = link_token(by_sms)
    clock(local(2026, 1, 14, 15, 30, 1))
    client.post("/patients/P-S1/sessions/1/fresh-link", data=form)

    assert "That link had just been replaced: nothing more was sent." in text(client.get("/patients/P-S1").text)
    db.session.expire_all()
    assert link_token(by_sms) == token  # the link the SMS carries still works
    assert outbox() == [("invitation", "cancelled"), ("fresh_link", "pending")]
