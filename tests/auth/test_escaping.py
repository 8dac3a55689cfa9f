"""Text typed by patients (or anyone) is shown as text, never run as markup; exports are not formulas."""

from __future__ import annotations

import csv
import io

import pytest

from feedback.extensions import db
from feedback.invitations import record_response

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</textarea><svg onload=alert(1)>",
    "javascript:alert(1)//<a href=\"javascript:alert(1)\">x</a>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_patient_free_text_is_escaped_on_the_patient_page(app, world, make_session, sign_in_as, payload):
    invitation = make_session(world.patient).links["patient"].invitation
    record_response(invitation, {"comment": payload, "rupture": False}, {})
    client = app.test_client()
    sign_in_as(client, world.own)
    page = client.get("/patients/P-A1").text
    assert payload not in page
    assert "&lt;" in page and ("&gt;" in page or "&#34;" in page)
    assert "<script>alert" not in page and "<img src=x" not in page and "<svg onload" not in page


def test_names_typed_by_staff_are_escaped_too(app, world, sign_in_as):
    world.target.display_name = "<script>alert('name')</script>"
    db.session.commit()
    client = app.test_client()
    sign_in_as(client, world.director)
    page = client.get("/clinic/therapists").text
    assert "<script>alert('name')</script>" not in page and "&lt;script&gt;" in page


def test_export_cells_never_start_a_formula(app, world, make_session, sign_in_as):
    invitation = make_session(world.patient).links["patient"].invitation
    record_response(invitation, {"comment": '=HYPERLINK("http://evil.example","x")', "rupture": False}, {})
    client = app.test_client()
    sign_in_as(client, world.own)
    rows = list(csv.DictReader(io.StringIO(client.get("/patients/P-A1/export.csv").text)))
    assert rows[0]["comment"] == "'=HYPERLINK(\"http://evil.example\",\"x\")"
