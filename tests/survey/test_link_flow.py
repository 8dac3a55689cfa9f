"""The questionnaire by link, from `sessions add` to a stored, scored response."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from feedback.extensions import db
from feedback.models import Invitation, Response
from tests.conftest import csrf_token_from
from tests.factories import PATIENT_FORM

LINK = re.compile(r"(patient|therapist) link: http://[^/]+(/s/[A-Za-z0-9_-]{43})")


def _links(output: str) -> dict[str, str]:
    return {who: path for who, path in LINK.findall(output)}


def _submit(client, path, form):
    page = client.get(path)
    assert page.status_code == 200
    return client.post(path, data={**form, "csrf_token": csrf_token_from(page.text)})


def test_sessions_add_to_stored_scored_response(runner, client, make_patient):
    make_patient(code="PX-01")
    result = runner.invoke(args=["sessions", "add", "PX-01", "--status", "attended"])
    assert result.exit_code == 0, result.output
    links = _links(result.output)
    assert set(links) == {"patient", "therapist"}

    page = client.get(links["patient"])
    assert "Who sees your answers" in page.text and "I felt understood by my therapist today." in page.text
    response = client.post(links["patient"], data={**PATIENT_FORM, "csrf_token": csrf_token_from(page.text)})
    assert response.status_code == 303 and response.location.endswith("/s/thanks")

    stored = db.session.scalars(select(Response)).one()
    assert stored.answers["rupture"] is True and stored.answers["rupture_tension"] == 4
    assert stored.answers["comment"] == "I felt rushed at the end."
    # bond (4+5)/2; goal (5 + (6-2))/2; alliance (4+5+4+3+5+4)/6
    assert stored.scores["bond"] == 4.5 and stored.scores["goal"] == 4.5
    assert round(stored.scores["alliance"], 3) == 4.167
    invitation = stored.invitation
    assert invitation.respondent == "patient" and invitation.opened_at and invitation.completed_at
    assert invitation.instrument_id == "post-session-patient" and invitation.instrument_version == "2"

    # The therapist's link is a separate invitation with its own instrument.
    therapist_page = client.get(links["therapist"])
    assert "How connected did you feel with this patient today?" in therapist_page.text


def test_opening_does_not_use_the_link_up(client, make_session):
    link = make_session().links["patient"]
    path = f"/s/{link.token}"
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200
    assert _submit(client, path, PATIENT_FORM).status_code == 303


def test_the_first_open_is_recorded_without_loading_the_page_twice(client, make_session, count_statements):
    link = make_session().links["patient"]
    invitation_id = link.invitation.id
    db.session.remove()  # nothing loaded yet, as in a fresh request

    with count_statements() as first:
        assert client.get(f"/s/{link.token}").status_code == 200
    with count_statements() as again:
        assert client.get(f"/s/{link.token}").status_code == 200

    def reads(seen):
        return [s for s in seen if s.lstrip().upper().startswith("SELECT")]

    assert len(reads(first)) == 1 and any("opened_at" in s and s.lstrip().upper().startswith("UPDATE") for s in first)
    assert len(reads(again)) == 1 and not any(s.lstrip().upper().startswith("UPDATE") for s in again)
    assert db.session.get(Invitation, invitation_id).opened_at is not None


def test_token_is_stored_only_as_a_hash(make_session):
    link = make_session().links["patient"]
    stored = db.session.get(Invitation, link.invitation.id)
    assert link.token not in (stored.token_hash or "") and len(stored.token_hash) == 64


def test_unknown_and_tampered_tokens_are_404(client, make_session):
    token = make_session().links["patient"].token
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for path in (f"/s/{tampered}", "/s/short", "/s/" + "x" * 43, f"/s/{token}extra"):
        page = client.get(path)
        assert page.status_code == 404, path
        assert "This link doesn’t work" in page.text and "Traceback" not in page.text


def test_expired_link_is_410(client, make_session):
    token = make_session().links["patient"].token
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=73)):
        page = client.get(f"/s/{token}")
    assert page.status_code == 410 and "expired" in page.text


def test_completed_link_is_409_and_a_second_submit_stores_nothing(client, make_session):
    path = f"/s/{make_session().links['patient'].token}"
    page = client.get(path)
    token = csrf_token_from(page.text)
    assert client.post(path, data={**PATIENT_FORM, "csrf_token": token}).status_code == 303
    again = client.post(path, data={**PATIENT_FORM, "csrf_token": token})
    assert again.status_code == 409 and "Already answered" in again.text
    assert client.get(path).status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_an_answered_link_that_has_expired_still_says_it_was_answered(client, make_session):
    """Not "expired, ask your clinic for a new link": an answered invitation gets no new link."""
    path = f"/s/{make_session().links['patient'].token}"
    token = csrf_token_from(client.get(path).text)
    assert client.post(path, data={**PATIENT_FORM, "csrf_token": token}).status_code == 303
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=73)):
        for page in (client.get(path), client.post(path, data={**PATIENT_FORM, "csrf_token": token})):
            assert page.status_code == 409 and "Already answered" in page.text and "expired" not in page.text
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_missing_and_out_of_range_answers_reshow_the_form_keeping_input(client, make_session):
    path = f"/s/{make_session().links['patient'].token}"
    form = {**PATIENT_FORM, "bond_trust": "9"}
    del form["task_fit"]
    page = _submit(client, path, form)
    assert page.status_code == 422
    assert "Please check 2 answers" in page.text
    assert "Please choose a value from 1 to 5." in page.text
    # The summary names each question, so a patient knows which one to fix.
    summary = page.text[page.text.index('id="error-summary"'):page.text.index("</ul>")]
    assert "“I feel I can be open with my therapist.”: Please choose a value from 1 to 5." in summary
    assert "“The way we work together suits me.”: Please answer this question." in summary
    # What was entered is kept: the comment text and the chosen radio values.
    assert "I felt rushed at the end." in page.text
    assert re.search(r'name="bond_understood" value="4" checked', page.text)
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_post_without_csrf_token_is_refused_and_stores_nothing(client, make_session):
    path = f"/s/{make_session().links['patient'].token}"
    client.get(path)
    refused = client.post(path, data=PATIENT_FORM)
    assert refused.status_code == 400 and "nothing was saved" in refused.text
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_therapist_form_round_trip(client, make_session):
    path = f"/s/{make_session().links['therapist'].token}"
    form = {"t_connected": "3", "t_collab": "4", "t_task": "4", "t_goal": "5", "rupture": "yes",
            "rupture_tension": "3", "rupture_resolved": "4", "markers": ["withdrawal_away"],
            "strategy": ["metacommunicate", "clarify"]}
    assert _submit(client, path, form).status_code == 303
    stored = db.session.scalars(select(Response)).one()
    assert stored.answers["strategy"] == ["clarify", "metacommunicate"]
    assert stored.scores == {"bond": 3.5, "task": 4.0, "goal": 5.0, "alliance": 4.0}


def test_survey_page_weight(client, make_session):
    """HTML + CSS under 30 KB, no external hosts referenced."""
    path = f"/s/{make_session().links['patient'].token}"
    html = client.get(path).data
    css = client.get("/static/feedback/base.css").data
    assert len(html) + len(css) < 30 * 1024
    assert b"http://" not in html.replace(b"http://localhost", b"") and b"https://" not in html


def test_link_can_be_rebuilt_by_the_app_but_not_from_the_database_alone(app, make_session):
    from feedback import tokens
    from feedback.invitations import link_token

    link = make_session().links["patient"]
    stored = db.session.get(Invitation, link.invitation.id)
    assert link_token(stored) == link.token
    # Without SECRET_KEY the nonce gives nothing: another key yields another token.
    assert tokens.token_for(tokens.derive_key("another secret"), stored.token_nonce) != link.token


def test_reissued_link_replaces_the_old_one(client, make_session):
    from feedback.invitations import reissue

    link = make_session().links["patient"]
    fresh = reissue(link.invitation, valid_for=timedelta(hours=72))
    assert fresh != link.token
    assert client.get(f"/s/{link.token}").status_code == 404
    assert client.get(f"/s/{fresh}").status_code == 200
