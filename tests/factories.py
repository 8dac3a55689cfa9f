"""Factory fixtures: callables that build persisted test data with sensible defaults."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dashboards.setup import operations as setup
from feedback.extensions import db
from feedback.instruments.registry import registry
from feedback.instruments.scoring import score
from feedback.invitations import record_response
from feedback.links import link_validity, session_instruments
from feedback.models import Clinic, Patient, Response, User
from feedback.sessions import SessionRecorded, record_session

TEST_PASSWORD = "otter-harbour-lantern-47"  # noqa: S105

#: A whole patient form as the survey posts it (a reported, unresolved rupture and a comment).
PATIENT_FORM = {
    "bond_understood": "4", "bond_trust": "5", "task_useful": "4", "task_fit": "3",
    "goal_agree": "5", "goal_unclear": "2", "rupture": "yes", "rupture_tension": "4",
    "rupture_resolved": "2", "held_back": "4", "went_along": "2", "frustrated": "3",
    "comment": "I felt rushed at the end.",
}

#: A calm patient form, as typed answers.
CALM = {"bond_understood": 5, "bond_trust": 5, "task_useful": 4, "task_fit": 4, "goal_agree": 5, "goal_unclear": 1,
        "rupture": False, "held_back": 1, "went_along": 1, "frustrated": 1}


def answer_patient_form(recorded: SessionRecorded, answers: dict[str, Any]) -> Response:
    """Store the patient's answers for a recorded session, scored, as the survey would."""
    instrument = registry().get("post-session-patient")
    return record_response(recorded.links["patient"].invitation, answers, score(instrument, answers))


@pytest.fixture
def make_clinic(app: Any) -> Callable[..., Clinic]:
    counter = iter(range(1, 10_000))

    def make(name: str | None = None, timezone: str = "Europe/London") -> Clinic:
        return setup.add_clinic(name or f"Clinic {next(counter)}", timezone)

    return make


@pytest.fixture
def make_user(make_clinic: Callable[..., Clinic]) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(
        role: str = "therapist",
        clinic: Clinic | None = None,
        email: str | None = None,
        password: str | None = TEST_PASSWORD,
        display_name: str = "",
    ) -> User:
        return setup.add_user(
            email or f"{role}{next(counter)}@example.org", clinic or make_clinic(), role, password, display_name
        )

    return make


@pytest.fixture
def make_patient(make_user: Callable[..., User]) -> Callable[..., Patient]:
    counter = iter(range(1, 10_000))

    def make(therapist: User | None = None, code: str | None = None, **kwargs: Any) -> Patient:
        therapist = therapist or make_user()
        return setup.add_patient(code or f"P-{next(counter):03d}", therapist.clinic, therapist, **kwargs)

    return make


@pytest.fixture
def make_session(make_patient: Callable[..., Patient]) -> Callable[..., SessionRecorded]:
    def make(
        patient: Patient | None = None, attendance: str = "attended", starts_at: datetime | None = None, **kwargs: Any
    ) -> SessionRecorded:
        return record_session(
            patient or make_patient(),
            starts_at=starts_at or datetime.now(UTC) - timedelta(hours=1),
            attendance=attendance,
            instruments=session_instruments(),
            valid_for=link_validity(),
            **kwargs,
        )

    return make


__all__ = ["TEST_PASSWORD", "db", "make_clinic", "make_patient", "make_session", "make_user"]
