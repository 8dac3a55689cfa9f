"""A clinic-supplied instrument: single choice answers, and a version pinned by `instrument_version`."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from feedback.extensions import db
from feedback.instruments.registry import registry
from feedback.instruments.scoring import score
from feedback.models import Invitation
from tests.importer.helpers import EXAMPLE, csv_line, csv_text

HEADER = ["patient_code", "therapist_email", "session_number", "session_date", "attendance", "respondent",
          "instrument_id", "instrument_version", "q1", "q2", "q3", "rupture", "rupture_tension", "rupture_resolved",
          "topic", "comment"]


@pytest.fixture
def app_config():
    return {"INSTRUMENT_DIRS": str(EXAMPLE.parent)}  # docs/examples/licensed-instrument.yaml


def line(**cells: str) -> str:
    base = {"patient_code": "P-1", "therapist_email": "t@example.org", "session_number": "1",
            "session_date": "2025-03-04", "attendance": "attended", "respondent": "patient",
            "instrument_id": "licensed-alliance-example", "q1": "4", "q2": "3", "q3": "2", "rupture": "yes",
            "rupture_tension": "2", "rupture_resolved": "5", "topic": "relationship"}
    return csv_line(HEADER, **{**base, **cells})


def test_single_choice_and_pinned_version(import_csv):
    result = import_csv(csv_text(",".join(HEADER), line(instrument_version="1.0")), "--create-missing")
    assert result.exit_code == 0, result.output
    invitation = db.session.scalars(select(Invitation)).one()
    instrument = registry().get("licensed-alliance-example", "1.0")
    assert (invitation.instrument_id, invitation.instrument_version) == (instrument.id, "1.0")
    answers = {"q1": 4, "q2": 3, "q3": 2, "rupture": True, "rupture_tension": 2, "rupture_resolved": 5,
               "topic": "relationship"}
    assert invitation.response.answers == answers
    # bond = q1; task = q2; goal = 6 - q3 (reversed); alliance = (4 + 3 + 4) / 3.
    assert invitation.response.scores == score(instrument, answers) == {
        "bond": 4.0, "task": 3.0, "goal": 4.0, "alliance": 3.6667}


def test_unknown_option_and_unknown_version(import_csv):
    rows = [line(topic="money"), line(session_number="2", session_date="2025-03-11", instrument_version="9")]
    result = import_csv(csv_text(",".join(HEADER), *rows), "--create-missing")
    assert result.exit_code == 1
    assert "row 2, column topic: 'money' is not one of tasks, goals, relationship" in result.output
    assert "row 3, column instrument_version: no instrument licensed-alliance-example version 9" in result.output
