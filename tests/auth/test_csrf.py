"""Every form that changes something refuses a request without the page's CSRF token.

Each form appears twice: with CSRF protection as configured (the forged request is refused with
400 and nothing changes) and, as the control, with protection switched off (the same request
does change something). So each test fails if its form stopped checking the token.
The table is checked against the app's POST routes: a new form without an entry fails.
Each form's recipe is in tests/auth/forgeries.py, tests/auth/clinic_forgeries.py or tests/kiosk/forgeries.py.
"""

from __future__ import annotations

import pytest

from feedback.extensions import db
from tests.auth.clinic_forgeries import CLINIC_FORGERIES
from tests.auth.forgeries import ACCOUNT_FORGERIES, Ctx, Forgery
from tests.kiosk.forgeries import KIOSK_FORGERIES

FORMS: dict[str, Forgery] = {
    **ACCOUNT_FORGERIES,
    **CLINIC_FORGERIES,
    **{endpoint: Forgery(*pair) for endpoint, pair in KIOSK_FORGERIES.items()},
}

#: POST routes that do not use CSRF tokens, and what protects them instead.
NOT_CSRF = {
    "sms.inbound": "Twilio webhook: X-Twilio-Signature (tests/delivery)",
    "sms.status": "Twilio webhook: X-Twilio-Signature (tests/delivery)",
    "unsubscribe.unsubscribe": "RFC 8058: mail clients POST with no session; the signed token in the URL (tests/delivery/email)",
    "bounces.bounce": "mail provider's webhook: EMAIL_BOUNCE_SECRET, compared in constant time (tests/delivery/email)",
}


def test_every_form_is_in_the_table(app):
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert posts - FORMS.keys() - NOT_CSRF.keys() == set(), "POST routes without a CSRF test"
    assert FORMS.keys() - posts == set()


@pytest.fixture
def app_config(request) -> dict[str, object]:
    return {"WTF_CSRF_ENABLED": getattr(request, "param", True)}


@pytest.mark.parametrize("app_config", [True], indirect=True, ids=["protected"])
@pytest.mark.parametrize("endpoint", sorted(FORMS))
def test_forged_post_is_refused(endpoint, app, world, sign_in_as, enrol, make_session):
    ctx = Ctx(world, app.test_client(), sign_in_as, enrol, make_session)
    path, data = FORMS[endpoint].prepare(ctx)
    data = {key: value.format(w=world) if isinstance(value, str) else value for key, value in data.items()}
    response = ctx.client.post(path, data={**data, "csrf_token": "forged-elsewhere"})
    assert response.status_code == 400
    db.session.expire_all()
    assert not FORMS[endpoint].changed(ctx), f"{endpoint} changed state without a valid CSRF token"


@pytest.mark.parametrize("app_config", [False], indirect=True, ids=["control-unprotected"])
@pytest.mark.parametrize("endpoint", sorted(FORMS))
def test_same_post_would_change_state_without_the_check(endpoint, app, world, sign_in_as, enrol, make_session):
    ctx = Ctx(world, app.test_client(), sign_in_as, enrol, make_session)
    path, data = FORMS[endpoint].prepare(ctx)
    data = {key: value.format(w=world) if isinstance(value, str) else value for key, value in data.items()}
    response = ctx.client.post(path, data={**data, "csrf_token": "forged-elsewhere"})
    assert response.status_code < 400, response.status_code
    db.session.expire_all()
    assert FORMS[endpoint].changed(ctx)
