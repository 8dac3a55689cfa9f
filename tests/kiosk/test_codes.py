"""One-time codes: their shape, stored only as a keyed hash, single use, 15 minutes, one clinic,
and the limits on wrong guesses per tablet and per clinic (the clock is passed in, frozen)."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dashboards.audit.models import AuditEvent
from dashboards.auth import tokens
from dashboards.kiosk import codes, device
from dashboards.kiosk.codes import CodeRefused
from dashboards.kiosk.models import KioskCode, KioskCodeFailure, KioskDevice
from feedback.extensions import db
from feedback.models import utcnow
from tests.threads import run_at_once


@pytest.fixture
def therapist(make_user):
    return make_user("therapist")


@pytest.fixture
def seen(make_session, make_patient, therapist):
    """A session of the therapist's patient, with its open questionnaire."""
    return lambda: make_session(make_patient(therapist))


@pytest.fixture
def tablet_row(therapist):
    """A kiosk device of `user`'s clinic (the therapist's by default), as opening kiosk mode leaves it."""

    def make(user=None) -> KioskDevice:
        user = user or therapist
        row = KioskDevice(token_hash=tokens.hash_token(tokens.new_token()), clinic_id=user.clinic_id, opened_by=user)
        db.session.add(row)
        db.session.commit()
        return row

    return make


def test_the_code_space_is_as_documented():
    assert len(set(codes.ALPHABET)) == len(codes.ALPHABET) == 31
    assert not set("01ILO") & set(codes.ALPHABET)  # no look-alikes
    assert len(codes.ALPHABET) ** codes.LENGTH == 887_503_681
    assert round(math.log2(len(codes.ALPHABET) ** codes.LENGTH), 1) == 29.7


def test_a_code_is_short_stored_only_as_a_keyed_hash_and_audited_without_it(app, seen, therapist):
    recorded = seen()
    issued = codes.issue(recorded.links["patient"].invitation, therapist)
    assert codes.well_formed(issued.code)
    row = db.session.scalar(select(KioskCode))
    assert row.code_hash == codes.code_hash(issued.code) and issued.code not in row.code_hash
    assert row.expires_at - row.created_at == timedelta(minutes=15)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "kiosk_code_issued"))
    assert event.user_id == therapist.id and event.patient_id == recorded.session.patient_id
    assert issued.code not in event.detail


def test_typing_forgives_case_spaces_and_dashes(app, seen, therapist, tablet_row):
    recorded = seen()
    issued = codes.issue(recorded.links["patient"].invitation, therapist)
    messy = f" {issued.code[:3].lower()}-{issued.code[3:]} "
    assert codes.redeem(tablet_row(), messy).id == recorded.links["patient"].invitation.id


def test_a_code_works_once(app, seen, therapist, tablet_row):
    recorded = seen()
    issued = codes.issue(recorded.links["patient"].invitation, therapist)
    tablet = tablet_row()
    codes.redeem(tablet, issued.code)
    db.session.commit()
    with pytest.raises(CodeRefused) as refused:
        codes.redeem(tablet, issued.code)
    assert refused.value.reason == "wrong"


def test_a_code_expires_after_15_minutes(app, seen, therapist, tablet_row):
    recorded = seen()
    issued_at = utcnow()
    issued = codes.issue(recorded.links["patient"].invitation, therapist, now=issued_at)
    tablet = tablet_row()
    with pytest.raises(CodeRefused) as refused:
        codes.redeem(tablet, issued.code, now=issued_at + timedelta(minutes=15))
    assert refused.value.reason == "expired"
    assert codes.redeem(tablet, issued.code, now=issued_at + timedelta(minutes=14, seconds=59)) is not None


def test_a_new_code_replaces_the_last_one(app, seen, therapist, tablet_row):
    invitation = seen().links["patient"].invitation
    first = codes.issue(invitation, therapist)
    second = codes.issue(invitation, therapist)
    tablet = tablet_row()
    with pytest.raises(CodeRefused):
        codes.redeem(tablet, first.code)
    assert codes.redeem(tablet, second.code).id == invitation.id


def test_a_code_works_only_on_a_tablet_of_the_patients_clinic(app, seen, make_user, therapist, tablet_row):
    issued = codes.issue(seen().links["patient"].invitation, therapist)
    elsewhere = tablet_row(make_user("therapist"))  # a new clinic
    with pytest.raises(CodeRefused):
        codes.redeem(elsewhere, issued.code)


def test_five_wrong_codes_a_minute_pause_the_tablet_even_for_a_right_one(app, seen, therapist, tablet_row):
    issued = codes.issue(seen().links["patient"].invitation, therapist)
    tablet, now = tablet_row(), utcnow()
    for _ in range(5):
        with pytest.raises(CodeRefused) as refused:
            codes.redeem(tablet, "ZZZZZZ" if issued.code != "ZZZZZZ" else "YYYYYY", now=now)
        assert refused.value.reason == "wrong"
    with pytest.raises(CodeRefused) as refused:
        codes.redeem(tablet, issued.code, now=now + timedelta(seconds=59))
    assert refused.value.reason == "paused"
    other_tablet = tablet_row()
    assert codes.redeem(other_tablet, issued.code, now=now + timedelta(seconds=59)) is not None  # per device


def test_wrong_codes_sent_at_once_are_counted_one_after_another(app, seen, therapist, tablet_row):
    tablet_id, now = tablet_row().id, utcnow()
    db.session.remove()

    def guess() -> str:
        tablet = db.session.get(KioskDevice, tablet_id)
        try:
            codes.redeem(tablet, "ZZZZZZ", now=now)
        except CodeRefused as refused:
            db.session.commit()  # as the tablet's request does: a wrong code is counted
            return refused.reason
        return "opened"

    reasons = run_at_once(app, guess, threads=8)
    assert sorted(reasons) == ["paused"] * 3 + ["wrong"] * 5  # never more than 5 checked a minute
    assert db.session.scalar(select(func.count()).select_from(KioskCodeFailure)) == 5


def test_the_pause_lifts_after_a_minute(app, seen, therapist, tablet_row):
    issued = codes.issue(seen().links["patient"].invitation, therapist)
    tablet, now = tablet_row(), utcnow()
    for _ in range(5):
        with pytest.raises(CodeRefused):
            codes.redeem(tablet, "not a code", now=now)
    assert codes.redeem(tablet, issued.code, now=now + timedelta(minutes=1, seconds=1)) is not None


def test_the_clinic_ceiling_counts_every_tablet_and_is_audited(app, seen, therapist, tablet_row):
    app.config["KIOSK_WRONG_CODES_PER_CLINIC"] = 4
    now = utcnow()
    issued = codes.issue(seen().links["patient"].invitation, therapist, now=now + timedelta(minutes=14))
    tablets = [tablet_row(), tablet_row()]
    for turn in range(4):
        with pytest.raises(CodeRefused) as refused:
            device.start_patient(tablets[turn % 2], "WRONG2", now=now)
        assert refused.value.reason == "wrong"
    third = tablet_row()
    with pytest.raises(CodeRefused) as refused:
        device.start_patient(third, issued.code, now=now + timedelta(minutes=14))
    assert refused.value.reason == "paused"
    paused = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "kiosk_codes_paused")).all()
    assert len(paused) == 1 and paused[0].clinic_id == therapist.clinic_id
    assert device.start_patient(third, issued.code, now=now + timedelta(minutes=15, seconds=1)) is not None
