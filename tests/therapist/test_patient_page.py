"""The patient page: who and how at risk, charts with their tables, every flag with its numbers,
each session with both sides' answers (escaped), the guidance panel and its notes, and the links."""

from __future__ import annotations

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from dashboards.access.models import PatientShare
from dashboards.audit import AuditEvent
from dashboards.flags import DEFAULT_THRESHOLDS, Answers, PatientHistory, SessionRecord
from dashboards.guidance import guidance_from_history
from dashboards.therapist.models import GuidanceNote
from dashboards.therapist.record import guidance
from feedback.extensions import db
from feedback.invitations import link_token, record_response
from feedback.models import Invitation, utcnow
from feedback.models.outbox import OutboxMessage
from tests.conftest import csrf_token_from
from tests.dashboards.builders import CALM, THERAPIST_CALM, UNRESOLVED
from tests.therapist.conftest import section, text, treat

WITHDRAWN = {**CALM, "rupture": True, "rupture_tension": 4, "rupture_resolved": 1, "held_back": 5, "went_along": 4}
THERAPIST_SAW = {**THERAPIST_CALM, "rupture": True, "rupture_tension": 2, "rupture_resolved": 3,
                 "markers": ["withdrawal_away"], "note": "Quiet after the homework <b>review</b>"}


@pytest.fixture
def ruptured(world):
    """P-A1: three calm sessions, then an unresolved rupture with withdrawal signs on both forms."""
    treat(world.patient, [(CALM, THERAPIST_CALM)] * 3 + [(WITHDRAWN, THERAPIST_SAW)])
    return world.patient


def test_header_says_how_at_risk_and_why(ruptured, world, as_user):
    page = as_user(world.own).get("/patients/P-A1")
    assert page.status_code == 200
    head = text(section(page.text, "main")[:page.text.index('class="page-links"')])
    assert "Patient P-A1" in head and "High risk" in head
    assert "Why: Tension 4 of 5, unresolved (1 of 5) · session 4" in head
    assert "Active" in head and world.own.display_name in head
    assert "Sessions so far 4" in head and "Forms answered 100% (4 of 4)" in head


def test_four_charts_from_one_json_with_a_table_each(ruptured, world, as_user):
    client = as_user(world.own)
    page = client.get("/patients/P-A1").text
    sources = re.findall(r'data-chart-src="([^"]+)" data-chart-key="(\w+)"', page)
    assert sources == [("/patients/P-A1/charts.json", scale) for scale in ("alliance", "bond", "task", "goal")]
    assert 'role="img"' not in page
    for scale in ("alliance", "bond", "task", "goal"):
        assert f'aria-describedby="table-{scale}"' in page and f'id="table-{scale}"' in page
    assert "Rupture, unresolved, reported by both" in text(section(page, "table-alliance"))
    assert "Patient's usual level 4.7 (mean of sessions 1, 2, 3 and 4)" in text(page)

    figures = client.get("/patients/P-A1/charts.json")
    assert figures.status_code == 200 and figures.headers["Cache-Control"] == "no-store"
    assert set(figures.json) == {"alliance", "bond", "task", "goal"}
    assert all(figure["data"] and figure["layout"] for figure in figures.json.values())
    actions = [e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.patient_id == world.patient.id))]
    assert actions == ["view_patient", "view_patient_data"]


def test_charts_json_follows_the_policy(ruptured, world, as_user):
    assert as_user(world.other).get("/patients/P-A1/charts.json").status_code == 404
    assert as_user(world.director).get("/patients/P-A1/charts.json").status_code == 200


def test_flag_history_lists_every_event_with_its_reason_and_numbers(ruptured, world, as_user):
    history = text(section(as_user(world.own).get("/patients/P-A1").text, "events"))
    assert "High · Unresolved rupture Session 4 · Current" in history
    assert "tension 4 resolved 1" in history  # the numbers behind it
    assert "First flagged" in history


def test_sessions_show_both_sides_answers_side_by_side(ruptured, world, as_user):
    page = as_user(world.own).get("/patients/P-A1").text
    latest = page[page.index('id="session-4"'):page.index('id="session-3"')]
    patient, therapist = latest.split('aria-label="Therapist')
    assert "I held back something I wanted to say. 5 of 5 (Very much)" in text(patient)
    assert "How strong was it? 4 of 5" in text(patient)
    assert "Which markers did you see? Withdrawal, away: silences" in text(therapist)
    assert "Tension reported by both" in text(latest)
    # The therapist's free text is shown as text, never as markup.
    assert "Quiet after the homework &lt;b&gt;review&lt;/b&gt;" in therapist and "<b>review" not in therapist


