"""The one policy: who sees which patient, who manages which account (the query filters themselves)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from dashboards.access import can_view_patient, manageable_users, visible_patients
from dashboards.access.break_glass import BreakGlassError, open_grant
from dashboards.access.sharing import SharingError, share, unshare
from dashboards.auth import accounts
from feedback.extensions import db
from feedback.models import Patient

START = "2026-03-02 09:00:00Z"


def codes(user) -> set[str]:
    return {p.code for p in db.session.scalars(visible_patients(user))}


def emails(user) -> set[str]:
    return {u.email.split("@")[0] for u in db.session.scalars(manageable_users(user))}


def test_each_role_sees_what_it_should(world, make_patient):
    make_patient(world.other, code="P-A2")
    assert codes(world.own) == {"P-A1"}
    assert codes(world.other) == {"P-A2"}
    assert codes(world.director) == {"P-A1", "P-A2"}
    assert codes(world.director_b) == {"P-B1"}
    assert codes(world.admin) == set()


def test_single_checks_agree_with_the_lists(world, make_patient):
    make_patient(world.other, code="P-A2")
    users = [world.own, world.other, world.director, world.admin, world.target, world.director_b, world.therapist_b]
    for user in users:
        listed = codes(user)
        for patient in db.session.scalars(db.select(Patient)):
            assert can_view_patient(user, patient) == (patient.code in listed), (user, patient)


def test_disabled_accounts_see_nothing(world):
    accounts.disable(world.director, actor=None)
    assert codes(world.director) == set()
    assert not can_view_patient(world.director, world.patient)


def test_sharing_adds_one_colleague_until_revoked(world):
    share(world.patient, world.other.id, granted_by=world.own)
    assert codes(world.other) == {"P-A1"}
    assert codes(world.target) == set()
    unshare(world.patient, world.other.id, revoked_by=world.own)
    assert codes(world.other) == set()


@pytest.mark.parametrize("colleague", ["therapist_b", "own", "director", "admin"])
def test_sharing_only_with_other_therapists_of_the_clinic(world, colleague):
    with pytest.raises(SharingError):
        share(world.patient, getattr(world, colleague).id, granted_by=world.own)


def test_break_glass_gives_an_admin_one_patient_for_30_minutes(world, make_patient):
    make_patient(world.own, code="P-A2")
    with time_machine.travel(START, tick=False) as clock:
        open_grant(world.admin, "P-A1", "Subject access request from the patient, ticket 4411")
        assert codes(world.admin) == {"P-A1"}
        clock.shift(timedelta(minutes=29, seconds=59))
        assert codes(world.admin) == {"P-A1"}
        clock.shift(timedelta(seconds=1))
        assert codes(world.admin) == set()


@pytest.mark.parametrize(
    ("who", "code", "reason", "message"),
    [
        ("admin", "P-A1", "because", "reason"),
        ("admin", "P-B1", "Subject access request, ticket 4411", "no patient"),  # another clinic's
        ("director", "P-A1", "Subject access request, ticket 4411", "only admins"),
    ],
)
def test_break_glass_refusals(world, who, code, reason, message):
    with pytest.raises(BreakGlassError, match=message):
        open_grant(getattr(world, who), code, reason)


def test_who_manages_which_accounts(world):
    assert emails(world.director) == {"own", "other", "target"}  # therapists only, never themselves
    assert emails(world.admin) == {"own", "other", "target", "director"}
    assert emails(world.director_b) == {"therapist-b"}
    assert emails(world.own) == set()
