"""The outcome chart as a table: its accessible alternative, the same facts in words."""

from __future__ import annotations

import datetime

from dashboards.charts.dates import long_date
from dashboards.charts.outcome import alliance_points, measures_in_order
from dashboards.charts.table import ChartTable
from dashboards.flags import PatientHistory
from dashboards.outcomes import Measure
from dashboards.outcomes.series import band_words

ALLIANCE_COLUMN = "Alliance (patient, 1 to 5)"


def outcome_table(history: PatientHistory, *, as_of: datetime.date | None = None,
                  alliance_column: str = ALLIANCE_COLUMN) -> ChartTable:
    measures = measures_in_order(history, as_of)
    alliance = {n: v for n, _, v in alliance_points(history, as_of)}
    days = {s.number: s.date for s in history.sessions}
    numbers = sorted({s.session_number for m in measures for s in m.scores} | set(alliance))
    rows = []
    for n in numbers:
        cells = [_cell(m, n) for m in measures]
        rows.append((str(n), long_date(days[n]) if n in days else "", *cells,
                     f"{alliance[n]:.1f}" if n in alliance else ""))
    return ChartTable(
        caption="Outcome questionnaires and the patient's alliance rating by session",
        columns=("Session", "Date", *(m.name for m in measures), alliance_column),
        rows=tuple(rows),
        notes=tuple(note for m in measures if (note := reliable_range(m))),
    )


def _cell(m: Measure, number: int) -> str:
    score = m.at(number)
    return "" if score is None else f"{score.total:g} ({band_words(m.rules, score.total)})"


def reliable_range(m: Measure) -> str:
    """"PHQ-9: first score 15 (session 1); a later score from 9 to 21 is within measurement error …"."""
    first, rules = m.first, m.rules
    if first is None or rules.reliable_change is None:
        return ""
    top = m.top if m.top is not None else first.total + rules.reliable_change
    low, high = max(0.0, first.total - rules.reliable_change), min(top, first.total + rules.reliable_change)
    cutoff = f"; the clinical cut-off is {rules.caseness:g}" if rules.caseness is not None else ""
    return (f"{m.name}: first score {first.total:g} (session {first.session_number}); a later score from "
            f"{low:g} to {high:g} is within measurement error (a reliable change is {rules.reliable_change:g} "
            f"points or more){cutoff}.")