def test_guidance_panel_names_the_kind_and_the_note_is_kept(ruptured, world, as_user):
    client = as_user(world.own)
    page = client.get("/patients/P-A1").text
    panel = text(section(page, "guidance"))
    assert "it looks like a withdrawal rupture" in panel
    assert 'Patient: "I held back something I wanted to say", 5 of 5' in panel
    assert "What do you plan to do, or what happened when you raised it?" in panel
    response = client.post("/patients/P-A1/notes", data={"text": "Invite what went unsaid <i>gently</i>.",
                                                        "csrf_token": csrf_token_from(page)})
    assert response.status_code == 303 and response.location.endswith("/patients/P-A1#guidance")
    note = db.session.scalars(select(GuidanceNote)).one()
    assert (note.author_id, note.session_number, note.kind) == (world.own.id, 4, "withdrawal")
    notes = section(client.get("/patients/P-A1").text, "guidance")
    assert "Invite what went unsaid &lt;i&gt;gently&lt;/i&gt;." in notes and world.own.display_name in text(notes)
    (row,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "add_guidance_note"))
    assert row.patient_id == world.patient.id and "unsaid" not in row.detail


@pytest.mark.parametrize(("note", "message"), [("   ", "Write a note before saving it."),
                                               ("x" * 2001, "Keep the note to 2000 characters at most.")])
def test_a_note_that_cannot_be_saved_comes_back_with_a_message(ruptured, world, as_user, note, message):
    client = as_user(world.own)
    token = csrf_token_from(client.get("/patients/P-A1").text)
    response = client.post("/patients/P-A1/notes", data={"text": note, "csrf_token": token})
    assert response.status_code == 422
    assert message in text(section(response.text, "guidance"))
    assert note.strip()[:50] in response.text  # the text is kept
    assert db.session.scalars(select(GuidanceNote)).all() == []


def test_only_those_who_manage_the_treatment_write_notes(ruptured, world, as_user):
    db.session.add(PatientShare(patient=world.patient, user=world.other))
    db.session.commit()
    colleague = as_user(world.other)
    page = colleague.get("/patients/P-A1")
    assert page.status_code == 200 and "note-text" not in page.text and "Add a session" not in page.text
    response = colleague.post("/patients/P-A1/notes", data={"text": "x", "csrf_token": csrf_token_from(page.text)})
    assert response.status_code == 403
    assert as_user(world.director).get("/patients/P-A1").text.count('id="note-text"') == 1


def test_no_guidance_panel_without_a_rupture_or_decline(world, as_user):
    treat(world.patient, [(CALM, THERAPIST_CALM)] * 4)
    page = as_user(world.own).get("/patients/P-A1").text
    assert 'id="guidance"' not in page and "No flag" in page


def test_open_patient_form_shows_its_link_to_hand_over_and_a_fresh_link_replaces_it(world, as_user, make_session):
    recorded = make_session(world.patient)
    old = recorded.links["patient"].token
    client = as_user(world.own)
    page = client.get("/patients/P-A1").text
    session = page[page.index('id="session-1"'):]
    assert f'value="http://localhost/s/{old}"' in session and "copy-button" in session
    assert "Not sent by SMS" in text(session)
    own_form = recorded.links["therapist"].token
    assert f'href="/s/{own_form}"' in session  # the therapist's own form, one tap

    response = client.post("/patients/P-A1/sessions/1/fresh-link",
                           data={"respondent": "patient", "csrf_token": csrf_token_from(page)})
    assert response.status_code == 303 and response.location.endswith("/patients/P-A1#session-1")
    invitation = db.session.scalars(select(Invitation).where(Invitation.respondent == "patient")).one()
    db.session.refresh(invitation)
    new = link_token(invitation)
    assert new != old
    assert client.get(f"/s/{old}").status_code == 404
    after = client.get("/patients/P-A1").text
    assert f"/s/{new}" in after and "ready to hand over" in text(after)
    assert [e.detail for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "fresh_link"))] == [
        "session 1, patient form"]


def test_an_answered_form_needs_no_fresh_link(world, as_user, make_session):
    invitation = make_session(world.patient).links["patient"].invitation
    record_response(invitation, dict(CALM), {})
    client = as_user(world.own)
    token = csrf_token_from(client.get("/patients/P-A1").text)
    response = client.post("/patients/P-A1/sessions/1/fresh-link", data={"respondent": "patient", "csrf_token": token})
    assert response.status_code == 303
    assert "answered already" in client.get("/patients/P-A1").text
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "fresh_link")).all() == []


def test_an_ended_treatment_offers_and_gives_no_fresh_link(world, as_user, make_session):
    make_session(world.patient)
    client = as_user(world.own)
    token = csrf_token_from(client.get("/patients/P-A1").text)
    assert "/sessions/1/fresh-link" in client.get("/patients/P-A1").text  # offered while the treatment runs
    world.patient.status, world.patient.end_reason = "ended", "completed"
    db.session.commit()
    page = client.get("/patients/P-A1").text
    assert "/sessions/1/fresh-link" not in page  # no button for a treatment that has ended
    response = client.post("/patients/P-A1/sessions/1/fresh-link", data={"respondent": "patient", "csrf_token": token})
    assert response.status_code == 303
    assert "has ended, so its forms get no new links" in client.get("/patients/P-A1").text
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "fresh_link")).all() == []


