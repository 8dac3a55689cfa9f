"""The clinic's answers, per scale and patient, to estimate its own norms from; who adopted them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from flask import current_app
from sqlalchemy import func, select

from dashboards.calibration.estimate import ScaleEstimate, estimate_scale
from dashboards.flags.timeline import as_score
from dashboards.risk.models import ClinicNorm
from feedback.extensions import db
from feedback.instruments.model import Instrument
from feedback.models import Invitation, Patient, Response, TherapySession, User

CACHED_CLINICS = 64  # estimates kept per process (a few KB each)


def _patient_answers(clinic_id: int, instrument: Instrument, *columns):
    """The clinic's patient responses on this instrument: the rows the estimate is made from."""
    return (
        select(*columns)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(TherapySession, TherapySession.id == Invitation.session_id)
        .join(Patient, Patient.id == TherapySession.patient_id)
        .where(Patient.clinic_id == clinic_id, Invitation.respondent == "patient",
               Invitation.instrument_id == instrument.id)
    )


def clinic_scores(clinic_id: int, instrument: Instrument) -> dict[str, dict[int, list[float]]]:
    """scale -> patient id -> the patient's scored sessions on this instrument, in session order."""
    rows = db.session.execute(
        _patient_answers(clinic_id, instrument, TherapySession.patient_id, Response.scores)
        .order_by(TherapySession.patient_id, TherapySession.number)
    ).all()
    scores: dict[str, dict[int, list[float]]] = {scale: defaultdict(list) for scale in instrument.scales}
    for patient_id, by_scale in rows:
        for scale, raw in (by_scale or {}).items():
            if scale in scores and (value := as_score(raw)) is not None:
                scores[scale][patient_id].append(value)
    return scores


def clinic_estimates(clinic_id: int, instrument: Instrument) -> dict[str, ScaleEstimate | None]:
    """Per scale with norms: the clinic's estimate, or None while it has too little history.

    The bootstrap takes seconds for a large clinic, so estimates are kept per process until the
    clinic's answers change (the count and the newest of them are the watermark)."""
    watermark = db.session.execute(
        _patient_answers(clinic_id, instrument, func.count(Response.id), func.max(Response.id))
    ).one()
    key = (clinic_id, instrument.id, instrument.version, *watermark)
    cache = current_app.extensions.setdefault("calibration_estimates", {})
    if key not in cache:
        scores = clinic_scores(clinic_id, instrument)
        if len(cache) >= CACHED_CLINICS:
            cache.clear()
        cache[key] = {scale: estimate_scale(scale, scores[scale])
                      for scale, spec in instrument.scales.items() if spec.norms is not None}
    return cache[key]


def adopted_by_name(rows: Iterable[ClinicNorm]) -> dict[int, str]:
    ids = {row.adopted_by_id for row in rows}
    if not ids:
        return {}
    return {u.id: u.display_name or u.email for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
