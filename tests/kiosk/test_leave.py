"""Leaving kiosk mode takes a clinician of the clinic signing in on the tablet: password, then the
second factor, as at /login; until both are accepted the tablet stays locked."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dashboards.audit.models import AuditEvent
from feedback.extensions import db
from tests.auth.conftest import post_form
from tests.factories import TEST_PASSWORD


@pytest.fixture
def therapist(make_user):
    return make_user("therapist", email="lee@example.org")


def _password(tablet, email: str, password: str = TEST_PASSWORD):
    return post_form(tablet.client, "/kiosk/leave", email=email, password=password)


def test_leaving_takes_password_and_code_and_is_audited(open_tablet, therapist, make_user, enrol):
    colleague = make_user("director", therapist.clinic, email="kim@example.org")
    authenticator = enrol(colleague)
    tablet = open_tablet(therapist)
    assert _password(tablet, colleague.email, "wrong password 123").status_code == 401
    asked = _password(tablet, colleague.email)
    assert asked.status_code == 303 and asked.location.endswith("/kiosk/leave/2fa")
    assert tablet.client.get("/").location.endswith("/kiosk")  # the password alone unlocks nothing
    assert post_form(tablet.client, "/kiosk/leave/2fa", code="000000").status_code == 401
    assert tablet.device.ended_at is None
    left = post_form(tablet.client, "/kiosk/leave/2fa", code=authenticator.now())
    assert left.status_code == 303 and left.location == "/"
    device = tablet.device
    assert device.ended_at is not None and device.end_reason == "left"
    assert tablet.client.get("/").status_code == 200  # now the colleague's browser, signed in
    assert tablet.client.get("/kiosk").status_code == 404
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "kiosk_closed"))
    assert event.user_id == colleague.id and f"tablet {device.id}" in event.detail


@pytest.mark.parametrize("who", ["other clinic", "admin"])
def test_only_a_clinician_of_the_clinic_can_leave(open_tablet, therapist, make_user, enrol, who):
    stranger = make_user("therapist") if who == "other clinic" else make_user("admin", therapist.clinic)
    enrol(stranger)
    tablet = open_tablet(therapist)
    assert _password(tablet, stranger.email).status_code == 401
    assert tablet.client.get("/kiosk/leave/2fa").location.endswith("/kiosk/leave")
    assert tablet.device.ended_at is None


def test_an_account_without_two_step_sign_in_cannot_leave(open_tablet, therapist, make_user):
    colleague = make_user("therapist", therapist.clinic)
    tablet = open_tablet(therapist)
    refused = _password(tablet, colleague.email)
    assert refused.status_code == 401 and "two-step" in refused.text
    assert tablet.device.ended_at is None
