"""A clinic with a director and a therapist, and a way to give it a history of answered sessions."""

from __future__ import annotations

import itertools

import pytest

from tests.auth.conftest import sign_in_as  # noqa: F401  (fixture)
from tests.calibration.history import give_history as build_history


@pytest.fixture
def staff(make_clinic, make_user):
    clinic = make_clinic()
    return clinic, make_user(role="director", clinic=clinic), make_user(clinic=clinic)


@pytest.fixture
def give_history():
    start = itertools.count(0, 1000)

    def give(therapist, patients: int, sessions: int = 5) -> list:
        return build_history(therapist, patients, sessions, first_index=next(start))

    return give
