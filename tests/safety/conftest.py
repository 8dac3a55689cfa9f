"""A clinic for the safety pathway: a therapist with a patient, a colleague it is shared with, another
therapist, a director, an admin and an on-call address; and a second clinic that must never see it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from dashboards.access.models import PatientShare
from feedback.extensions import db
from feedback.models import Clinic, Patient, User
from tests.auth.conftest import as_user, sign_in_as  # noqa: F401  (fixtures)

BASE = "https://clinic.example.org"
ON_CALL = "oncall@north.example"


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"PUBLIC_BASE_URL": BASE}


@dataclass
class Clinics:
    north: Clinic
    south: Clinic
    alex: User  # treats P-1
    casey: User  # P-1 is shared with her
    blake: User  # another therapist of the clinic
    director: User
    admin: User
    south_director: User
    patient: Patient


@pytest.fixture
def clinics(make_clinic, make_user, make_patient) -> Clinics:
    north, south = make_clinic("Northside", "Europe/London"), make_clinic("Southside", "Europe/London")

    def user(role: str, clinic: Clinic, email: str, name: str) -> User:
        return make_user(role, clinic, email=email, display_name=name)

    alex = user("therapist", north, "alex@north.example", "Alex")
    casey = user("therapist", north, "casey@north.example", "Casey")
    patient = make_patient(alex, code="P-1")
    db.session.add(PatientShare(patient=patient, user=casey))
    north.on_call_emails = [ON_CALL]
    world = Clinics(
        north=north, south=south, alex=alex, casey=casey, blake=user("therapist", north, "blake@north.example", "Blake"),
        director=user("director", north, "dana@north.example", "Dana"),
        admin=user("admin", north, "admin@north.example", "Ari"),
        south_director=user("director", south, "sam@south.example", "Sam"), patient=patient,
    )
    db.session.commit()
    return world


@pytest.fixture
def sink(app, sink):
    """The suite's SMTP sink, with the app sending to it."""
    app.config.update(SMTP_HOST=sink.host, SMTP_PORT=sink.port, SMTP_FROM="monitor@clinic.example.org",
                      SMTP_STARTTLS="0")
    return sink
