"""The marks beside a patient chart's scale: ruptures above it, missed sessions and forms below.

Each kind has its own words (table, hover), short legend name, symbol, colour and row, so the
figure, its hover text and its table always say the same thing about a session.
"""

from __future__ import annotations

from typing import NamedTuple

from dashboards.charts.style import NEUTRAL
from feedback.translatable import N_

TOP_ROW, MISSED_ROW, THERAPIST_MISSED_ROW = 5.5, 0.55, 0.2  # marker rows outside the 1–5 scale


class Mark(NamedTuple):
    words: str  # in the table and hover text (marked for translation: said where it is shown)
    legend: str  # short, so two legend columns fit a phone
    symbol: str  # plotly marker symbol: every kind of mark has its own shape
    colour: str
    row: float  # y position, outside the 1–5 scale


RUPTURE_MARKS = {
    "unresolved": Mark(N_("Rupture, unresolved"), N_("Rupture: unresolved"), "x", "#A4161A", TOP_ROW),
    "open": Mark(N_("Rupture, partly resolved"), N_("Rupture: partly"), "triangle-down-open", "#7A4F00", TOP_ROW),
    "repaired": Mark(N_("Rupture, repaired"), N_("Rupture: repaired"), "star", "#1E6B3A", TOP_ROW),
}
RUPTURE_KEY = N_("Top row: ruptures (P patient, T therapist)")
# TRANSLATORS: the letters on the chart's rupture marks: P(atient), T(herapist), both.
REPORTER_TEXT = {"patient": N_("P"), "therapist": N_("T"), "both": N_("P+T")}
MISSED_MARKS = {
    "no_show": Mark(N_("No-show"), N_("No-show"), "x-thin-open", NEUTRAL, MISSED_ROW),
    "cancelled": Mark(N_("Cancelled"), N_("Cancelled"), "triangle-up-open", NEUTRAL, MISSED_ROW),
    "clinic_cancelled": Mark(N_("Cancelled by the clinic"), N_("Clinic cancelled"), "triangle-down-open", NEUTRAL,
                             MISSED_ROW),
    "patient_unanswered": Mark(N_("Patient form not answered"), N_("Patient: no answer"), "square-open", NEUTRAL,
                               MISSED_ROW),
    "therapist_unanswered": Mark(N_("Therapist form not answered"), N_("Therapist: no answer"), "square-x-open",
                                 NEUTRAL, THERAPIST_MISSED_ROW),
}
