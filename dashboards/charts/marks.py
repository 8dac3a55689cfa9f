"""The marks beside a patient chart's scale: ruptures above it, missed sessions and forms below.

Each kind has its own words (table, hover), short legend name, symbol, colour and row, so the
figure, its hover text and its table always say the same thing about a session.
"""

from __future__ import annotations

from typing import NamedTuple

from dashboards.charts.style import NEUTRAL

TOP_ROW, MISSED_ROW, THERAPIST_MISSED_ROW = 5.5, 0.55, 0.2  # marker rows outside the 1–5 scale


class Mark(NamedTuple):
    words: str  # in the table and hover text
    legend: str  # short, so two legend columns fit a phone
    symbol: str  # plotly marker symbol: every kind of mark has its own shape
    colour: str
    row: float  # y position, outside the 1–5 scale


RUPTURE_MARKS = {
    "unresolved": Mark("Rupture, unresolved", "Rupture: unresolved", "x", "#A4161A", TOP_ROW),
    "open": Mark("Rupture, partly resolved", "Rupture: partly", "triangle-down-open", "#7A4F00", TOP_ROW),
    "repaired": Mark("Rupture, repaired", "Rupture: repaired", "star", "#1E6B3A", TOP_ROW),
}
RUPTURE_KEY = "Top row: ruptures (P patient, T therapist)"
REPORTER_TEXT = {"patient": "P", "therapist": "T", "both": "P+T"}
MISSED_MARKS = {
    "no_show": Mark("No-show", "No-show", "x-thin-open", NEUTRAL, MISSED_ROW),
    "cancelled": Mark("Cancelled", "Cancelled", "triangle-up-open", NEUTRAL, MISSED_ROW),
    "clinic_cancelled": Mark("Cancelled by the clinic", "Clinic cancelled", "triangle-down-open", NEUTRAL, MISSED_ROW),
    "patient_unanswered": Mark("Patient form not answered", "Patient: no answer", "square-open", NEUTRAL,
                               MISSED_ROW),
    "therapist_unanswered": Mark("Therapist form not answered", "Therapist: no answer", "square-x-open", NEUTRAL,
                                 THERAPIST_MISSED_ROW),
}
