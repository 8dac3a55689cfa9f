"""Issue 16 §2, the web edges: a control character or bidi override in any form field, survey
answer, path or query parameter is refused (422 with the field's message, 404 for a path) and
never stored; kept text is NFC-normalised; numbers take the digits 0-9 only."""

from __future__ import annotations

import html
import io
import json

import pytest
from flask import Flask
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import FileField, SelectField

from dashboards.fhir.operations import import_bundle
from dashboards.risk.changed import evaluate_changed
from dashboards.therapist.models import GuidanceNote
from feedback.extensions import db
from feedback.models import Response, TherapySession
from tests.conftest import csrf_token_from
from tests.factories import CALM, PATIENT_FORM, answer_patient_form

MARKER = "HOSTILE-7Q2X"
REFUSED = "invisible control character"
HOSTILE = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\u202a", "\u202e", "\u2066", "\u2069"]


@pytest.fixture
def flagged(world, make_session) -> None:
    """P-A1 with an unresolved rupture: its page shows the guidance panel and its note form."""
    answer_patient_form(make_session(world.patient), {**CALM, "rupture": True, "rupture_tension": 4,
                                                      "rupture_resolved": 1})
    evaluate_changed()  # the worker's next poll: an answer's flags are evaluated outside its request


def stored_anywhere(text: str) -> list[str]:
    """The tables with a row holding `text` in any column."""
    db.session.rollback()
    return [table.name for table in db.metadata.sorted_tables
            if any(text in repr(tuple(row)) for row in db.session.execute(select(table)))]


def post(client, page_url: str, url: str, data: dict[str, str]):
    page = client.get(page_url)
    assert page.status_code == 200, page.status_code
    return client.post(url, data={**data, "csrf_token": csrf_token_from(page.text)})


def shown(response) -> str:
    return html.unescape(response.text)


@pytest.mark.parametrize("character", HOSTILE, ids=[f"U+{ord(c):04X}" for c in HOSTILE])
def test_a_note_with_a_control_or_bidi_character_is_refused_with_its_message(client, world, flagged, sign_in_as,
                                                                             character):
    sign_in_as(client, world.own)
    response = post(client, "/patients/P-A1", "/patients/P-A1/notes", {"text": f"{MARKER} {character} planned"})
    assert response.status_code == 422
    assert f"{REFUSED} (U+{ord(character):04X})" in shown(response)
    assert f"{MARKER} {character} planned" in shown(response)  # the text is kept for the therapist to fix
    assert stored_anywhere(MARKER) == []


def test_a_note_keeps_tabs_and_line_breaks_and_is_stored_nfc(client, world, flagged, sign_in_as):
    sign_in_as(client, world.own)
    response = post(client, "/patients/P-A1", "/patients/P-A1/notes", {"text": "Cafe\u0301 talk:\r\n\tnext week"})
    assert response.status_code == 303
    assert db.session.scalars(select(GuidanceNote.text)).all() == ["Caf\u00e9 talk:\n\tnext week"]


SESSION = {"day": "2026-01-05", "start": "14:00", "duration_minutes": "50", "attendance": "attended"}


# (who, page with the form, where it posts, the fields sent, the field that holds the hostile text)
FORMS = {
    "sign-in": (None, "/login", "/login", {"email": "", "password": "a-password"}, "email"),
    "note": ("own", "/patients/P-A1", "/patients/P-A1/notes", {"text": ""}, "text"),
    "new patient": ("own", "/new-patient", "/new-patient", {"code": "", "language": "en"}, "code"),
    "new session": ("own", "/patients/P-A1/sessions/new", "/patients/P-A1/sessions/new",
                    {"start": "14:00", "duration_minutes": "50", "attendance": "attended"}, "day"),
    "end treatment": ("own", "/patients/P-A1/end", "/patients/P-A1/end", {"reason": "completed"}, "ended_on"),
    "change password": ("own", "/account", "/account/password",
                        {"password": "a-new-long-password", "confirm": "a-new-long-password"}, "current"),
    "add account": ("director", "/clinic/therapists", "/clinic/therapists", {"display_name": "N"}, "email"),
    "break-glass": ("admin", "/admin/break-glass", "/admin/break-glass", {"patient_code": "P-A1"}, "reason"),
}


@pytest.mark.parametrize("form", FORMS)
def test_every_form_refuses_a_nul_with_the_field_message_and_stores_nothing(client, world, flagged, sign_in_as, form):
    who, page_url, url, data, field = FORMS[form]
    if who:
        sign_in_as(client, getattr(world, who))
    response = post(client, page_url, url, {**data, field: f"{MARKER}\x00"})
    assert response.status_code == 422
    assert f"{REFUSED} (U+0000)" in shown(response)
    assert stored_anywhere(MARKER) == []


def _fhir_bundle_holding(text: str) -> list[str]:
    """The problems of the FHIR import page's use case for a bundle holding `text` in one string."""
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"fullUrl": "urn:uuid:1", "resource": {"resourceType": "QuestionnaireResponse", "id": text}}]}
    return [str(problem) for problem in import_bundle(json.dumps(bundle).encode(), clinic_name="No clinic").problems]


#: A file field's contents are a format its use case takes apart, so that use case applies the rule to
#: every string in them: for each file field of a form, the use case's problems for contents holding `text`.
FILE_CONTENTS = {"ImportForm.bundle": _fhir_bundle_holding}


