""""Did you address the concern flagged after the last session?": therapist form version 2 asks it,
only when the patient had a current rupture or decline flag from an earlier session; the answer
shows on the patient page."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select

from dashboards.therapist.addressed import ITEM, concern_before, hidden_items
from feedback.extensions import db
from feedback.instruments.registry import registry
from feedback.invitations import record_response
from feedback.links import session_instruments
from feedback.models import Invitation
from tests.conftest import csrf_token_from
from tests.dashboards.builders import CALM, THERAPIST_CALM, UNRESOLVED
from tests.therapist.conftest import text, treat


def test_new_sessions_use_version_2_and_version_1_keeps_its_meaning(app):
    therapist = session_instruments()["therapist"]
    assert (therapist.id, therapist.version) == ("post-session-therapist", "2")
    item = therapist.item(ITEM)
    assert item.type == "single_choice" and not item.required and item.show_if is None
    assert [o.id for o in item.options] == ["yes", "partly", "not_yet"] and item.help
    old = registry().get("post-session-therapist", "1")
    assert ITEM not in {i.id for i in old.items}
    # Apart from the new item (and version 2's Spanish), the two versions ask the same.
    assert [english(i) for i in therapist.items if i.id != ITEM] == [english(i) for i in old.items]
    assert [english(s) for s in therapist.scales.values()] == [english(s) for s in old.scales.values()]


def english(value):
    """An item or scale with its texts in English only, the one language version 1 has."""
    if dataclasses.is_dataclass(value):
        return dataclasses.replace(value, **{f.name: english(getattr(value, f.name)) for f in dataclasses.fields(value)
                                             if f.init})
    if isinstance(value, dict) and "en" in value:
        return {"en": value["en"]}
    if isinstance(value, dict):
        return {key: english(v) for key, v in value.items()}
    if isinstance(value, tuple):
        return tuple(english(v) for v in value)
    return value


def therapist_invitation(patient, make_session) -> Invitation:
    return make_session(patient).links["therapist"].invitation


def test_asked_only_after_a_rupture_or_decline_flag_from_an_earlier_session(world, make_session):
    treat(world.patient, [(CALM, THERAPIST_CALM)] * 3)
    calm_next = therapist_invitation(world.patient, make_session)
    assert not concern_before(calm_next.session) and hidden_items(calm_next) == {ITEM}

    patient_form = db.session.scalars(select(Invitation).where(
        Invitation.session_id == calm_next.session_id, Invitation.respondent == "patient")).one()
    record_response(patient_form, dict(UNRESOLVED), {})  # session 4: an unresolved rupture, flagged
    assert hidden_items(calm_next) == {ITEM}  # not *before* session 4: nothing to have addressed in it
    after = therapist_invitation(world.patient, make_session)  # session 5
    assert concern_before(after.session) and hidden_items(after) == set()
    assert hidden_items(patient_form) == set()  # never on the patient's form


def test_a_version_1_form_has_nothing_to_hide(world, make_session):
    treat(world.patient, [(UNRESOLVED, THERAPIST_CALM)])
    invitation = therapist_invitation(world.patient, make_session)
    invitation.instrument_version = "1"
    assert hidden_items(invitation) == set()


def test_the_answer_shows_with_the_therapists_answers_and_in_the_guidance_panel(world, as_user):
    treat(world.patient, [(CALM, THERAPIST_CALM)] * 3 + [(UNRESOLVED, THERAPIST_CALM),
                                                        (UNRESOLVED, {**THERAPIST_CALM, ITEM: "partly"})])
    page = as_user(world.own).get("/patients/P-A1").text
    session = text(page[page.index('id="session-5"'):page.index('id="session-4"')])
    assert "Did you address the concern flagged after the last session? Partly" in session
    guidance = text(page[page.index('id="guidance"'):page.index('id="charts"')])
    assert "Your form after session 5: Did you address the concern flagged after the last session? Partly" in guidance


def test_the_therapist_form_shows_the_question_only_when_there_is_something_to_address(world, client, make_session):
    treat(world.patient, [(CALM, THERAPIST_CALM)] * 3)
    links = make_session(world.patient).links  # session 4
    calm = links["therapist"].token
    assert "Did you address the concern" not in client.get(f"/s/{calm}").text
    record_response(links["patient"].invitation, dict(UNRESOLVED), {})  # session 4 is flagged
    flagged = make_session(world.patient).links["therapist"].token  # session 5
    form = client.get(f"/s/{flagged}").text
    assert "Did you address the concern flagged after the last session?" in form
    assert "Your dashboard flagged a possible rupture" in form  # the help text says why it is asked
    # An answer to a question the form left out is not stored.
    answers = {"t_connected": "4", "t_collab": "4", "t_task": "4", "t_goal": "4", "rupture": "no", ITEM: "yes"}
    token = csrf_token_from(client.get(f"/s/{calm}").text)
    assert client.post(f"/s/{calm}", data={**answers, "csrf_token": token}).status_code == 303
    stored = db.session.get(Invitation, links["therapist"].invitation.id)
    db.session.refresh(stored)
    assert stored.response.answers["t_connected"] == 4 and ITEM not in stored.response.answers
