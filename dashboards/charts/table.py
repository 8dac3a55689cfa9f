"""A patient chart as a table: its accessible alternative, the same facts in words."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dashboards.charts.marks import MISSED_MARKS
from dashboards.charts.points import SessionPoint, baseline_band, session_points
from dashboards.flags import DEFAULT_THRESHOLDS, PatientHistory, Thresholds
from dashboards.flags.wording import listed, scale_name
from feedback.phrases import Day, Listed, Num, Phrase, phrase
from feedback.translatable import N_

Cell = Phrase | Listed | Num | Day | str


@dataclass(frozen=True)
class ChartTable:
    """The chart as a table (cells are phrases or plain text, said and escaped by the template)."""

    caption: Phrase | str
    columns: tuple[Phrase | str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[Phrase | str, ...]  # baseline and band, in words


def chart_table(history: PatientHistory, scale: str, *, as_of: datetime.date | None = None,
                thresholds: Thresholds = DEFAULT_THRESHOLDS) -> ChartTable:
    """The text alternative of `patient.patient_chart`: one row per session, the same facts in words."""
    points = session_points(history, scale, as_of=as_of, thresholds=thresholds)
    band = baseline_band(history, scale, as_of=as_of, thresholds=thresholds)
    notes: tuple[Phrase | str, ...] = ()
    if band is not None:
        notes = (phrase(
            N_("Patient's usual level %(baseline)s (mean of sessions %(sessions)s); ordinary range %(low)s to "
               "%(high)s (usual level ± %(z)s within-person SDs of %(unit)s). A score below the range is more than "
               "ordinary week-to-week variation."),
            baseline=Num(band.baseline, 1), sessions=listed(list(band.sessions)), low=Num(band.low, 2),
            high=Num(band.high, 2), z=Num(band.z), unit=Num(band.unit, 2)),)
    rows: list[tuple[Cell, ...]] = []
    for p in points:
        remarks: list[Phrase | str] = [Phrase(MISSED_MARKS[kind].words) for kind in p.missed]
        if p.rupture is not None:
            remarks.append(p.rupture.text)
        if band is not None and p.patient is not None and p.patient < band.low and p.number not in band.sessions:
            remarks.append(Phrase(N_("Patient's score below the ordinary range")))
        rows.append((str(p.number), Day(p.date), _score_cell(p, "patient"), _score_cell(p, "therapist"),
                     Listed(tuple(remarks), sep="; ")))
    return ChartTable(
        caption=phrase(N_("%(scale)s by session: patient's and therapist's scores (1 to 5)"),
                       scale=scale_name(scale)).capitalised(),
        columns=(Phrase(N_("Session")), Phrase(N_("Date")), Phrase(N_("Patient")), Phrase(N_("Therapist")),
                 Phrase(N_("Notes"))),
        rows=tuple(rows),
        notes=notes,
    )


def _score_cell(p: SessionPoint, respondent: str) -> Cell:
    value = p.patient if respondent == "patient" else p.therapist
    if value is not None:
        return Num(value, 1)
    return Phrase(N_("not answered")) if f"{respondent}_unanswered" in p.missed else ""
