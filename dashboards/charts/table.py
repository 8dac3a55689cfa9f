"""A patient chart as a table: its accessible alternative, the same facts in words."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dashboards.charts.dates import long_date
from dashboards.charts.marks import MISSED_MARKS
from dashboards.charts.points import SessionPoint, baseline_band, session_points
from dashboards.flags import DEFAULT_THRESHOLDS, PatientHistory, Thresholds
from dashboards.flags.wording import capital, label
from dashboards.flags.wording import sessions as listing


@dataclass(frozen=True)
class ChartTable:
    """The chart as a table (cells are plain text; templates escape)."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...]  # baseline and band, in words


def chart_table(history: PatientHistory, scale: str, *, as_of: datetime.date | None = None,
                thresholds: Thresholds = DEFAULT_THRESHOLDS) -> ChartTable:
    """The text alternative of `patient.patient_chart`: one row per session, the same facts in words."""
    points = session_points(history, scale, as_of=as_of, thresholds=thresholds)
    band = baseline_band(history, scale, as_of=as_of, thresholds=thresholds)
    notes: tuple[str, ...] = ()
    if band is not None:
        notes = (
            f"Patient's usual level {band.baseline:.1f} (mean of sessions {listing(list(band.sessions))}); "
            f"ordinary range {band.low:.2f} to {band.high:.2f} (usual level ± {band.z:g} within-person SDs "
            f"of {band.unit:.2f}). A score below the range is more than ordinary week-to-week variation.",
        )
    rows = []
    for p in points:
        remarks = [MISSED_MARKS[kind].words for kind in p.missed]
        if p.rupture is not None:
            remarks.append(p.rupture.text)
        if band is not None and p.patient is not None and p.patient < band.low and p.number not in band.sessions:
            remarks.append("Patient's score below the ordinary range")
        rows.append((str(p.number), long_date(p.date), _score_cell(p, "patient"), _score_cell(p, "therapist"),
                     "; ".join(remarks)))
    return ChartTable(
        caption=f"{capital(label(scale))} by session: patient's and therapist's scores (1 to 5)",
        columns=("Session", "Date", "Patient", "Therapist", "Notes"),
        rows=tuple(rows),
        notes=notes,
    )


def _score_cell(p: SessionPoint, respondent: str) -> str:
    value = p.patient if respondent == "patient" else p.therapist
    if value is not None:
        return f"{value:.1f}"
    return "not answered" if f"{respondent}_unanswered" in p.missed else ""
