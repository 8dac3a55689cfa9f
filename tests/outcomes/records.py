"""Treatments with outcome answers written straight to the database, until the survey's outcome
flow stores them: weekly attended sessions with a calm alliance form, and per session a PHQ-9 and a
GAD-7 answer (OutcomeResponse on the session's patient invitation) with the given totals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from feedback.extensions import db
from feedback.models import Invitation, OutcomeResponse, Patient, TherapySession
from tests.dashboards.builders import CALM, NOW, add_session

ITEMS = {"phq-9": ("phq9", [f"phq9_{i}" for i in range(1, 9)]),  # item 9 (risk) stays 0: no safety alert
         "gad-7": ("gad7", [f"gad7_{i}" for i in range(1, 8)])}


def answers_for(instrument_id: str, total: int) -> dict[str, int]:
    """Item answers (0-3) that add up to `total`, the risk item left at 0."""
    _, items = ITEMS[instrument_id]
    assert 0 <= total <= 3 * len(items), total
    values = {item: min(3, max(0, total - 3 * i)) for i, item in enumerate(items)}
    return values | ({"phq9_9": 0} if instrument_id == "phq-9" else {})


def add_outcome(session: TherapySession, instrument_id: str, total: int) -> OutcomeResponse:
    db.session.flush()
    invitation = db.session.scalar(select(Invitation).where(Invitation.session_id == session.id,
                                                            Invitation.respondent == "patient"))
    assert invitation is not None, "the session has no patient invitation"
    scale, _ = ITEMS[instrument_id]
    row = OutcomeResponse(invitation_id=invitation.id, instrument_id=instrument_id, instrument_version="1",
                          answers=answers_for(instrument_id, total), scores={scale: total},
                          submitted_at=session.starts_at + timedelta(days=1))
    db.session.add(row)
    return row


def give_outcomes(patient: Patient, phq: Sequence[int | None], gad: Sequence[int | None] = (), *,
                  first: datetime | None = None, alliance: Sequence[dict[str, Any]] = ()) -> list[TherapySession]:
    """One attended weekly session per PHQ-9 total (None: no outcome answer that session), ending a
    week before NOW; the alliance form of each session from `alliance`, else calm."""
    first = first or NOW - timedelta(weeks=len(phq))
    sessions = []
    for i, total in enumerate(phq):
        form = alliance[i] if i < len(alliance) else CALM
        session = add_session(patient, i + 1, starts_at=first + timedelta(weeks=i), patient_form=form)
        if total is not None:
            add_outcome(session, "phq-9", total)
        if i < len(gad) and gad[i] is not None:
            add_outcome(session, "gad-7", gad[i])
        sessions.append(session)
    db.session.commit()
    return sessions
