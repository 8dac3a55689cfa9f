"""A hand-built treatment for the chart tests (the unit tests here and the browser test).

Eleven weekly sessions with every kind of mark: a no-show and a cancellation, an unanswered form
from each side, a rupture left unresolved, one repaired (reported by both), one only the
therapist saw, and a last score below the patient's ordinary range.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from dashboards.demo.cohort import DEFAULT_NORMS
from dashboards.flags import Answers, PatientHistory, SessionRecord
from feedback.phrases import ENGLISH, said

START = datetime.date(2024, 1, 1)
ITEMS = {"patient": {"bond": ("bond_understood", "bond_trust")}, "therapist": {"bond": ("t_connected", "t_collab")}}


def patient(bond: float, alliance: float | None = None, **items: object) -> Answers:
    alliance = bond if alliance is None else alliance
    answers = {"bond_understood": math.floor(bond), "bond_trust": math.ceil(bond), "rupture": False, **items}
    return Answers(True, {"bond": bond, "task": 4.0, "goal": 4.0, "alliance": alliance}, answers)


def therapist(bond: float, **items: object) -> Answers:
    return Answers(True, {"bond": bond, "task": 4.0, "goal": 4.0, "alliance": bond},
                   {"t_connected": 4, "t_collab": 4, "rupture": False, **items})


UNANSWERED = Answers(False, {}, {})


def session(number: int, p: Answers | None, t: Answers | None, attendance: str = "attended") -> SessionRecord:
    return SessionRecord(number, START + datetime.timedelta(weeks=number - 1), attendance, p, t)


HISTORY = PatientHistory(
    sessions=[
        session(1, patient(4.5), therapist(4.0)),
        session(2, patient(4.0), therapist(4.0)),
        session(3, patient(4.5), therapist(4.5)),
        session(4, None, None, "no_show"),
        session(5, UNANSWERED, therapist(4.0)),
        session(6, patient(3.5, rupture=True, rupture_tension=4, rupture_resolved=1, held_back=4), therapist(4.0)),
        session(7, None, None, "cancelled"),
        session(8, patient(4.0, rupture=True, rupture_tension=2, rupture_resolved=5),
                therapist(4.0, rupture=True, rupture_tension=2, rupture_resolved=4)),
        session(9, patient(4.0), therapist(3.5, rupture=True, rupture_tension=3, rupture_resolved=3)),
        session(10, patient(4.5), UNANSWERED),
        session(11, patient(2.5), therapist(4.0)),
    ],
    norms=DEFAULT_NORMS,
)


def in_english(made: Any) -> Any:
    """A figure or table as the charts build it (phrases), said in English as a page would."""
    return said(made, ENGLISH)