def test_fresh_link_input_is_checked(world, as_user, make_session):
    make_session(world.patient)
    client = as_user(world.own)
    token = csrf_token_from(client.get("/patients/P-A1").text)
    assert client.post("/patients/P-A1/sessions/1/fresh-link", data={"respondent": "x", "csrf_token": token}
                       ).status_code == 422
    assert client.post("/patients/P-A1/sessions/9/fresh-link", data={"respondent": "patient", "csrf_token": token}
                       ).status_code == 404
    director = as_user(world.director)  # the therapist's own form is theirs alone
    token = csrf_token_from(director.get("/patients/P-A1").text)
    assert director.post("/patients/P-A1/sessions/1/fresh-link", data={"respondent": "therapist", "csrf_token": token}
                         ).status_code == 403


@pytest.mark.parametrize(("status", "action", "after"), [("failed", "resend", "pending"),
                                                         ("uncertain", "confirm", "sent")])
def test_a_failed_or_uncertain_sms_can_be_sent_again_or_confirmed(world, as_user, make_session, status, action, after):
    invitation = make_session(world.patient).links["patient"].invitation
    message = OutboxMessage(invitation=invitation, patient_id=world.patient.id, kind="invitation", due_at=utcnow(),
                            status=status, last_error="no delivery report",
                            last_attempt_at=utcnow() - timedelta(days=1))  # uncertain: past the grace period
    db.session.add(message)
    db.session.commit()
    client = as_user(world.own)
    page = client.get("/patients/P-A1").text
    assert "no delivery report" in text(section(page, "messages"))
    response = client.post(f"/patients/P-A1/messages/{message.id}", data={"action": action,
                                                                         "csrf_token": csrf_token_from(page)})
    assert response.status_code == 303
    db.session.refresh(message)
    assert message.status == after
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("sms_%"))).all() == [f"sms_{action}"]


def test_someone_elses_message_is_not_found(world, as_user, make_session, make_patient):
    other = make_patient(world.own, "P-A2")
    invitation = make_session(other).links["patient"].invitation
    message = OutboxMessage(invitation=invitation, patient_id=other.id, kind="invitation", due_at=utcnow(),
                            status="failed")
    db.session.add(message)
    db.session.commit()
    client = as_user(world.own)
    token = csrf_token_from(client.get("/patients/P-A1").text)
    assert client.post(f"/patients/P-A1/messages/{message.id}", data={"action": "resend", "csrf_token": token}
                       ).status_code == 404


def test_patient_free_text_is_escaped_everywhere_on_the_page(world, as_user):
    treat(world.patient, [({**UNRESOLVED, "comment": '<script>alert(1)</script>"><img src=x onerror=alert(1)>'},
                           THERAPIST_CALM)])
    page = as_user(world.own).get("/patients/P-A1").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_later_decline_does_not_hide_the_kind_of_a_current_rupture():
    """The rupture's own answers say which kind it is; a decline flagged a session later has none."""

    def answered(items):
        return Answers(answered=True, scores={}, items=items)

    history = PatientHistory(sessions=[
        SessionRecord(1, date(2026, 1, 5), "attended", answered({**UNRESOLVED, "frustrated": 5}), None),
        SessionRecord(2, date(2026, 1, 12), "attended", answered(dict(CALM)), None),
    ], norms={})
    events = [SimpleNamespace(code="unresolved_rupture", severity="high", current=True, session_number=1),
              SimpleNamespace(code="sudden_drop", severity="watch", current=True, session_number=2)]
    assert guidance(events, history, DEFAULT_THRESHOLDS).kind == "confrontation"
    assert guidance_from_history(events, history, DEFAULT_THRESHOLDS).kind != "confrontation"  # why it is needed


def test_a_current_note_does_not_hide_the_guidance_for_an_alert():
    history = PatientHistory(sessions=[
        SessionRecord(1, date(2026, 1, 5), "attended", Answers(True, {}, dict(CALM)), None),
        SessionRecord(2, date(2026, 1, 12), "attended", Answers(True, {}, {**CALM, "rupture": True,
                                                                            "rupture_tension": 1}), None),
    ], norms={})
    events = [SimpleNamespace(code="reliable_decline", severity="high", current=True, session_number=1),
              SimpleNamespace(code="rupture", severity="note", current=True, session_number=2)]
    panel = guidance(events, history, DEFAULT_THRESHOLDS)
    assert panel is not None and panel.triggers == ("reliable_decline",)
