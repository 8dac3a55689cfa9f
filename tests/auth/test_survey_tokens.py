"""A survey link opens exactly one questionnaire and nothing else."""

from __future__ import annotations

from dashboards.auth import sessions
from tests.auth.matrix import MATRIX


def test_the_survey_sets_no_cookie(client, make_session):
    """Its forms' CSRF token is bound to the link (feedback/link_csrf.py), not to a session."""
    token = make_session().links["patient"].token
    page = client.get(f"/s/{token}")
    assert page.status_code == 200 and "Set-Cookie" not in page.headers
    with client.session_transaction() as cookie:
        assert dict(cookie) == {}


def test_survey_token_is_no_key_anywhere_else(client, make_session, make_user):
    token = make_session().links["patient"].token
    # Not a set-password link, not a sign-in session id.
    assert client.get(f"/password/set/{token}").status_code == 404
    with client.session_transaction() as cookie:
        cookie[sessions.COOKIE_KEY] = token
        cookie["_user_id"] = str(make_user().id)
    assert client.get("/").status_code == 302


def test_survey_token_opens_only_its_own_questionnaire(client, make_session, make_patient):
    mine = make_session(make_patient(code="P-MINE"))
    other = make_session(make_patient(code="P-OTHER"))
    page = client.get(f"/s/{mine.links['patient'].token}")
    assert page.status_code == 200
    other_token = other.links["patient"].token
    assert other_token not in page.text
    assert "P-OTHER" not in page.text and "P-MINE" not in page.text  # pseudonyms stay off the patient's page


def test_survey_visitor_is_sent_to_sign_in_from_every_clinician_page():
    """The matrix's `survey` column: a client that opened a survey link is anonymous everywhere."""
    assert all(case.expect["survey"] == case.expect["anonymous"] for case in MATRIX.values())
