"""The sign-in, account and user-administration forms for tests/auth/test_csrf.py, as endpoint ->
Forgery(prepare, changed): `prepare(ctx)` puts the test's client in the state the form needs and
returns (path, data), and `changed(ctx)` tells whether the POST did its work. What every recipe is
built from lives here too (`Ctx`, `Forgery`, `count`, `_signed_in`); clinic_forgeries.py imports it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyotp
from sqlalchemy import func, select

from dashboards.access.models import BreakGlassGrant, PatientShare
from dashboards.auth import accounts, sessions, throttle, totp
from dashboards.auth.models import LoginSession, PasswordLink, RecoveryCode
from dashboards.auth.passwords import verify_password
from feedback.extensions import db
from feedback.models import User, utcnow
from tests.auth.conftest import World
from tests.factories import TEST_PASSWORD

NEW_PASSWORD = "new passphrase 2026"


class Ctx:
    """What a forged request needs: the world, a client, and ways to put either in a given state."""

    def __init__(self, world: World, client, sign_in_as, enrol, make_session):
        self.w, self.client, self._sign_in_as, self.enrol, self._make_session = (
            world, client, sign_in_as, enrol, make_session
        )
        self.authenticator = None
        self.token = ""

    def signed_in(self, user: User, *, elsewhere: bool = False) -> None:
        """Sign `user` in on this client (or, `elsewhere`, on another browser)."""
        self._sign_in_as(self.client.application.test_client() if elsewhere else self.client, user)

    def with_password(self, user: User) -> None:
        accounts.set_password(user, TEST_PASSWORD, actor=None)

    def password_stage(self, user: User, *, enrolled: bool) -> None:
        if enrolled:
            self.authenticator = self.enrol(user)
        _, token = sessions.start(user, "127.0.0.1", utcnow())
        db.session.commit()
        with self.client.session_transaction() as cookie:
            cookie[sessions.COOKIE_KEY] = token

    def pending_secret(self, user: User) -> str:
        """Start an authenticator setup; returns the code its app would show now."""
        secret = totp.begin_enrolment(user)
        db.session.commit()
        return pyotp.TOTP(secret).now()

    def survey_link(self) -> str:
        return f"/s/{self._make_session(self.w.patient).links['patient'].token}"


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


@dataclass(frozen=True)
class Forgery:
    prepare: Callable[[Ctx], tuple[str, dict[str, str]]]
    changed: Callable[[Ctx], bool]


def _login(c: Ctx):
    c.with_password(c.w.own)
    return "/login", {"email": c.w.own.email, "password": TEST_PASSWORD}


def _second_factor(c: Ctx):
    c.password_stage(c.w.own, enrolled=True)
    return "/login/2fa", {"code": c.authenticator.now()}


def _enrol(c: Ctx):
    c.password_stage(c.w.own, enrolled=False)
    return "/login/enrol", {}


def _enrol_confirm(c: Ctx):
    c.password_stage(c.w.own, enrolled=False)
    return "/login/enrol/confirm", {"code": c.pending_secret(c.w.own)}


def _signed_in(user: str, path: str, **data: str):
    def prepare(c: Ctx):
        c.signed_in(getattr(c.w, user))
        return path.format(w=c.w), data

    return prepare


def _with_password(path: str, **data: str):
    def prepare(c: Ctx):
        c.with_password(c.w.own)
        c.signed_in(c.w.own)
        return path, data

    return prepare


def _end_other_sessions(c: Ctx):
    c.with_password(c.w.own)
    c.signed_in(c.w.own, elsewhere=True)
    c.signed_in(c.w.own)
    return "/account/sessions/end-others", {"password": TEST_PASSWORD}


def _account_confirm(c: Ctx):
    c.signed_in(c.w.own)
    return "/account/2fa/confirm", {"code": c.pending_secret(c.w.own)}


def _set_password(c: Ctx):
    path = accounts.issue_password_link(c.w.target, actor=None).split("://", 1)[1].split("/", 1)[1]
    return "/" + path, {"password": "lantern-otter-harbour-9", "confirm": "lantern-otter-harbour-9"}


def _enable(c: Ctx):
    accounts.disable(c.w.target, actor=None)
    return _signed_in("director", "/clinic/therapists/{w.target.id}/enable")(c)


def _reset_two_factor(c: Ctx):
    c.enrol(c.w.target)
    return _signed_in("director", "/clinic/therapists/{w.target.id}/reset-2fa")(c)


def _revoke(c: Ctx):
    db.session.add(PatientShare(patient=c.w.patient, user=c.w.other))
    db.session.commit()
    return _signed_in("own", "/patients/P-A1/shares/{w.other.id}/revoke")(c)


def _verified_sessions(c: Ctx) -> bool:
    return count(LoginSession, LoginSession.verified_at.is_not(None), LoginSession.ended_at.is_(None)) > 0


def _security(attribute: str) -> Callable[[Ctx], bool]:
    return lambda c: getattr(throttle.security_for(c.w.own), attribute) is not None


ACCOUNT_FORGERIES: dict[str, Forgery] = {
    "auth.login": Forgery(_login, lambda c: count(LoginSession) > 0),
    "auth.second_factor": Forgery(_second_factor, _verified_sessions),
    "auth.enrol": Forgery(_enrol, _security("pending_totp_secret")),
    "auth.enrol_confirm": Forgery(_enrol_confirm, _security("totp_secret")),
    "auth.logout": Forgery(_signed_in("own", "/logout"), lambda c: not _verified_sessions(c)),
    "auth.change_password": Forgery(
        _with_password("/account/password", current=TEST_PASSWORD, password=NEW_PASSWORD, confirm=NEW_PASSWORD),
        lambda c: verify_password(db.session.get(User, c.w.own.id).password_hash, NEW_PASSWORD),
    ),
    "auth.account_enrol": Forgery(_with_password("/account/2fa", password=TEST_PASSWORD), _security("pending_totp_secret")),
    "auth.account_enrol_confirm": Forgery(_account_confirm, _security("totp_secret")),
    "auth.recovery_codes": Forgery(
        _with_password("/account/recovery-codes", password=TEST_PASSWORD), lambda c: count(RecoveryCode) == 10
    ),
    "auth.end_other_sessions": Forgery(_end_other_sessions, lambda c: count(LoginSession, LoginSession.ended_at.is_not(None)) == 1),
    "auth.change_language": Forgery(
        _signed_in("own", "/account/language", language="es"), lambda c: db.session.get(User, c.w.own.id).language == "es"
    ),
    "auth.set_password": Forgery(_set_password, lambda c: db.session.get(User, c.w.target.id).password_hash is not None),
    "admin.add_therapist": Forgery(
        _signed_in("director", "/clinic/therapists", email="new@example.org", role="therapist"),
        lambda c: count(User, User.email == "new@example.org") == 1,
    ),
    "admin.password_link": Forgery(
        _signed_in("director", "/clinic/therapists/{w.target.id}/password-link"), lambda c: count(PasswordLink) == 1
    ),
    "admin.disable_user": Forgery(
        _signed_in("director", "/clinic/therapists/{w.target.id}/disable"),
        lambda c: not db.session.get(User, c.w.target.id).active,
    ),
    "admin.enable_user": Forgery(_enable, lambda c: db.session.get(User, c.w.target.id).active),
    "admin.reset_two_factor": Forgery(_reset_two_factor, lambda c: not totp.enrolled(c.w.target)),
    "admin.open_break_glass": Forgery(
        _signed_in("admin", "/admin/break-glass", patient_code="P-A1", reason="Subject access request, ticket 4411"),
        lambda c: count(BreakGlassGrant) == 1,
    ),
    "admin.share_patient": Forgery(
        _signed_in("own", "/patients/P-A1/shares", user_id="{w.other.id}"), lambda c: count(PatientShare) == 1
    ),
    "admin.revoke_share": Forgery(_revoke, lambda c: count(PatientShare) == 0),
}
