"""Issue 16 §1: nobody takes over someone else's account. A password link reaches only the
account's owner (by e-mail), a change to a director's or admin's account is told to the clinic's
other directors, a reset ends the owner's sessions and tells them, and an address of another
clinic is answered exactly like a new account."""

from __future__ import annotations

import socket

from sqlalchemy import func, select

from dashboards.audit import AuditEvent
from dashboards.auth import accounts
from dashboards.auth.models import LoginSession, PasswordLink
from dashboards.auth.passwords import hash_password
from feedback.extensions import db
from feedback.mail import console_outbox
from feedback.models import User
from tests.auth.conftest import post_form
from tests.factories import TEST_PASSWORD

ACCOUNTS = "/clinic/therapists"


def mail_to(address: str) -> list[str]:
    return [m.get_content() for m in console_outbox().sent if m["To"] == address]


def seen(client, response) -> str:
    """What the person who asked sees: the answer and the page it leads to (with its flash)."""
    pages = [response.get_data(as_text=True)]
    if response.status_code == 303:
        pages.append(client.get(response.location).get_data(as_text=True))
    return "\n".join(pages)


def live_sessions(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
    )


def test_an_admin_creating_a_director_never_sees_the_link(app, world, make_user, as_user):
    second = make_user("director", world.clinic_a, email="second.director@example.org", password=None)
    admin = as_user(world.admin)

    answer = post_form(admin, ACCOUNTS, email="boss@example.org", display_name="Boss", role="director")

    assert answer.status_code == 303
    page = seen(admin, answer)
    assert "/password/set/" not in page and "A link to set a password was sent to b…@example.org." in page
    (welcome,) = mail_to("boss@example.org")
    assert "/password/set/" in welcome
    # every other active director of the clinic is told, naming both people; the admin is not
    for director in (world.director, second):
        (notice,) = mail_to(director.email)
        assert "created the account" in notice and "boss@example.org" in notice and world.admin.display_name in notice
        assert "/password/set/" not in notice
    assert mail_to(world.admin.email) == [] and mail_to(world.director_b.email) == []
    boss = db.session.scalar(select(User).where(User.email == "boss@example.org"))
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.subject_user_id == boss.id)).all()
    assert {(e.action, e.user_id) for e in events} == {("add_user", world.admin.id), ("password_link_sent", world.admin.id)}


def test_rekeying_a_director_ends_their_sessions_and_mails_only_them(app, world, as_user):
    director = as_user(world.director)
    admin = as_user(world.admin)
    world.director.password_hash = hash_password(TEST_PASSWORD)  # an account in use, not a new one
    db.session.commit()

    answer = post_form(admin, ACCOUNTS, f"{ACCOUNTS}/{world.director.id}/password-link")

    assert answer.status_code == 303 and "/password/set/" not in seen(admin, answer)
    assert director.get("/").status_code == 302  # signed out everywhere
    assert live_sessions(world.director) == 0
    (link,) = mail_to(world.director.email)
    assert "/password/set/" in link and "signed out everywhere" in link
    assert all("/password/set/" not in body for m in console_outbox().sent if m["To"] != world.director.email
               for body in [m.get_content()])


def test_a_director_resetting_a_therapists_two_factor_signs_them_out_and_tells_them(app, world, as_user):
    therapist = as_user(world.target)
    director = as_user(world.director)

    answer = post_form(director, ACCOUNTS, f"{ACCOUNTS}/{world.target.id}/reset-2fa")

    assert answer.status_code == 303 and "/password/set/" not in seen(director, answer)
    assert therapist.get("/").status_code == 302 and live_sessions(world.target) == 0
    (notice,) = mail_to(world.target.email)
    assert "reset your two-step sign-in" in notice and world.director.display_name in notice
    assert mail_to(world.admin.email) == []  # a therapist's account: no directors' notice


def test_resetting_a_directors_two_factor_tells_the_other_directors(app, world, make_user, as_user):
    second = make_user("director", world.clinic_a, email="second.director@example.org", password=None)
    admin = as_user(world.admin)

    post_form(admin, ACCOUNTS, f"{ACCOUNTS}/{world.director.id}/reset-2fa")

    assert len(mail_to(world.director.email)) == 1  # the owner
    (notice,) = mail_to(second.email)
    assert "reset two-step sign-in" in notice and world.director.email in notice


def test_an_address_of_another_clinic_is_answered_like_a_new_one(app, world, as_user):
    director = as_user(world.director)
    new = post_form(director, ACCOUNTS, email="fresh@example.org", display_name="Fresh", role="therapist")
    taken = post_form(director, ACCOUNTS, email=world.therapist_b.email.upper(), display_name="B", role="therapist")

    assert (new.status_code, new.location) == (taken.status_code, taken.location) == (303, ACCOUNTS)
    assert "A link to set a password was sent to t…@example.org." in seen(director, taken)
    db.session.expire_all()
    assert db.session.get(User, world.therapist_b.id).clinic_id == world.clinic_b.id
    (notice,) = mail_to(world.therapist_b.email)
    assert "Nothing was changed" in notice and "/password/set/" not in notice
    assert db.session.scalar(select(func.count()).select_from(PasswordLink).where(
        PasswordLink.user_id == world.therapist_b.id)) == 0
    # the attempt is in the trail of the address's own clinic, not in the asking clinic's
    refused = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "add_user_refused"))
    assert (refused.clinic_id, refused.user_id, refused.ip) == (world.clinic_b.id, None, None)  # nobody of clinic A named


def test_when_the_mail_server_is_down_no_link_is_made(app, world, as_user):
    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_FROM="monitor@example.org", SMTP_STARTTLS=False)
    director = as_user(world.director)

    answer = post_form(director, ACCOUNTS, f"{ACCOUNTS}/{world.target.id}/password-link")

    assert answer.status_code == 503 and "could not be sent" in answer.text and "/password/set/" not in answer.text
    assert db.session.scalar(select(func.count()).select_from(PasswordLink)) == 0


def test_the_console_mailer_prints_the_link_in_development(app, world, capsys):
    app.config["APP_ENV"] = "development"
    app.extensions.pop("mail_console", None)
    with app.test_request_context():
        accounts.send_password_link(world.target, world.director)
    printed = capsys.readouterr().out
    assert f"E-mail to {world.target.email}" in printed and "/password/set/" in printed


def test_the_operators_link_for_an_account_in_use_signs_it_out_and_tells_the_people_concerned(
        app, world, make_user, as_user, runner):
    second = make_user("director", world.clinic_a, email="second.director@example.org", password=None)
    director = as_user(world.director)
    world.director.password_hash = hash_password(TEST_PASSWORD)
    db.session.commit()

    printed = runner.invoke(args=["accounts", "password-link", world.director.email])

    assert printed.exit_code == 0 and "/password/set/" in printed.output  # the console may show it
    assert director.get("/").status_code == 302 and live_sessions(world.director) == 0
    (notice,) = mail_to(world.director.email)
    assert "signed out everywhere" in notice and "/password/set/" not in notice
    (told,) = mail_to(second.email)
    assert "made a new password link" in told and "/password/set/" not in told
