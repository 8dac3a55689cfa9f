"""A clinic history of answered sessions that vary from session to session and patient to patient,
enough for the clinic's own norms (used by the calibration tests and the CSRF table)."""

from __future__ import annotations

from datetime import timedelta

from dashboards.risk.store import recompute_patients
from feedback.extensions import db
from feedback.models import Patient, User
from tests.dashboards.builders import CALM, NOW, add_weekly

LEVELS = (3, 4, 5)


def varied_form(patient: int, session: int) -> dict:
    usual = LEVELS[patient % 3]
    wobble = (0, 1, -1, 0, 1)[(patient + session) % 5]
    value = max(1, min(5, usual + wobble))
    return CALM | {"bond_understood": value, "bond_trust": max(1, value - (session % 2)), "task_useful": value,
                   "task_fit": usual, "goal_agree": value, "goal_unclear": 6 - usual}


def give_history(therapist: User, patients: int, sessions: int = 5, first_index: int = 0) -> list[Patient]:
    made = []
    for index in range(first_index, first_index + patients):
        patient = Patient(clinic=therapist.clinic, therapist=therapist, code=f"H-{index:03d}")
        db.session.add(patient)
        add_weekly(patient, [(varied_form(index, s), None) for s in range(sessions)],
                   first=NOW - timedelta(weeks=sessions))
        made.append(patient)
    db.session.commit()
    recompute_patients([p.id for p in made], now=NOW)
    return made
