"""Directors manage their clinic's therapists in the UI; the operator uses the command line."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import time_machine
from sqlalchemy import select

from dashboards.audit import AuditEvent
from dashboards.auth import accounts, totp
from dashboards.auth.passwords import verify_password
from feedback.extensions import db
from feedback.mail import console_outbox
from feedback.models import User
from tests.auth.conftest import password_step, post_form

NEW_PASSWORD = "lantern-otter-harbour-9"
LINK = re.compile(r"(http\S+/password/set/\S+)")


def mailed_link(to: str) -> str:
    """The path of the last password link e-mailed to `to` (the console mailer keeps what it 'sent')."""
    bodies = [m.get_content() for m in console_outbox().sent if m["To"] == to]
    return urlsplit(LINK.search(bodies[-1]).group(1)).path


def test_director_adds_a_therapist_who_sets_a_password_and_enrols(app, world, sign_in_as):
    director = app.test_client()
    sign_in_as(director, world.director)
    page = post_form(director, "/clinic/therapists", email="new.colleague@example.org", display_name="New Colleague",
                     role="therapist")
    assert page.status_code == 303 and "/password/set/" not in director.get(page.location).text
    link = mailed_link("new.colleague@example.org")
    newcomer = db.session.scalar(select(User).where(User.email == "new.colleague@example.org"))
    assert newcomer.role == "therapist" and newcomer.clinic_id == world.clinic_a.id and newcomer.password_hash is None

    therapist = app.test_client()
    weak = post_form(therapist, link, password="too short", confirm="too short")
    assert weak.status_code == 422 and "at least 12" in weak.text
    assert post_form(therapist, link, password=NEW_PASSWORD, confirm=NEW_PASSWORD).location == "/login"
    assert therapist.get(link).status_code == 404  # used once
    assert password_step(therapist, newcomer.email, NEW_PASSWORD).location == "/login/enrol"


def test_password_link_expires(app, world):
    with time_machine.travel("2026-03-02 09:00:00Z", tick=False) as clock:
        link = urlsplit(accounts.issue_password_link(world.target, actor=world.director)).path
        clock.shift(timedelta(hours=72))
        assert app.test_client().get(link).status_code == 410


def test_a_new_link_replaces_the_old_one(app, world):
    old = urlsplit(accounts.issue_password_link(world.target, actor=None)).path
    new = urlsplit(accounts.issue_password_link(world.target, actor=None)).path
    client = app.test_client()
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200


def test_director_may_add_therapists_only(app, world, sign_in_as):
    client = app.test_client()
    sign_in_as(client, world.director)
    refused = post_form(client, "/clinic/therapists", email="boss@example.org", role="director")
    assert refused.status_code == 422
    assert db.session.scalar(select(User).where(User.email == "boss@example.org")) is None
    admin = app.test_client()
    sign_in_as(admin, world.admin)
    assert post_form(admin, "/clinic/therapists", email="boss@example.org", role="director").status_code == 303


def test_director_disables_and_enables_a_therapist(app, world, sign_in_as):
    therapist = app.test_client()
    sign_in_as(therapist, world.target)
    director = app.test_client()
    sign_in_as(director, world.director)
    post_form(director, "/clinic/therapists", f"/clinic/therapists/{world.target.id}/disable")
    assert therapist.get("/").status_code == 302
    assert "disabled" in director.get("/clinic/therapists").text
    post_form(director, "/clinic/therapists", f"/clinic/therapists/{world.target.id}/enable")
    db.session.expire_all()
    assert db.session.get(User, world.target.id).active


def cli_audit_actions() -> list[tuple[str, int | None]]:
    """The accounts' own rows (each command's `cli_command` row is tests/hardening/test_audit_complete.py's)."""
    query = select(AuditEvent).where(AuditEvent.action != "cli_command").order_by(AuditEvent.id)
    return [(e.action, e.user_id) for e in db.session.scalars(query)]


def test_operator_commands(runner, monkeypatch, enrol):
    assert runner.invoke(args=["clinics", "add", "Northside", "--timezone", "Europe/London"]).exit_code == 0
    monkeypatch.setenv("NEW_USER_PASSWORD", "first-passphrase-2026")
    created = runner.invoke(args=["users", "add", "dr@example.org", "--clinic", "Northside", "--role", "director"])
    assert created.exit_code == 0, created.output
    user = db.session.scalar(select(User).where(User.email == "dr@example.org"))

    assert runner.invoke(args=["accounts", "disable", "dr@example.org"]).exit_code == 0
    db.session.expire_all()
    assert not user.active
    assert runner.invoke(args=["accounts", "enable", "dr@example.org"]).exit_code == 0

    monkeypatch.setenv("NEW_USER_PASSWORD", NEW_PASSWORD)
    assert runner.invoke(args=["accounts", "reset-password", "dr@example.org"]).exit_code == 0
    db.session.expire_all()
    assert verify_password(user.password_hash, NEW_PASSWORD)

    enrol(user)
    assert runner.invoke(args=["accounts", "reset-2fa", "dr@example.org"]).exit_code == 0
    assert not totp.enrolled(user)

    link = runner.invoke(args=["accounts", "password-link", "dr@example.org"])
    assert link.exit_code == 0 and "/password/set/" in link.output

    assert cli_audit_actions() == [
        ("disable_user", None), ("enable_user", None), ("password_reset", None),
        ("reset_2fa", None), ("password_link_issued", None),
    ]
    unknown = runner.invoke(args=["accounts", "disable", "nobody@example.org"])
    assert unknown.exit_code != 0 and "no account" in unknown.output


def test_operator_password_reset_applies_the_policy(runner, make_user, monkeypatch):
    user = make_user()
    monkeypatch.setenv("NEW_USER_PASSWORD", "short")
    result = runner.invoke(args=["accounts", "reset-password", user.email])
    assert result.exit_code != 0 and "at least 12" in result.output