def test_every_form_class_applies_the_rule_to_every_field(app: Flask):
    forms = [cls for cls in _subclasses(FlaskForm) if cls.__module__.startswith(("dashboards.", "feedback."))]
    assert len(forms) >= 10
    for cls in forms:
        names = _field_names(cls)
        files = _file_field_names(cls)
        # A file field takes no text, only an upload: the rule meets the name the upload carries.
        data = {name: (io.BytesIO(b"{}"), "1\u202e.json") if name in files else "1\u202e" for name in names}
        with app.test_request_context(method="POST", data=data):
            form = cls(meta={"csrf": False})
            for field in form:
                if isinstance(field, SelectField) and field.choices is None:
                    field.choices = []  # set by its view
            form.validate()
            for field in form:
                assert any(REFUSED in message for message in field.errors), f"{cls.__name__}.{field.name}"
        for name in files:
            contents = FILE_CONTENTS.get(f"{cls.__name__}.{name}")
            assert contents is not None, f"{cls.__name__}.{name}: say in FILE_CONTENTS where its contents get the rule"
            refused = contents(f"{MARKER}\u202e")
            assert refused and all(REFUSED in problem for problem in refused), (cls.__name__, name, refused)


def _file_field_names(cls: type) -> set[str]:
    return {name for name, field in cls(formdata=None, meta={"csrf": False})._fields.items()
            if isinstance(field, FileField)}


def _subclasses(cls: type) -> list[type]:
    return [sub for direct in cls.__subclasses__() for sub in (direct, *_subclasses(direct))]


def _field_names(cls: type) -> list[str]:
    return [name for name, _ in cls(formdata=None, meta={"csrf": False})._fields.items()]


def test_a_number_written_with_other_digits_is_refused(client, world, sign_in_as):
    sign_in_as(client, world.own)
    page = "/patients/P-A1/sessions/new"
    response = post(client, page, page, {**SESSION, "duration_minutes": "\u0665\u0660"})  # Arabic-Indic 50
    assert response.status_code == 422 and "digits 0-9" in shown(response)
    response = post(client, page, page, {**SESSION, "duration_minutes": "\uff15\uff10"})  # full-width 50
    assert response.status_code == 422 and "digits 0-9" in shown(response)
    assert db.session.scalars(select(TherapySession)).all() == []


def _survey(client, make_session):
    path = f"/s/{make_session().links['patient'].token}"
    return path, csrf_token_from(client.get(path).text)


@pytest.mark.parametrize("character", ["\x00", "\x0c", "\x9b", "\u202e"])
def test_the_survey_comment_refuses_control_characters(client, make_session, character):
    path, csrf = _survey(client, make_session)
    response = client.post(path, data={**PATIENT_FORM, "comment": f"{MARKER}{character}", "csrf_token": csrf})
    assert response.status_code == 422
    assert f"remove the invisible control character (U+{ord(character):04X}) from your answer" in shown(response)
    assert db.session.scalars(select(Response)).all() == []


def test_the_survey_comment_keeps_line_breaks_nfc_and_a_scale_takes_only_digits_0_9(client, make_session):
    path, csrf = _survey(client, make_session)
    response = client.post(path, data={**PATIENT_FORM, "bond_trust": "\u0664", "csrf_token": csrf})
    assert response.status_code == 422  # Arabic-Indic 4
    assert db.session.scalars(select(Response)).all() == []
    comment = "Cafe\u0301 was fine.\r\n\tThanks"
    response = client.post(path, data={**PATIENT_FORM, "comment": comment, "csrf_token": csrf})
    assert response.status_code == 303
    assert db.session.scalars(select(Response)).one().answers["comment"] == "Caf\u00e9 was fine.\n\tThanks"


def test_hostile_path_parameters_answer_404(client, world, sign_in_as, make_session):
    sign_in_as(client, world.own)
    make_session(world.patient)
    assert client.get("/patients/P-A1/sessions/1").status_code == 200
    for path in ("/patients/%00", "/patients/P-A1%00", "/patients/P-A1%E2%80%AE", "/patients/%1B/export.csv",
                 "/patients/P-A1/sessions/99999999999999999999", "/patients/P-A1/sessions/2147483648",
                 "/patients/P-A1/sessions/%D9%A1", "/patients/P-A1/sessions/%EF%BC%91",
                 "/s/%00", "/s/%E2%80%AE", "/password/set/%00", "/static/%00"):
        response = client.get(path)
        assert response.status_code == 404, path
        db.session.rollback()  # the test keeps one app context: a failed transaction would outlive the request


def test_hostile_search_and_filter_parameters_answer_422_and_a_page_mark_never_overflows(client, world, sign_in_as):
    sign_in_as(client, world.director)
    for path in ("/clinic/audit?patient=%00", "/clinic/audit?patient=P-A1%E2%80%AE", "/?risk=%1B",
                 "/?status=active%C2%85", "/login?next=/%00"):
        response = client.get(path)
        assert response.status_code == 422, path
        assert REFUSED in shown(response)
        db.session.rollback()
    for path in ("/clinic/audit?before=99999999999999999999", "/clinic/audit?before=%D9%A1"):
        assert client.get(path).status_code == 200, path  # a page mark that is no number marks no page
