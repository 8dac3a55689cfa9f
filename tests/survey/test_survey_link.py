"""The link as the survey's pages read it (feedback/survey_link.py) holds what the models hold,
under the models' own names: the survey's functions read either the same way."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any

from feedback.extensions import db
from feedback.invitations import resolve
from feedback.models import Invitation


def _same_as_model(read: Any, model: Any, path: str = "link") -> None:
    for field in fields(read):
        value, expected = getattr(read, field.name), getattr(model, field.name)
        if is_dataclass(value):
            _same_as_model(value, expected, f"{path}.{field.name}")
        else:
            assert value == expected, f"{path}.{field.name}"


def test_a_link_reads_what_the_models_hold_for_patient_and_therapist(make_session, make_patient, make_user):
    # Every language and battery different, so that two columns read into each other's place show.
    therapist = make_user()  # language None: the clinic's
    patient = make_patient(therapist, language="es")
    therapist.clinic.language = "de"
    therapist.clinic.outcome_battery = [{"instrument": "phq-9", "every": 4}]
    therapist.clinic.crisis_text = {"en": "Call the clinic's duty line."}
    patient.outcome_battery = [{"instrument": "gad-7", "every": 2}]
    db.session.commit()
    recorded = make_session(patient)

    for respondent in ("patient", "therapist"):
        link = resolve(recorded.links[respondent].token)
        _same_as_model(link, db.session.get(Invitation, link.id))
        assert link.session.patient.clinic.zone == therapist.clinic.zone
