"""Reviewing progress with the patient: one treatment's outcome and alliance trends in plain words, to
show on screen or print in session. Only the patient's own answers (no therapist ratings, notes,
flag names or other patients); every opening is recorded in the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import jsonify, render_template
from flask.typing import ResponseReturnValue

from dashboards.access import patient_view
from dashboards.charts.outcome import alliance_points, measures_in_order, outcome_chart
from dashboards.charts.outcome_table import outcome_table
from dashboards.charts.table import ChartTable
from dashboards.outcomes.plain import AllianceReview, MeasureReview, chart_caption, review_alliance, review_measure
from dashboards.risk.store import local_today
from dashboards.speech import spoken
from dashboards.therapist.blueprint import bp
from dashboards.therapist.record import load_history
from feedback.models import Patient, utcnow
from feedback.translatable import N_

#: The patient's own rating, as the patient would name it.
ALLIANCE_WORDS = N_("Working together (your rating, 1 to 5)")


@dataclass(frozen=True)
class Review:
    day: date
    measures: tuple[MeasureReview, ...]
    alliance: AllianceReview
    table: ChartTable
    has_outcomes: bool
    caption: str  # the chart's, saying which way is better for each questionnaire


def review_of(patient: Patient, now: datetime) -> Review:
    day = local_today(patient.clinic.timezone, now)
    history = load_history(patient, now)
    measures = measures_in_order(history, day)
    return Review(day=day, measures=tuple(review_measure(m) for m in measures),
                  alliance=review_alliance(alliance_points(history, day)),
                  table=outcome_table(history, as_of=day, alliance_column=ALLIANCE_WORDS),
                  has_outcomes=bool(measures), caption=chart_caption(measures))


@bp.get("/patients/<code>/review")
@patient_view("review_with_patient")
def patient_review(patient: Patient) -> ResponseReturnValue:
    return render_template("dashboards/review.html", patient=patient, review=review_of(patient, utcnow()))


@bp.get("/patients/<code>/review.json")
@patient_view("view_patient_data")
def patient_review_chart(patient: Patient) -> ResponseReturnValue:
    """The review's chart: the outcome trend in the patient's words, nothing of the therapist's."""
    now = utcnow()
    return jsonify(spoken(outcome_chart(load_history(patient, now), as_of=local_today(patient.clinic.timezone, now),
                                        plain=True)))
